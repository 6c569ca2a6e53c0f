import { spawnSync } from "node:child_process";
import path from "node:path";
import { adminQuery, templateDb, urlForDatabase } from "@steward/db/testing";

/** Migrates a fresh template database once per run; test files clone it (see libs/db/src/testing.ts). */
export default async function setup(): Promise<() => Promise<void>> {
  // One template per run: concurrent runs on one machine must not drop each other's template.
  process.env.STEWARD_TEST_TEMPLATE_DB = `steward_test_template_${process.pid}`;
  const TEMPLATE_DB = templateDb();
  await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${TEMPLATE_DB}"`);
  const root = path.resolve(import.meta.dirname, "../..");
  const res = spawnSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: urlForDatabase(TEMPLATE_DB) },
      encoding: "utf8",
    },
  );
  if (res.status !== 0) throw new Error(`migrating the test template failed:\n${res.stdout}\n${res.stderr}`);
  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
  };
}
