import { AppError } from "@steward/core";
import { describe, expect, it } from "vitest";
import { isPending, STATEMENTS_PATH, StatementResponse, statementRequests } from "./statement-api";

describe("SQL Statement Execution API request bodies", () => {
  it("one body per statement, in order, with the defaults", () => {
    expect(STATEMENTS_PATH).toBe("/api/2.0/sql/statements");
    expect(statementRequests("abc123def4567890", ["CREATE FUNCTION a() RETURN 1", "ALTER TABLE t DROP ROW FILTER"])).toEqual([
      { warehouse_id: "abc123def4567890", statement: "CREATE FUNCTION a() RETURN 1", wait_timeout: "50s", on_wait_timeout: "CONTINUE" },
      { warehouse_id: "abc123def4567890", statement: "ALTER TABLE t DROP ROW FILTER", wait_timeout: "50s", on_wait_timeout: "CONTINUE" },
    ]);
    expect(statementRequests("w1", ["SELECT 1"], { waitTimeout: "0s", onWaitTimeout: "CANCEL" })[0]).toEqual({
      warehouse_id: "w1",
      statement: "SELECT 1",
      wait_timeout: "0s",
      on_wait_timeout: "CANCEL",
    });
  });

  it.each<[string, string, string | undefined]>([
    ["an empty warehouse id", "", undefined],
    ["a warehouse id with a path", "../x", undefined],
    ["a wait below 5s", "w1", "3s"],
    ["a wait above 50s", "w1", "51s"],
  ])("refuses %s with BAD_USER_INPUT", (_what, warehouse, wait) => {
    expect(() => statementRequests(warehouse, ["SELECT 1"], { waitTimeout: wait })).toThrow(AppError);
  });

  it("refuses an empty statement or NUL, naming which one", () => {
    try {
      statementRequests("w1", ["SELECT 1", "  "]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("BAD_USER_INPUT");
      expect((e as AppError).fields[0]!.path).toBe("statements[1].statement");
    }
    expect(() => statementRequests("w1", ["SELECT '\0'"])).toThrow(AppError);
  });

  it("reads the state of a response", () => {
    const running = StatementResponse.parse({ statement_id: "01ef", status: { state: "RUNNING" }, manifest: {} });
    expect(isPending(running)).toBe(true);
    const failed = StatementResponse.parse({
      statement_id: "01ef",
      status: { state: "FAILED", error: { error_code: "BAD_REQUEST", message: "x" } },
    });
    expect(isPending(failed)).toBe(false);
    expect(() => StatementResponse.parse({ statement_id: "01ef", status: { state: "DONE" } })).toThrow();
  });
});
