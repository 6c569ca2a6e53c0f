import { createHash } from "node:crypto";
import { invalidSyntax, invalidValue } from "./errors";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, type ResourceKind, USER_SCHEMA } from "./schemas";

export type ScimResource = Record<string, unknown> & { schemas: string[]; id?: string; meta?: Record<string, unknown> };

/** A weak ETag over the representation (meta aside): it changes whenever anything the IdP can see changes. */
export function etagOf(resource: Record<string, unknown>): string {
  const { meta: _meta, ...rest } = resource;
  return `W/"${createHash("sha256").update(stableJson(rest)).digest("hex").slice(0, 20)}"`;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export function withMeta(resource: ScimResource, kind: ResourceKind, location: string, created: Date, lastModified: Date): ScimResource {
  return {
    ...resource,
    meta: {
      resourceType: kind,
      created: created.toISOString(),
      lastModified: lastModified.toISOString(),
      location,
      version: etagOf(resource),
    },
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks the body is a JSON object declaring the resource's core schema; other `schemas` entries must be
 * extension URNs (their data is ignored unless mapped).
 */
export function requireResourceBody(kind: ResourceKind, body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw invalidSyntax("The request body must be a JSON object");
  const core = kind === "User" ? USER_SCHEMA : GROUP_SCHEMA;
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string"))
    throw invalidSyntax("'schemas' must be a list of schema URNs");
  if (!schemas.some((s) => s.toLowerCase() === core.toLowerCase())) throw invalidValue(`'schemas' must include ${core}`);
  for (const s of schemas as string[]) {
    const known = s.toLowerCase() === core.toLowerCase() || (kind === "User" && s.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase());
    if (!known && !/^urn:[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*$/.test(s)) throw invalidValue(`Unknown schema '${s.slice(0, 200)}'`);
    if (!known && !/:extension:/i.test(s))
      throw invalidValue(`Unknown schema '${s.slice(0, 200)}' (only the ${kind} schema and extensions)`);
  }
  return body;
}

export function optionalString(body: Record<string, unknown>, name: string, max: number): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw invalidValue(`'${name}' must be a string`);
  const t = v.trim();
  if (t.length > max) throw invalidValue(`'${name}' must be at most ${max} characters`);
  return t || null;
}

/** `active` as IdPs send it: a JSON boolean, or Entra ID's "True"/"False" strings. */
export function parseActive(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
  throw invalidValue("'active' must be true or false");
}
