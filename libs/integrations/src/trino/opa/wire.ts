/**
 * Trino's `opa` access-control wire protocol (shared/reference/integrations.md §1.3–1.5): what Trino
 * POSTs to each endpoint and the exact bodies it accepts back.
 *
 * Validation follows the reference's guidance for version drift: only `identity.user`,
 * `identity.groups`, `softwareStack.trinoVersion`, `action.operation` and the resource shapes are
 * checked; every other field (queryId variants, extraCredentials, principal, requestHeaders, context
 * properties…) is accepted and ignored. zod objects strip unknown keys, which is exactly "ignore".
 */
import { z } from "zod";

/** Above this Steward answers 400: no real Trino batch is that large, and parsing it costs the service. */
export const MAX_FILTER_RESOURCES = 100_000;

const name = z.string();
const properties = z.record(z.string(), z.unknown());

export const CatalogRef = z.object({ name });
export const SchemaRef = z.object({ catalogName: name, schemaName: name, properties: properties.optional() });
export const TableRef = z.object({
  catalogName: name,
  schemaName: name,
  tableName: name,
  columns: z.array(name).optional(),
  properties: properties.optional(),
});
export const ColumnRef = z.object({ catalogName: name, schemaName: name, tableName: name, columnName: name, columnType: name });
/** `catalogName`/`schemaName` are absent for a table procedure (`{"functionName": "optimize"}`). */
export const FunctionRef = z.object({ catalogName: name.optional(), schemaName: name.optional(), functionName: name });
/** ImpersonateUser sends `{user}`; the query-owner checks send the owner's identity `{user, groups}`. */
export const UserRef = z.object({ user: name, groups: z.array(name).optional() });

export const Resource = z.object({
  user: UserRef.optional(),
  systemSessionProperty: z.object({ name }).optional(),
  catalogSessionProperty: z.object({ catalogName: name, propertyName: name }).optional(),
  function: FunctionRef.optional(),
  catalog: CatalogRef.optional(),
  schema: SchemaRef.optional(),
  table: TableRef.optional(),
  column: ColumnRef.optional(),
  /** Seen in some versions; never decided on. */
  security: z.unknown().optional(),
});
export type Resource = z.infer<typeof Resource>;
export type TableRef = z.infer<typeof TableRef>;
export type ColumnRef = z.infer<typeof ColumnRef>;

export const Action = z.object({
  operation: z.string().min(1).max(200),
  resource: Resource.optional(),
  filterResources: z.array(Resource).max(MAX_FILTER_RESOURCES).optional(),
  targetResource: Resource.optional(),
  grantee: z.object({ type: name, name }).optional(),
});
export type Action = z.infer<typeof Action>;

export const Identity = z.object({ user: name, groups: z.array(name) });

export const OpaInput = z.object({
  context: z.object({
    identity: Identity,
    softwareStack: z.object({ trinoVersion: name }).optional(),
    // Newer versions only; may be absent or null (identity-only checks).
    queryId: z.string().nullish(),
  }),
  action: Action,
});
export type OpaInput = z.infer<typeof OpaInput>;

export type ParsedRequest = { ok: true; input: OpaInput } | { ok: false; message: string };

/**
 * Parses one request body (already-parsed JSON, or the raw text/bytes). Never throws. The size
 * limit is checked before zod so a hostile batch costs a length read, not a full parse.
 */
export function parseOpaRequest(body: unknown): ParsedRequest {
  let value = body;
  if (typeof value === "string" || value instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof value === "string" ? value : new TextDecoder().decode(value));
    } catch {
      return { ok: false, message: "request body is not valid JSON" };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, message: "request body must be a JSON object" };
  if (!("input" in value)) return { ok: false, message: 'request body has no "input" (expected {"input": {"context": …, "action": …}})' };
  const input = (value as { input: unknown }).input;
  const filterResources = (input as { action?: { filterResources?: unknown } } | null)?.action?.filterResources;
  if (Array.isArray(filterResources) && filterResources.length > MAX_FILTER_RESOURCES) {
    return { ok: false, message: `too many filterResources: ${filterResources.length} (at most ${MAX_FILTER_RESOURCES})` };
  }
  const parsed = OpaInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue ? ["input", ...issue.path].join(".") : "input";
    return { ok: false, message: `malformed request at ${at}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, input: parsed.data };
}

// ---------------------------------------------------------------------------------------------------
// Responses (§1.5). OPA's Data API shape: `{"result": …}`; Trino ignores every other field.
// ---------------------------------------------------------------------------------------------------

/** A Trino SQL expression and, optionally, the user it is evaluated as. */
export type ViewExpression = { expression: string; identity?: string };

export const allowResponse = (allowed: boolean) => ({ result: allowed });

/** Indexes into `filterResources`, ascending; `[]` = none allowed. */
export const batchResponse = (indexes: readonly number[]) => ({ result: [...indexes] });

/** Every filter is applied (AND); `[]` = no filter. */
export const rowFiltersResponse = (filters: readonly ViewExpression[]) => ({ result: filters.map(viewExpression) });

/** One mask or none (`{"result": null}`). */
export const columnMaskResponse = (mask: ViewExpression | null) => ({ result: mask === null ? null : viewExpression(mask) });

/** Only masked columns are listed; `{"result": []}` when nothing is masked. */
export const batchColumnMasksResponse = (masks: readonly { index: number; mask: ViewExpression }[]) => ({
  result: masks.map((m) => ({ index: m.index, viewExpression: viewExpression(m.mask) })),
});

/** Body of a 4xx/5xx: Trino reports only the status, but its debug log and people read the message. */
export const errorResponse = (message: string) => ({ error: message });

const viewExpression = (v: ViewExpression): ViewExpression =>
  v.identity === undefined ? { expression: v.expression } : { expression: v.expression, identity: v.identity };
