/**
 * Shapes of the Databricks SQL Statement Execution API (`POST /api/2.0/sql/statements`), the only way
 * row-filter and mask DDL reaches a workspace without a JDBC driver. Shapes only: the transport is
 * statement-client.ts; tests send them to a local emulator (testing/statement-server.ts), since the OSS
 * Unity Catalog server has no such API.
 *
 * The API runs ONE statement per request (no `;`-separated scripts), so a plan of N statements is N
 * requests sent in order, each waited for: a SET MASK must not overtake the CREATE FUNCTION it names.
 * `wait_timeout` is "0s" (asynchronous, poll GET /api/2.0/sql/statements/{id}) or 5s–50s;
 * `on_wait_timeout` says whether a statement still running at that point is left to CONTINUE
 * (poll it) or CANCELed.
 *
 * Shapes as documented for the API (Databricks SDK for Python, docs/workspace/sql/statement_execution.rst;
 * the error codes from databricks-sdk-java, service/sql/ServiceErrorCode.java): a statement the
 * warehouse fails is HTTP 200 with `status.state` FAILED and `status.error.error_code`; a request
 * refused before it runs is a non-200 answer. `parameters` bind `:name` markers (values as strings,
 * `type` optional), which keeps a value such as the hash salt out of the statement text.
 */
import { badInput } from "@steward/core";
import { z } from "zod";

export const STATEMENTS_PATH = "/api/2.0/sql/statements";

const WAIT_TIMEOUT = /^(0|[5-9]|[1-4][0-9]|50)s$/;

/** A named parameter (`:name` in the statement); the API has no positional `?` markers. */
export const StatementParameter = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a parameter name"),
  value: z
    .string()
    .max(1024 * 1024)
    .nullable(),
  type: z
    .string()
    .regex(/^[A-Z][A-Z0-9_(), ]{0,40}$/)
    .optional(),
});
export type StatementParameter = z.output<typeof StatementParameter>;

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
  /** INLINE + JSON_ARRAY (the defaults): rows come back in the answer as arrays of strings or null. */
  disposition: z.literal("INLINE").optional(),
  format: z.literal("JSON_ARRAY").optional(),
  parameters: z.array(StatementParameter).max(256).optional(),
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

/** One chunk of an INLINE JSON_ARRAY result: every value is its string form, or null. */
export const ResultData = z.object({
  chunk_index: z.number().int().min(0).optional(),
  row_count: z.number().int().min(0).optional(),
  data_array: z.array(z.array(z.string().nullable())).optional(),
  /** Absent on the last chunk; fetched with GET `${STATEMENTS_PATH}/{id}/result/chunks/{index}`. */
  next_chunk_index: z.number().int().min(0).optional(),
  next_chunk_internal_link: z.string().optional(),
});
export type ResultData = z.output<typeof ResultData>;

export const ResultManifest = z.object({
  format: z.string().optional(),
  schema: z
    .object({
      column_count: z.number().int().optional(),
      columns: z.array(z.object({ name: z.string(), position: z.number().int().optional(), type_name: z.string().optional() })).optional(),
    })
    .optional(),
  total_chunk_count: z.number().int().optional(),
  total_row_count: z.number().int().optional(),
  /** A row or byte limit cut the result: never planned from (a partial read looks like missing state). */
  truncated: z.boolean().optional(),
});

/** The part of a StatementResponse Steward reads. */
export const StatementResponse = z.object({
  statement_id: z.string().min(1),
  status: z.object({
    state: z.enum(STATEMENT_STATES),
    error: z.object({ error_code: z.string().optional(), message: z.string().optional() }).optional(),
    sql_state: z.string().optional(),
  }),
  manifest: ResultManifest.optional(),
  result: ResultData.optional(),
});
export type StatementResponse = z.output<typeof StatementResponse>;

/** Still running after `wait_timeout` with CONTINUE: poll `GET ${STATEMENTS_PATH}/{statement_id}`. */
export const isPending = (r: StatementResponse) => r.status.state === "PENDING" || r.status.state === "RUNNING";
