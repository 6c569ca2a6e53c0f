/**
 * Shapes of the Databricks SQL Statement Execution API (`POST /api/2.0/sql/statements`), the only way
 * row-filter and mask DDL reaches a workspace without a JDBC driver. Shapes only: no transport here,
 * and the OSS Unity Catalog server has no such API, so nothing is sent in tests.
 *
 * The API runs ONE statement per request (no `;`-separated scripts), so a plan of N statements is N
 * requests sent in order, each waited for: a SET MASK must not overtake the CREATE FUNCTION it names.
 * `wait_timeout` is "0s" (asynchronous, poll GET /api/2.0/sql/statements/{id}) or 5s–50s;
 * `on_wait_timeout` says whether a statement still running at that point is left to CONTINUE
 * (poll it) or CANCELed.
 */
import { badInput } from "@steward/core";
import { z } from "zod";

export const STATEMENTS_PATH = "/api/2.0/sql/statements";

const WAIT_TIMEOUT = /^(0|[5-9]|[1-4][0-9]|50)s$/;

export const StatementRequest = z.object({
  /** The SQL warehouse that runs the statement (row filters and masks need a warehouse or recent standard-mode compute). */
  warehouse_id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a warehouse id"),
  statement: z
    .string()
    .trim()
    .min(1)
    .max(16 * 1024 * 1024)
    .refine((s) => !s.includes("\0"), "must not contain NUL"),
  wait_timeout: z.string().regex(WAIT_TIMEOUT, 'must be "0s" or 5s–50s').default("50s"),
  on_wait_timeout: z.enum(["CONTINUE", "CANCEL"]).default("CONTINUE"),
});
export type StatementRequest = z.output<typeof StatementRequest>;

/** One request body per statement, in order; bad input throws BAD_USER_INPUT and builds nothing. */
export function statementRequests(
  warehouseId: string,
  statements: readonly string[],
  opts: { waitTimeout?: string; onWaitTimeout?: "CONTINUE" | "CANCEL" } = {},
): StatementRequest[] {
  return statements.map((statement, i) => {
    const parsed = StatementRequest.safeParse({
      warehouse_id: warehouseId,
      statement,
      wait_timeout: opts.waitTimeout,
      on_wait_timeout: opts.onWaitTimeout,
    });
    if (!parsed.success)
      throw badInput(
        "Invalid SQL statement request",
        parsed.error.issues.map((issue) => ({ path: `statements[${i}].${issue.path.join(".")}`, message: issue.message })),
      );
    return parsed.data;
  });
}

export const STATEMENT_STATES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "CLOSED"] as const;

/** The part of a StatementResponse a DDL caller reads (the result set of DDL is empty). */
export const StatementResponse = z.object({
  statement_id: z.string().min(1),
  status: z.object({
    state: z.enum(STATEMENT_STATES),
    error: z.object({ error_code: z.string().optional(), message: z.string().optional() }).optional(),
  }),
});
export type StatementResponse = z.output<typeof StatementResponse>;

/** Still running after `wait_timeout` with CONTINUE: poll `GET ${STATEMENTS_PATH}/{statement_id}`. */
export const isPending = (r: StatementResponse) => r.status.state === "PENDING" || r.status.state === "RUNNING";
