/**
 * Policy views: one per governed source, in the connection's view schema, always late-binding
 * (`WITH NO SCHEMA BINDING`: the base table can be dropped and recreated under it, and Spectrum
 * tables need it), every reference schema-qualified as late binding requires. A source with a data
 * policy spec compiles through the shared compiler and the Redshift dialect; one without gets every
 * column as it is. Either way the view keeps only rows for callers whose profile lists the source
 * (`sources`), and a caller without a profile row sees nothing.
 */
import { createHash } from "node:crypto";
import type { PolicyViewSpec } from "@steward/policy";
import { compileViewSelect, SOURCE_ALIAS } from "../sql/policy/compile";
import { redshiftDialect } from "./policy-dialect";
import { foldIdent, REDSHIFT_MAX_IDENTIFIER_BYTES, rsIdent, rsQualified } from "./sql";

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
 * case, so the first `__` is always the separator; a table already lower case) and fits 127 bytes;
 * otherwise `_<hash>_<table prefix>` — no plain name starts with `_`, so the two forms never collide.
 * Depends on the source's own path only: registering another source never renames an existing view.
 */
export function viewNameFor(schema: string, table: string): string {
  const plain = `${schema}__${table}`;
  if (PLAIN_SCHEMA.test(schema) && table === foldIdent(table) && Buffer.byteLength(plain, "utf8") <= REDSHIFT_MAX_IDENTIFIER_BYTES)
    return plain;
  const hash = sha256(`${schema}\u0000${table}`).slice(0, 16);
  return `_${hash}_${truncateBytes(foldIdent(table), REDSHIFT_MAX_IDENTIFIER_BYTES - hash.length - 2)}`;
}

export type ViewSource = { sourceId: string; schema: string; table: string };

/** A source without data policies: every column as it is, for subscribed callers only. */
export function passthroughSelect(s: ViewSource): string {
  const d = redshiftDialect;
  const guard = d.inProfileSet(d.literal({ k: "text", value: s.sourceId }), { k: "sources" }, d.systemEnv());
  return `SELECT ${rsIdent(SOURCE_ALIAS)}.*\nFROM ${rsQualified(s.schema, s.table)} AS ${rsIdent(SOURCE_ALIAS)}\nWHERE ${guard}`;
}

export type DesiredView = ViewSource & { viewName: string; ddl: string; ddlHash: string; warnings: string[] };

export function desiredView(viewSchema: string, s: ViewSource, spec: PolicyViewSpec | undefined): DesiredView {
  const viewName = viewNameFor(s.schema, s.table);
  const compiled = spec
    ? compileViewSelect(spec, { dialect: redshiftDialect, base: [s.schema, s.table] })
    : { select: passthroughSelect(s), warnings: [] };
  const [ddl] = redshiftDialect.createView({ view: rsQualified(viewSchema, viewName), select: compiled.select, comment: "" });
  return { ...s, viewName, ddl: ddl!, ddlHash: sha256(ddl!), warnings: compiled.warnings };
}
