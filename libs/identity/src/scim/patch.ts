import { type ScimResource as LibResource, ScimError as PatchLibError, type ScimPatchOperation, scimPatch } from "scim-patch";
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, ScimError, type ScimType } from "./errors";
import { parseFilter } from "./filter";
import { isRecord, type ScimResource } from "./resource";
import {
  type AttributeDef,
  coreAttribute,
  ENTERPRISE_SCHEMA,
  enterpriseAttribute,
  GROUP_SCHEMA,
  MAX_PATCH_OPERATIONS,
  PATCH_SCHEMA,
  type ResourceKind,
  USER_SCHEMA,
} from "./schemas";

export type PatchOp = { op: "add" | "replace" | "remove"; path?: string; value?: unknown };

const READ_ONLY = new Set(["id", "meta", "schemas"]);
const PATH_SHAPE = /^(?<head>[^.[\]]+)(?:\[(?<filter>.+)\])?(?:\.(?<sub>[A-Za-z$][A-Za-z0-9_-]*))?$/;

function checkAttribute(kind: ResourceKind, def: AttributeDef | undefined, name: string, sub: string | undefined, path: string) {
  if (!def) throw invalidPath(`'${path}' names no attribute of the ${kind} schema`);
  if (def.mutability === "readOnly") throw mutability(`'${def.name}' is read-only`);
  if (sub !== undefined && !def.subAttributes?.some((s) => s.name.toLowerCase() === sub.toLowerCase()))
    throw invalidPath(`'${name}' has no sub-attribute '${sub}'`);
}

/**
 * Checks one PATCH path against the schemas Steward serves: unknown core or enterprise attributes are
 * `invalidPath`, read-only ones `mutability`. Other extension URNs pass (their data is ignored unless mapped).
 */
export function validatePath(kind: ResourceKind, path: string, currentId?: string, value?: unknown): void {
  const core = kind === "User" ? USER_SCHEMA : GROUP_SCHEMA;
  let rest = path.trim();
  let schema: "core" | "enterprise" | "other" = "core";
  const lower = rest.toLowerCase();
  if (lower.startsWith("urn:")) {
    if (lower.startsWith(`${core.toLowerCase()}:`)) rest = rest.slice(core.length + 1);
    else if (kind === "User" && lower === ENTERPRISE_SCHEMA.toLowerCase()) return;
    else if (kind === "User" && lower.startsWith(`${ENTERPRISE_SCHEMA.toLowerCase()}:`)) {
      rest = rest.slice(ENTERPRISE_SCHEMA.length + 1);
      schema = "enterprise";
    } else if (/^urn:[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*(\.[A-Za-z0-9_-]+)?$/.test(rest) && /:extension:/i.test(rest)) schema = "other";
    else throw invalidPath(`'${path}' names no schema Steward serves`);
  }
  if (schema === "other") return;
  const m = PATH_SHAPE.exec(rest);
  if (!m?.groups?.head) throw invalidPath(`'${path}' is not a valid attribute path`);
  const { head, filter, sub } = m.groups;
  if (filter !== undefined) {
    try {
      parseFilter(filter);
    } catch {
      throw invalidPath(`'${path}' has an invalid value filter`);
    }
  }
  if (schema === "enterprise") {
    checkAttribute(kind, enterpriseAttribute(head), head, sub, path);
    return;
  }
  if (head.toLowerCase() === "externalid" && filter === undefined && sub === undefined) return;
  if (READ_ONLY.has(head.toLowerCase())) {
    // Okta repeats the resource id in a no-path replace; the same id is no change.
    if (head.toLowerCase() === "id" && value !== undefined && value === currentId) return;
    throw mutability(`'${head}' is read-only`);
  }
  checkAttribute(kind, coreAttribute(kind, head), head, sub, path);
}

/**
 * Validates a PatchOp body and normalises what IdPs really send: Entra ID capitalises op names
 * ("Replace") — RFC 7644 §3.5.2 compares them case-insensitively.
 */
export function parsePatchBody(kind: ResourceKind, body: unknown, currentId: string): PatchOp[] {
  if (!isRecord(body)) throw invalidSyntax("The request body must be a JSON object");
  if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_SCHEMA)) throw invalidSyntax(`'schemas' must be ["${PATCH_SCHEMA}"]`);
  const ops = body.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax("'Operations' must be a non-empty list");
  if (ops.length > MAX_PATCH_OPERATIONS) throw invalidSyntax(`At most ${MAX_PATCH_OPERATIONS} operations per request`);
  return ops.map((raw, i): PatchOp => {
    if (!isRecord(raw) || typeof raw.op !== "string") throw invalidSyntax(`Operations[${i}] needs an 'op'`);
    const op = raw.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw invalidSyntax(`Operations[${i}].op '${raw.op.slice(0, 20)}' is not add, replace or remove`);
    if (raw.path !== undefined && (typeof raw.path !== "string" || !raw.path.trim()))
      throw invalidPath(`Operations[${i}].path must be a non-empty string`);
    const path = raw.path as string | undefined;
    if (op === "remove") {
      if (!path) throw noTarget(`Operations[${i}]: remove needs a path`);
      validatePath(kind, path);
      return { op, path, ...(raw.value !== undefined ? { value: raw.value } : {}) };
    }
    if (raw.value === undefined) throw invalidValue(`Operations[${i}]: ${op} needs a value`);
    if (path) validatePath(kind, path, currentId, raw.value);
    else {
      if (!isRecord(raw.value)) throw invalidValue(`Operations[${i}]: ${op} without a path needs an object value`);
      for (const [key, v] of Object.entries(raw.value)) validatePath(kind, key, currentId, v);
    }
    return { op, ...(path ? { path } : {}), value: raw.value };
  });
}

const SCIM_TYPES = new Set<ScimType>([
  "invalidFilter",
  "invalidSyntax",
  "invalidPath",
  "noTarget",
  "invalidValue",
  "mutability",
  "uniqueness",
]);

/** Applies operations to a representation with scim-patch (on a copy); its errors become SCIM errors. */
export function applyPatch(resource: ScimResource, ops: PatchOp[]): ScimResource {
  let current = structuredClone(resource);
  for (const op of ops) {
    try {
      current = scimPatch(current as unknown as LibResource, [op as ScimPatchOperation], {
        mutateDocument: false,
        treatMissingAsAdd: true,
      }) as unknown as ScimResource;
    } catch (err) {
      // Removing a member by filter from a group that has none (or none left) is no change, as Okta and Entra expect.
      if (op.op === "remove" && err instanceof PatchLibError && err.constructor.name === "FilterOnEmptyArray") continue;
      if (err instanceof PatchLibError) {
        const t = err.scimCode as ScimType | undefined;
        throw new ScimError(400, err.message, t && SCIM_TYPES.has(t) ? t : "invalidValue");
      }
      throw invalidValue(`The operation could not be applied: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return current;
}
