import { describe, expect, it } from "vitest";
import { UnsafeIdentifierError } from "../../sql/quote";
import { classifyError, isRetryable } from "./session";
import { GrantsInputError } from "./types";

const target = { host: "db.example", port: 5432, user: "steward" };

describe("reconcile error handling", () => {
  it("retries only serialization failures, deadlocks and concurrent catalog updates", () => {
    expect(isRetryable({ code: "40001" })).toBe(true);
    expect(isRetryable({ code: "40P01" })).toBe(true);
    expect(isRetryable({ code: "XX000", message: "tuple concurrently updated" })).toBe(true);
    expect(isRetryable({ code: "XX000", message: "cache lookup failed" })).toBe(false);
    expect(isRetryable({ code: "42501" })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it.each([
    [{ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, "UNREACHABLE"],
    [new Error("Connection terminated unexpectedly"), "UNREACHABLE"],
    [{ code: "28P01", message: "password authentication failed" }, "AUTH_FAILED"],
    [{ code: "3D000", message: "database does not exist" }, "NOT_FOUND"],
    [{ code: "42501", message: "permission denied for table t" }, "MISSING_PRIVILEGE"],
    [{ code: "57014", message: "canceling statement due to statement timeout" }, "TIMEOUT"],
    [{ code: "40001", message: "could not serialize access" }, "CONFLICT"],
    [{ code: "54000", message: "row is too big" }, "SQL_ERROR"],
    [new GrantsInputError("bad name"), "INVALID_INPUT"],
    [new UnsafeIdentifierError("NUL"), "INVALID_INPUT"],
    [new TypeError("x is not a function"), "INTERNAL"],
  ])("classifies %o as %s", (err, code) => {
    expect(classifyError(err, target, "wh").code).toBe(code);
  });
});
