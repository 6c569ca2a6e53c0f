/**
 * The PostgreSQL data preview: the policy view's own SELECT (same compiler, same expressions) with
 * the profile of the user to preview in a CTE instead of `steward_system.user_profile`, run as the
 * reconciling role (the view's owner) in a READ ONLY transaction that is rolled back. Profile facts
 * and the salt travel as bind parameters: the returned SQL shows `$1` where the salt goes.
 */
import pg from "pg";
import type { DataPreviewPort, DataPreviewRequest, DataPreviewResult } from "../adapter";
import { compileViewSelect, SOURCE_ALIAS } from "../sql/policy/compile";
import { PolicyCompileError, type ProfileEnv } from "../sql/policy/dialect";
import { qualified, quoteIdent, UnsafeIdentifierError } from "../sql/quote";
import { classifyPostgresError, grantsTarget, type TargetResolver } from "./access";
import { classifyError } from "./grants/session";
import { openWithPassword, passwordOption } from "./password";
import { postgresDialect, VIEWS_SCHEMA } from "./policy-dialect";
import { policyViewName } from "./views/naming";

export const MAX_PREVIEW_ROWS = 100;
const PREVIEW_PROFILE = "steward_preview_profile";
const PREVIEW_TIMEOUT_MS = 10_000;

// The salt is a column of the CTE, so $1 is typed even when no hash mask reads it.
const ENV: ProfileEnv = { profile: quoteIdent(PREVIEW_PROFILE), salt: `(SELECT "salt" FROM ${quoteIdent(PREVIEW_PROFILE)})` };

/** The preview statement and its parameters (pure; the SQL is what plans and the UI show). */
export function previewSql(request: DataPreviewRequest): { sql: string; userSql: string; params: unknown[]; warnings: string[] } {
  const [, schema, name, ...rest] = request.path;
  if (!schema || !name || rest.length)
    throw new PolicyCompileError(`path ${JSON.stringify(request.path)} is not [database, schema, object]`, "path");
  const limit = Math.max(1, Math.min(MAX_PREVIEW_ROWS, Math.floor(request.limit) || MAX_PREVIEW_ROWS));
  const p = request.profile;
  const profile =
    `WITH ${quoteIdent(PREVIEW_PROFILE)} AS (SELECT CAST($2 AS text) AS "account_name", CAST($3 AS text) AS "user_id", CAST($4 AS text) AS "username", ` +
    `CAST($5 AS text[]) AS "groups", CAST($6 AS jsonb) AS "attributes", CAST($7 AS text) AS "project_id", CAST($8 AS text[]) AS "purposes", CAST($9 AS text[]) AS "sources", CAST($1 AS text) AS "salt")`;
  const params = [
    request.hashSalt,
    p.accountName,
    p.userId,
    p.username,
    [...p.groups],
    JSON.stringify(p.attributes),
    p.projectId,
    [...p.purposes],
    [...p.sources],
  ];
  let select: string;
  let warnings: string[] = [];
  if (request.spec) {
    ({ select, warnings } = compileViewSelect(request.spec, { dialect: postgresDialect, base: [schema, name], env: ENV }));
  } else {
    // No data policy: rows as they are, behind the same subscription guard a view would have.
    const guard = postgresDialect.inProfileSet(postgresDialect.literal({ k: "text", value: request.sourceId }), { k: "sources" }, ENV);
    select = `SELECT ${quoteIdent(SOURCE_ALIAS)}.* FROM ${qualified(schema, name)} AS ${quoteIdent(SOURCE_ALIAS)} WHERE ${guard}`;
  }
  // A source with a spec is read through its view (the reconciler creates exactly these); else directly.
  const readable = request.spec ? qualified(VIEWS_SCHEMA, policyViewName(schema, name)) : qualified(schema, name);
  return {
    sql: `${profile}\nSELECT * FROM (\n${select}\n) AS "preview"\nLIMIT ${limit}`,
    userSql: `SELECT * FROM ${readable} LIMIT ${limit}`,
    params,
    warnings,
  };
}

/** The preview port of a PostgreSQL-family kind; `resolve` says where its connections sign in. */
export const pgFamilyPreview = (resolve: TargetResolver): DataPreviewPort => ({
  async preview(connection, request): Promise<DataPreviewResult> {
    const resolved = resolve(connection);
    if ("error" in resolved) return { kind: "failed", error: resolved.error };
    const database = request.path[0] ?? "";
    let built: ReturnType<typeof previewSql>;
    try {
      built = previewSql(request);
    } catch (err) {
      if (err instanceof PolicyCompileError || err instanceof UnsafeIdentifierError)
        return { kind: "failed", error: { code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` } };
      throw err;
    }
    const t = resolved.target;
    let client: pg.Client | undefined;
    try {
      client = await openWithPassword(t.password, async () => {
        const c = new pg.Client({
          host: t.host,
          port: t.port,
          user: t.user,
          password: passwordOption(t.password),
          database,
          ssl: (t.sslMode ?? "disable") === "disable" ? false : { rejectUnauthorized: t.sslMode === "verify-full" },
          connectionTimeoutMillis: 5_000,
          statement_timeout: PREVIEW_TIMEOUT_MS,
          query_timeout: PREVIEW_TIMEOUT_MS + 5_000,
          application_name: "steward-preview",
        });
        c.on("error", () => {});
        try {
          await c.connect();
          return c;
        } catch (err) {
          await c.end().catch(() => {});
          throw err;
        }
      });
      await client.query("BEGIN READ ONLY");
      const res = await client.query({ text: built.sql, values: built.params, rowMode: "array" });
      await client.query("ROLLBACK");
      return {
        kind: "rows",
        columns: res.fields.map((f) => f.name),
        rows: res.rows as unknown[][],
        sql: built.sql,
        userSql: built.userSql,
        warnings: built.warnings,
      };
    } catch (err) {
      const e = classifyError(err, t, database);
      return {
        kind: "failed",
        error: { code: e.code, errorClass: classifyPostgresError(e.code), message: `${database}: ${e.code}: ${e.message}` },
      };
    } finally {
      await client?.end().catch(() => {});
    }
  },
});

export const postgresPreview = pgFamilyPreview(grantsTarget);
