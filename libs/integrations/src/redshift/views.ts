/**
 * Policy views: one per governed source, in the connection's view schema, always late-binding
 * (`WITH NO SCHEMA BINDING`: the base table can be dropped and recreated under it, and Spectrum
 * tables need it), every reference schema-qualified as late binding requires. Each view joins
 * `steward_system.user_profile` — zero rows for anyone without a profile row — and keeps only rows
 * for callers whose `sources` hold the source id. Redshift has no `security_barrier` option; its
 * views cannot be given user-defined functions by the caller that run before the WHERE, and the
 * profile join is an inner join, so nothing is needed in its place.
 */
import { createHash } from "node:crypto";
import type { PolicyViewSpec } from "@steward/policy";
import { SYSTEM_SCHEMA } from "./config";
import { encodeElement } from "./profile";
import { REDSHIFT_MAX_IDENTIFIER_BYTES, foldIdent, rsIdent, rsLiteral, rsQualified } from "./sql";
import { USER_PROFILE_VIEW } from "./system";

export const LATE_BINDING = "WITH NO SCHEMA BINDING";
export const SOURCE_ALIAS = "stw_src";
export const PROFILE_ALIAS = "stw_p";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Cut `s` to at most `bytes` UTF-8 bytes without splitting a character. */
function truncateBytes(s: string, bytes: number): string {
  let out = "";
  for (const ch of s) {
    if (Buffer.byteLength(out + ch, "utf8") > bytes) break;
    out += ch;
  }
  return out;
}

const PLAIN_SCHEMA = /^[a-z][a-z0-9$]*(_[a-z0-9$]+)*$/;

/**
 * `<schema>__<table>` when that is unambiguous (a schema without `__`, not ending in `_`, lower
 * case, so the first `__` is always the separator) and fits 127 bytes; otherwise `_<hash>_<table
 * prefix>` — no plain name starts with `_`, so the two forms never collide. Depends on the source's
 * own path only: registering another source never renames an existing view.
 */
export function viewNameFor(schema: string, table: string): string {
  const plain = `${schema}__${table}`;
  if (PLAIN_SCHEMA.test(schema) && table === foldIdent(table) && Buffer.byteLength(plain, "utf8") <= REDSHIFT_MAX_IDENTIFIER_BYTES) return plain;
  const hash = sha256(`${schema}\u0000${table}`).slice(0, 16);
  return `_${hash}_${truncateBytes(foldIdent(table), REDSHIFT_MAX_IDENTIFIER_BYTES - hash.length - 2)}`;
}

export type ViewSource = { sourceId: string; schema: string; table: string };

/** `,<id>,` is in the caller's `sources`: the subscription check every policy view carries. */
export function subscribedSql(sourceId: string): string {
  return `STRPOS(${PROFILE_ALIAS}.${rsIdent("sources")}, ${rsLiteral(`,${encodeElement(sourceId)},`)}) > 0`;
}

export const fromClause = (s: ViewSource) =>
  `FROM ${rsQualified(s.schema, s.table)} AS ${SOURCE_ALIAS} CROSS JOIN ${rsQualified(SYSTEM_SCHEMA, USER_PROFILE_VIEW)} AS ${PROFILE_ALIAS}`;

/** A source without data policies: every column as it is, for subscribed callers only. */
export function passthroughSelect(s: ViewSource): string {
  return `SELECT ${SOURCE_ALIAS}.* ${fromClause(s)} WHERE ${subscribedSql(s.sourceId)}`;
}

/** Renders the SELECT of a source that has a data-policy spec (policy-dialect.ts). */
export type SpecRenderer = (s: ViewSource, spec: PolicyViewSpec) => string;

export type DesiredView = ViewSource & { viewName: string; ddl: string; ddlHash: string };

export function desiredView(viewSchema: string, s: ViewSource, select: string): DesiredView {
  const viewName = viewNameFor(s.schema, s.table);
  const ddl = `CREATE VIEW ${rsQualified(viewSchema, viewName)} AS ${select} ${LATE_BINDING}`;
  return { ...s, viewName, ddl, ddlHash: sha256(ddl) };
}
