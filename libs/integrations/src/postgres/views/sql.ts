/**
 * The exact SQL of one source's policy view, pure: used by the reconciler, by plans ("the exact SQL
 * per connection") and by the preview (with its own profile env).
 */
import { createHash } from "node:crypto";
import type { PolicyViewSpec } from "@steward/policy";
import { compileViewSelect } from "../../sql/policy/compile";
import type { ProfileEnv } from "../../sql/policy/dialect";
import { qualified, quoteLiteral } from "../../sql/quote";
import { postgresDialect, VIEWS_SCHEMA } from "../policy-dialect";
import { policyViewName } from "./naming";

export type BaseTable = { schema: string; name: string };

export type PolicyViewSql = {
  /** Name of the view in `steward_views`. */
  viewName: string;
  /** Qualified, quoted. */
  view: string;
  select: string;
  /** The statements creating the view (the COMMENT with the definition hash follows at apply time). */
  create: string;
  /** Hash of everything the view is built from: a different hash means rebuild. */
  specHash: string;
  warnings: string[];
};

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function policyViewSql(spec: PolicyViewSpec, base: BaseTable, env?: ProfileEnv): PolicyViewSql {
  const viewName = policyViewName(base.schema, base.name);
  const view = qualified(VIEWS_SCHEMA, viewName);
  const { select, warnings } = compileViewSelect(spec, {
    dialect: postgresDialect,
    base: [base.schema, base.name],
    ...(env ? { env } : {}),
  });
  const [create] = postgresDialect.createView({ view, select, comment: "" });
  return { viewName, view, select, create: create!, specHash: sha256(`v1\0${view}\0${select}`), warnings };
}

/** What the view's COMMENT holds: which source, the spec hash, and the hash of `pg_get_viewdef` right after creation. */
export const COMMENT_PREFIX = "steward policy view v1";

export function viewComment(sourceId: string, specHash: string, defHash: string): string {
  return `${COMMENT_PREFIX} ${JSON.stringify({ source: sourceId, spec: specHash, def: defHash })}`;
}

export function parseViewComment(comment: string | null): { source: string; spec: string; def: string } | null {
  if (!comment?.startsWith(`${COMMENT_PREFIX} `)) return null;
  try {
    const v = JSON.parse(comment.slice(COMMENT_PREFIX.length + 1)) as Record<string, unknown>;
    return typeof v.source === "string" && typeof v.spec === "string" && typeof v.def === "string"
      ? { source: v.source, spec: v.spec, def: v.def }
      : null;
  } catch {
    return null;
  }
}

export const commentStatement = (view: string, comment: string) => `COMMENT ON VIEW ${view} IS ${quoteLiteral(comment)}`;
