/**
 * The Snowflake data preview. Snowflake evaluates masking and row access policies for CURRENT_USER()
 * and has no way to run a query as another user, so the preview cannot simply be "the user's query".
 * What it does instead: in one session of Steward's own user, inside a transaction that is always
 * rolled back, it writes the chosen user's facts into Steward's *own* PROFILE row (the row the
 * USER_PROFILE view returns for CURRENT_USER() = Steward's user), then reads the base table. The
 * policies that run are the ones attached on the platform now, evaluated by Snowflake itself, with
 * exactly the facts the chosen user's PROFILE row holds — the same path as the user's own query.
 *
 * Limits (also in the warnings and docs/platforms/snowflake.md): it shows the policies as last
 * reconciled, not an unapplied spec; policies Steward does not manage run for Steward's user; the
 * salt is the one stored in the account; Steward's role needs SELECT on the table. Nothing is
 * committed: the profile write is rolled back (and a session that ends mid-way rolls back too).
 */

import type { AccessError } from "../access-types";
import type { DataPreviewPort, DataPreviewRequest, DataPreviewResult } from "../adapter";
import { ConnectorError } from "../connector";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualifiedSnowflake, quoteSnowflakeIdent, quoteSnowflakeLiteral, UnsafeIdentifierError } from "../sql/quote";
import { type SfQuery, withSnowflake } from "./client";
import { SnowflakeConfig, SnowflakeCredentials } from "./config";
import { classifySnowflakeError, snowflakeErrorCode } from "./errors";
import { desiredPolicies } from "./policies";
import { snowflakeDialect } from "./policy-dialect";
import { planProfiles, storedProfile } from "./profile";

export const MAX_PREVIEW_ROWS = 100;

export type PreviewScript = {
  /** Session settings, then (with a policy database) BEGIN and the profile MERGE. */
  setup: string[];
  select: string;
  /** ROLLBACK when a transaction was opened. */
  teardown: string[];
  userSql: string;
  warnings: string[];
  /** The policy names the spec compiles to, without the connection's prefix (null: nothing to compare). */
  expected: { kind: string; suffix: string; column: string | null }[] | null;
  /** Reads every policy attached to the table now. */
  references: string | null;
};

class PreviewInputError extends Error {
  constructor(
    readonly code: "INVALID_INPUT" | "INVALID_CONFIG",
    message: string,
  ) {
    super(message);
  }
}

/** Pure: the statements of one preview (bad input throws before anything is sent). */
export function previewScript(config: SnowflakeConfig, request: DataPreviewRequest): PreviewScript {
  const [database, schema, name, ...rest] = request.path;
  if (!database || !schema || !name || rest.length)
    throw new PreviewInputError("INVALID_INPUT", `path ${JSON.stringify(request.path)} is not [database, schema, table]`);
  const table = qualifiedSnowflake(database, schema, name);
  const limit = Math.max(1, Math.min(MAX_PREVIEW_ROWS, Math.floor(request.limit) || MAX_PREVIEW_ROWS));
  const warnings: string[] = [];
  // The same rule as every other platform's preview: only a source the profile lists shows rows
  // (on Snowflake itself the user's grants decide whether the table can be read at all).
  const listed = request.profile.sources.includes(request.sourceId);
  if (!listed) warnings.push("the user's profile does not list this source: no rows are shown");
  const setup = [
    // Never a cached result of an earlier preview for another user; never wait long on a lock.
    "ALTER SESSION SET USE_CACHED_RESULT = FALSE",
    "ALTER SESSION SET LOCK_TIMEOUT = 10",
    "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 30",
  ];
  const teardown: string[] = [];
  if (config.policyDatabase) {
    const asSteward = storedProfile({ ...request.profile, accountName: config.user });
    setup.push("BEGIN", ...planProfiles(config.policyDatabase, [asSteward], [], true).statements);
    teardown.push("ROLLBACK");
    warnings.push(
      `Snowflake runs a query's policies for its own CURRENT_USER(): these rows come from Steward's user with its PROFILE row set to ${JSON.stringify(request.profile.accountName)}'s facts (rolled back), through the policies attached at the last reconcile; policies Steward does not manage ran for Steward's user`,
    );
  } else if (request.spec) {
    throw new PreviewInputError("INVALID_CONFIG", "the connection has no policyDatabase, so its data policies cannot be previewed");
  }
  let expected: PreviewScript["expected"] = null;
  let references: string | null = null;
  if (config.policyDatabase) {
    // A policy's name is <prefix><kind>_<source/column hash>_<body hash>: the spec's names without
    // the prefix say whether what is attached now is what this spec compiles to.
    const compiled = desiredPolicies(
      [
        {
          spec: request.spec ?? { sourceId: request.sourceId, policyIds: [], conflicts: [], columns: [], rowFilter: null },
          table: request.path,
        },
      ],
      {
        dialect: snowflakeDialect(config.policyDatabase),
        prefix: "",
        policyDatabase: config.policyDatabase,
      },
    );
    warnings.push(...compiled.warnings);
    expected = compiled.policies.map((p) => ({ kind: p.kind, suffix: p.name, column: p.column }));
    references = `SELECT POLICY_NAME, POLICY_KIND, REF_COLUMN_NAME FROM TABLE(${quoteSnowflakeIdent(database)}.INFORMATION_SCHEMA.POLICY_REFERENCES(REF_ENTITY_NAME => ${quoteSnowflakeLiteral(table)}, REF_ENTITY_DOMAIN => 'table'))`;
  }
  return {
    setup,
    select: `SELECT * FROM ${table}${listed ? "" : " WHERE FALSE"} LIMIT ${limit}`,
    teardown,
    userSql: `SELECT * FROM ${table} LIMIT ${limit}`,
    warnings,
    expected,
    references,
  };
}

/** A warning when the Steward policies on the table are not exactly the ones the spec compiles to. */
async function attachedDiffers(q: SfQuery, script: PreviewScript): Promise<string | null> {
  if (!script.references || !script.expected) return null;
  const attached = (await q(script.references))
    .map((r) => ({
      name: String(r.POLICY_NAME ?? ""),
      kind: String(r.POLICY_KIND ?? ""),
      column: r.REF_COLUMN_NAME ? String(r.REF_COLUMN_NAME) : null,
    }))
    .filter((a) => /^STW_[0-9A-F]{8}_(M|RAP)_/.test(a.name));
  const same =
    attached.length === script.expected.length &&
    script.expected.every((e) => attached.some((a) => a.kind === e.kind && a.column === e.column && a.name.endsWith(`_${e.suffix}`)));
  return same
    ? null
    : "the policies attached to this table are not the ones this spec compiles to (a draft, or a change not reconciled yet): the rows show what the attached policies do, not the spec";
}

const failed = (error: AccessError): DataPreviewResult => ({ kind: "failed", error });

export const snowflakePreview: DataPreviewPort = {
  async preview(connection, request): Promise<DataPreviewResult> {
    const config = SnowflakeConfig.safeParse(connection.config);
    const credentials = SnowflakeCredentials.safeParse(connection.credentials ?? {});
    if (!config.success || !credentials.success)
      return failed({
        code: "INVALID_CONFIG",
        errorClass: "CONFIGURATION",
        message: "INVALID_CONFIG: the stored connection config is not valid",
      });
    let script: PreviewScript;
    try {
      script = previewScript(config.data, request);
    } catch (err) {
      if (err instanceof PreviewInputError)
        return failed({
          code: err.code,
          errorClass: err.code === "INVALID_CONFIG" ? "CONFIGURATION" : "PERMANENT",
          message: `${err.code}: ${err.message}`,
        });
      if (err instanceof UnsafeIdentifierError || err instanceof PolicyCompileError)
        return failed({ code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` });
      throw err;
    }
    try {
      const result = await withSnowflake(
        config.data,
        credentials.data,
        async (q, table) => {
          const differs = await attachedDiffers(q, script);
          if (differs) script.warnings.push(differs);
          for (const sql of script.setup) await q(sql);
          try {
            return await table(script.select);
          } finally {
            for (const sql of script.teardown) await q(sql);
          }
        },
        { rawQueryErrors: true },
      );
      return {
        kind: "rows",
        columns: result.columns,
        rows: result.rows,
        sql: [...script.setup, script.select, ...script.teardown].join(";\n"),
        userSql: script.userSql,
        warnings: script.warnings,
      };
    } catch (err) {
      const code = err instanceof ConnectorError ? err.problem.code : snowflakeErrorCode(err);
      const message = err instanceof Error ? err.message : String(err);
      return failed({ code, errorClass: classifySnowflakeError(code), message: `${request.path.join(".")}: ${code}: ${message}` });
    }
  },
};
