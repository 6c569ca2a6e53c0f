/**
 * The Statement Execution API client against the local emulator (testing/statement-server.ts, not a
 * Databricks warehouse): a statement that never finishes is cancelled at the deadline and reported
 * TIMEOUT; results are read across chunks; FAILED statements keep their error code and SQLSTATE.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UcApiError } from "./client";
import { UcConfig } from "./config";
import { classifyUcError } from "./errors";
import { createStatementClient, failedStatementError } from "./statement-client";
import { type StatementServer, startStatementServer } from "./testing/statement-server";

let server: StatementServer;
beforeEach(async () => {
  server = await startStatementServer();
  server.model.addTable(["main", "s", "t"], [{ name: "a", type: "STRING" }]);
});
afterEach(() => server.close());

const client = (over: Record<string, unknown> = {}) =>
  createStatementClient(UcConfig.parse({ url: server.url, ...over }), { token: server.token }, server.warehouseId, {
    pollDelaysMs: [5],
    retryDelaysMs: [5],
  });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return err instanceof UcApiError ? err.code : String(err);
  }
}

describe("Statement Execution API client (emulator)", () => {
  it("a statement still RUNNING at the deadline is cancelled and reported TIMEOUT (transient)", async () => {
    server.pendingPolls = Number.POSITIVE_INFINITY;
    const code = await codeOf(client({ statementTimeoutMs: 1000 }).run("SELECT `table_name` FROM `main`.`information_schema`.`tables`"));
    expect(code).toBe("TIMEOUT");
    expect(classifyUcError(code)).toBe("TRANSIENT");
    expect(server.requests.at(-1)).toMatch(/^POST \/api\/2\.0\/sql\/statements\/[^/]+\/cancel$/);
  });

  it("reads every chunk of a result, in order", async () => {
    server.chunkRows = 2;
    for (const t of ["u", "v", "w", "x"]) server.model.addTable(["main", "s", t], [{ name: "a", type: "STRING" }]);
    const rows = await client().run("SELECT `table_name` FROM `main`.`information_schema`.`tables` WHERE `table_schema` = 's'");
    expect(rows.map((r) => r.table_name)).toEqual(["t", "u", "v", "w", "x"]);
    expect(server.requests.filter((r) => r.includes("/result/chunks/")).length).toBe(2);
  });

  it("a FAILED statement keeps the warehouse's error code, message and SQLSTATE", async () => {
    const err = await client()
      .run("SELECT `nope` FROM `main`.`s`.`t`")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UcApiError);
    expect((err as UcApiError).code).toBe("BAD_REQUEST");
    expect((err as UcApiError).message).toMatch(/FAILED \(BAD_REQUEST, SQLSTATE 42703\): \[UNRESOLVED_COLUMN\]/);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["UNAUTHENTICATED", { error: { error_code: "UNAUTHENTICATED" } }, "AUTH_FAILED"],
    ["TEMPORARILY_UNAVAILABLE", { error: { error_code: "TEMPORARILY_UNAVAILABLE" } }, "SERVER_ERROR"],
    ["SQLSTATE 42501", { error: { error_code: "BAD_REQUEST", message: "no" }, sql_state: "42501" }, "PERMISSION_DENIED"],
    ["NOT_FOUND", { error: { error_code: "NOT_FOUND" } }, "NOT_FOUND"],
    ["anything else", { error: { error_code: "ALREADY_EXISTS" } }, "BAD_REQUEST"],
  ])("FAILED with %s is %s", (_what, status, code) => {
    const e = failedStatementError({ statement_id: "x", status: { state: "FAILED", ...status } } as never, "SELECT 1");
    expect(e.code).toBe(code);
  });

  it("a statement CANCELED or CLOSED by someone else is transient", () => {
    for (const state of ["CANCELED", "CLOSED"] as const)
      expect(failedStatementError({ statement_id: "x", status: { state } }, "SELECT 1").code).toBe("SERVER_ERROR");
  });
});
