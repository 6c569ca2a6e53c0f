import { AppError, badInput, type FieldIssue } from "@steward/core";
import type { Db, Tx } from "@steward/db";
import {
  type DataPolicyDefinition,
  type DataPolicyIssue as EngineIssue,
  fromTypedDataPolicyDefinition,
  validateDataPolicy,
} from "@steward/policy";
import { loadDataPolicyInput } from "./load-data-policies";

export type { DataPolicyDefinition };

/** The engine's issues plus the API's own reference checks (EMPTY_SCOPE, UNKNOWN_CONNECTION). */
export type DataPolicyIssue = Omit<EngineIssue, "code"> & { code: EngineIssue["code"] | "EMPTY_SCOPE" | "UNKNOWN_CONNECTION" };

/** The engine reports paths under `definition.`; the API's caller sent them under `input.definition.`. */
const ENGINE_ROOT = "definition";
const API_ROOT = "input.definition";

/**
 * Parses and validates a definition against the catalog and identities, with the engine's
 * `validateDataPolicy` (schema, regexes, custom WHEREs, columns and types of listed sources, groups,
 * purposes, attribute keys) plus what only the metadata DB knows: a listed source or a connection
 * that does not exist is an error (nothing would ever be governed), a scope matching nothing yet a
 * warning. `typed`: the GraphQL `@oneOf` form; error paths name the caller's fields either way.
 */
export async function validateDataPolicyDefinition(
  db: Db | Tx,
  input: unknown,
  typed: boolean,
): Promise<{ definition: DataPolicyDefinition; warnings: DataPolicyIssue[] }> {
  const converted = typed
    ? fromTypedDataPolicyDefinition(input, API_ROOT)
    : { definition: input, typedPath: (p: string) => `${API_ROOT}.${p}` };
  const toCaller = (path: string) => converted.typedPath(path === ENGINE_ROOT ? "" : path.replace(/^definition\./, "")).replace(/\.$/, "");
  const [facts, keys, groups, purposes, connections] = await Promise.all([
    loadDataPolicyInput(db),
    db.userAttribute.findMany({ distinct: ["key"], select: { key: true } }),
    db.group.findMany({ select: { id: true } }),
    db.purpose.findMany({ where: { deletedAt: null }, select: { id: true } }),
    db.connection.findMany({ where: { deletedAt: null }, select: { id: true } }),
  ]);
  let checked: ReturnType<typeof validateDataPolicy>;
  try {
    checked = validateDataPolicy(converted.definition, {
      sources: facts.sources,
      attributeKeys: keys.map((k) => k.key),
      groupIds: groups.map((g) => g.id),
      purposeIds: purposes.map((p) => p.id),
    });
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "BAD_USER_INPUT") throw err;
    const fields = err.fields.map((f) => ({ ...f, path: toCaller(f.path) }));
    throw badInput(`Invalid data policy: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`, fields);
  }
  const { definition } = checked;
  const errors: FieldIssue[] = [];
  const warnings: DataPolicyIssue[] = checked.warnings
    .filter((w) => w.code !== "UNKNOWN_SOURCE")
    .map((w) => ({ ...w, path: toCaller(w.path) }));
  const scope = definition.scope;
  if (scope.kind === "sources") {
    // Disabled or gone sources are not in `facts`; any stored source id still counts as known.
    const known = new Set(
      (await db.dataSource.findMany({ where: { id: { in: [...scope.sourceIds] } }, select: { id: true } })).map((s) => s.id),
    );
    scope.sourceIds.forEach((id, i) => {
      if (!known.has(id))
        errors.push({ path: toCaller(`definition.scope.sourceIds.${i}`), message: "UNKNOWN_SOURCE: no such data source" });
    });
  }
  if ((scope.kind === "connection" || scope.kind === "schema") && !connections.some((c) => c.id === scope.connectionId))
    errors.push({ path: toCaller("definition.scope.connectionId"), message: "UNKNOWN_CONNECTION: no such connection" });
  if (errors.length > 0) throw badInput(`Invalid data policy: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, errors);
  return { definition, warnings };
}
