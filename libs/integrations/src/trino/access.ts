// PLACEHOLDER (helper opa-engine replaces this file): publishes desired states as decision snapshots.
import type { AccessPort } from "../access-types";

const notYet = async () => {
  throw new Error("Trino access port not implemented yet");
};
export const trinoAccess: AccessPort = { plan: notYet, apply: notYet, drift: notYet };
