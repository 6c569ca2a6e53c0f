import { type Actor, AppError, forbidden, hasRole, notFound, type SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { type AccessLevel, type PolicyViewSpec, resolveDataPolicies } from "@steward/policy";
import { accessFor } from "../propagation/reconcile-connection";
import { candidateDataPolicies } from "./candidate-policies";
import { HASH_SALT_LABEL } from "./data-desired";
import { platformViewOf, requireDataViewer } from "./data-viewer";
import { loadDataPolicyInput } from "./load-data-policies";

export const DEFAULT_PREVIEW_ROWS = 20;

export type PreviewAsInput = {
  userId: string;
  dataSourceId: string;
  limit?: number | null;
  /** A not-yet-saved definition (typed form) to preview instead of / besides the stored policies. */
  definition?: unknown;
  /** The stored policy `definition` replaces (editing); omitted with a definition: a new policy. */
  policyId?: string | null;
};

export type DataPreviewResult = {
  sourceId: string;
  userId: string;
  /** The level the platform grants the user on the source; below READ nothing is read. */
  access: AccessLevel;
  /** Why there are no rows to show (no read access, no platform account); null when rows were read. */
  unavailable: string | null;
  accountName: string;
  /** The source's policy view as resolved (null: the source has no view; columns are then shown in clear). */
  spec: PolicyViewSpec | null;
  columns: { name: string; dataType: string }[];
  rows: (string | null)[][];
  sql: string;
  /** The statement the user runs with their own login to read the same rows; null for a draft (in no view yet) or no rows. */
  userSql: string | null;
  candidate: { id: string; name: string } | null;
};

/** A value as text for clients: null stays null, timestamps ISO, bytes hex, structures JSON. */
export function previewText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString("hex")}`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * "See as user U": the first rows of a source exactly as that user would read them through its
 * policy view, read on the platform by the adapter's preview port (read-only transaction, the
 * user's own profile row, the deployment's salt). A user without READ access on the platform, or
 * without a platform account, gets the reason and no rows. With `definition`, a governor previews an
 * unsaved policy (the builder's live preview) — validated as saving would, nothing written.
 */
export async function previewAs(
  deps: { db: Db; secretBox: SecretBox; adapterFor?: AdapterLookup },
  actor: Actor | null,
  input: PreviewAsInput,
  now = new Date(),
): Promise<DataPreviewResult> {
  const ids = await requireDataViewer(deps.db, actor, input.userId, input.dataSourceId);
  const drafting = input.definition !== undefined && input.definition !== null;
  // Drafts are authored by governors; others preview what is in force.
  if (drafting && !hasRole(actor!, "GOVERNOR")) throw forbidden("Previewing an unsaved data policy needs the GOVERNOR role");
  const source = await deps.db.dataSource.findUnique({
    where: { id: ids.dataSourceId },
    select: { id: true, connectionId: true, status: true, catalogNode: { select: { path: true, present: true } }, connection: true },
  });
  if (!source) throw notFound("Data source");
  const user = await deps.db.user.findUnique({ where: { id: ids.userId }, select: { id: true } });
  if (!user) throw notFound("User");

  const candidates = drafting
    ? await candidateDataPolicies(deps.db, { policyId: input.policyId, definition: input.definition }, now)
    : null;
  const facts = await loadDataPolicyInput(deps.db, {
    connectionId: source.connectionId,
    ...(candidates ? { policies: candidates.proposed } : {}),
  });
  const spec = resolveDataPolicies(facts).specs.get(source.id) ?? null;
  const candidate =
    candidates?.candidate && !candidates.current.some((p) => p.id === candidates.candidate!.id)
      ? { id: candidates.candidate.id, name: candidates.candidate.name }
      : null;
  const columns = spec
    ? spec.columns.map((c) => ({ name: c.name, dataType: c.dataType }))
    : (facts.sources.find((s) => s.id === source.id)?.columns ?? []).map((c) => ({ name: c.name, dataType: c.dataType }));
  const base = { sourceId: source.id, userId: user.id, spec, columns, candidate };

  const empty = (access: AccessLevel, accountName: string, unavailable: string): DataPreviewResult => ({
    ...base,
    access,
    unavailable,
    accountName,
    rows: [],
    sql: "",
    userSql: null,
  });
  if (source.status !== "ACTIVE" || !source.catalogNode.present || source.connection.deletedAt)
    return empty("NONE", "", "the data source is not active on its platform");
  const adapter = (deps.adapterFor ?? adapterFor)(source.connection.kind);
  if (!adapter.dataPreview || !adapter.capabilities.dataPolicies)
    throw new AppError("BAD_USER_INPUT", `${adapter.label} connections cannot preview data as a user`);
  const view = await platformViewOf(deps.db, user.id, source, now);
  if (view.kind === "noAccount") return empty("NONE", "", view.reason);
  if (view.level === "NONE")
    return empty(
      "NONE",
      view.accountName,
      "this user may not read the source (no subscription policy, approval or subscription gives READ)",
    );

  const connection = accessFor(deps, source.connection).connection;
  const limit = Math.max(1, Math.min(100, input.limit ?? DEFAULT_PREVIEW_ROWS));
  const result = await adapter.dataPreview.preview(connection, {
    sourceId: source.id,
    path: source.catalogNode.path,
    spec,
    profile: view.profile,
    hashSalt: deps.secretBox.derive(HASH_SALT_LABEL),
    limit,
  });
  if (result.kind === "failed") {
    // Platform errors name hosts and roles: the detail is for staff, others get its class.
    const staff = hasRole(actor!, "GOVERNOR") || hasRole(actor!, "ADMIN");
    const detail = staff ? result.error.message : `${result.error.errorClass.toLowerCase()} platform error`;
    return empty(view.level, view.accountName, `the platform could not run the preview: ${detail}`);
  }
  // Rows come back in the view's column order; keep the declared types by name.
  const typeOf = new Map(columns.map((c) => [c.name, c.dataType]));
  return {
    ...base,
    columns: result.columns.map((name) => ({ name, dataType: typeOf.get(name) ?? "" })),
    access: view.level,
    unavailable: null,
    accountName: view.accountName,
    rows: result.rows.map((r) => r.map(previewText)),
    sql: result.sql,
    // A draft is in no view yet: the user's own query would show what is in force, not these rows.
    userSql: drafting ? null : result.userSql,
  };
}
