/** Decision records for the query audit, and the 400 answer (both shared by every endpoint). */
import type { DecisionAnswer, DecisionRecordDraft } from "../../decisions";
import type { Principal } from "./index";
import { errorResponse, type OpaInput, type Resource } from "./wire";

const RESOURCE_CHARS = 300;

export function badRequest(message: string, input: OpaInput | null): DecisionAnswer {
  const records: DecisionRecordDraft[] = input
    ? [
        {
          user: input.context.identity.user,
          userId: null,
          operation: input.action.operation,
          resource: "",
          allowed: false,
          reason: `bad request: ${message}`,
          policyIds: [],
          queryId: input.context.queryId ?? null,
        },
      ]
    : [];
  return { status: 400, body: errorResponse(message), records };
}

/** One record for the query audit. */
export function record(
  input: OpaInput,
  p: Principal | null,
  allowed: boolean,
  reason: string,
  policyIds: string[],
  resourceOverride?: string,
): DecisionRecordDraft {
  const action = input.action;
  const resource =
    resourceOverride ?? describeResource(action.resource) + (action.targetResource ? ` → ${describeResource(action.targetResource)}` : "");
  return {
    user: input.context.identity.user,
    userId: p?.userId ?? null,
    operation: action.operation,
    resource: cap(resource, RESOURCE_CHARS),
    allowed,
    reason: cap(reason, 2_000),
    policyIds,
    queryId: input.context.queryId ?? null,
  };
}

/** `catalog.schema.table(col1, col2)` and the like. */
export function describeResource(r: Resource | undefined): string {
  if (r === undefined) return "";
  if (r.column) return `${r.column.catalogName}.${r.column.schemaName}.${r.column.tableName}.${r.column.columnName}`;
  if (r.table) {
    const t = r.table;
    const cols = t.columns ? `(${cap(t.columns.join(", "), 200)})` : "";
    const fn = r.function ? ` procedure ${r.function.functionName}` : "";
    return `${t.catalogName}.${t.schemaName}.${t.tableName}${cols}${fn}`;
  }
  if (r.schema) return `${r.schema.catalogName}.${r.schema.schemaName}`;
  if (r.catalog) return r.catalog.name;
  if (r.function) return [r.function.catalogName, r.function.schemaName, r.function.functionName].filter((x) => x !== undefined).join(".");
  if (r.user) return `user ${r.user.user}`;
  if (r.systemSessionProperty) return `session property ${r.systemSessionProperty.name}`;
  if (r.catalogSessionProperty) return `session property ${r.catalogSessionProperty.catalogName}.${r.catalogSessionProperty.propertyName}`;
  return "";
}

const cap = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
