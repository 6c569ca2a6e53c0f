import type { FullConfig } from "@playwright/test";
import { startStack } from "./stack";

/** Starts the stack once for the run; the returned function is Playwright's teardown. */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  // For iterating on tests: reuse a stack started with `npm run -w @steward/e2e stack`.
  if (process.env.STEWARD_E2E_EXTERNAL_STACK === "1") return async () => {};
  const stack = await startStack();
  process.env.STEWARD_E2E_RUN_ID = stack.runId;
  return async () => {
    await stack.stop();
  };
}
