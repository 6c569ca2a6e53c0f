import { type Actor, badInput, fields, parseInput } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { USER_SCHEMA } from "./schemas";

export type AttributeMapping = { scimPath: string; attributeKey: string };

/** Core attributes Steward stores in its own columns: they cannot also feed an attribute. */
const RESERVED = new Set(["id", "externalid", "meta", "schemas", "username", "displayname", "emails", "active", "groups", "password"]);
const PATH = /^(urn:[A-Za-z0-9._-]+(?::[A-Za-z0-9._-]+)*:)?[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)?$/;

/** A SCIM attribute path split into the extension URN (null for the core schema) and attribute names. */
export type SplitPath = { urn: string | null; names: string[] };

export function splitPath(path: string): SplitPath {
  if (path.toLowerCase().startsWith("urn:")) {
    const cut = path.lastIndexOf(":");
    const urn = path.slice(0, cut);
    const names = path.slice(cut + 1).split(".");
    return { urn: urn.toLowerCase() === USER_SCHEMA.toLowerCase() ? null : urn, names };
  }
  return { urn: null, names: path.split(".") };
}

const MappingInput = z.object({
  mappings: z
    .array(
      z.object({
        scimPath: z.string().trim().min(1).max(300).regex(PATH, "must be a SCIM attribute path such as 'title' or 'urn:…:User:department'"),
        attributeKey: fields.attributeKey,
      }),
    )
    .max(100),
});

export async function listScimAttributeMappings(deps: IdentityDeps, actor: Actor | null): Promise<AttributeMapping[]> {
  requireRole(actor, "ADMIN");
  return loadMappings(deps.db);
}

export async function loadMappings(db: Tx): Promise<AttributeMapping[]> {
  return db.scimAttributeMapping.findMany({ orderBy: { scimPath: "asc" }, select: { scimPath: true, attributeKey: true } });
}

/**
 * Replaces the whole mapping. Applies to SCIM writes from then on; users already provisioned pick it up
 * at the IdP's next update of them.
 */
export async function setScimAttributeMappings(deps: IdentityDeps, actor: Actor | null, input: unknown): Promise<AttributeMapping[]> {
  const a = requireRole(actor, "ADMIN");
  const { mappings } = parseInput(MappingInput, input);
  const seenPaths = new Set<string>();
  const seenKeys = new Set<string>();
  mappings.forEach((m, i) => {
    const { urn, names } = splitPath(m.scimPath);
    if (urn === null && RESERVED.has(names[0]!.toLowerCase()))
      throw badInput(`'${m.scimPath}' is stored by Steward itself and cannot feed an attribute`, [
        { path: `mappings.${i}.scimPath`, message: "reserved" },
      ]);
    if (seenPaths.has(m.scimPath.toLowerCase()))
      throw badInput(`'${m.scimPath}' is mapped twice`, [{ path: `mappings.${i}.scimPath`, message: "duplicate" }]);
    if (seenKeys.has(m.attributeKey))
      throw badInput(`Attribute '${m.attributeKey}' is fed twice`, [{ path: `mappings.${i}.attributeKey`, message: "duplicate" }]);
    seenPaths.add(m.scimPath.toLowerCase());
    seenKeys.add(m.attributeKey);
  });
  return transaction(deps.db, async (tx) => {
    const before = await loadMappings(tx);
    await tx.scimAttributeMapping.deleteMany({});
    await tx.scimAttributeMapping.createMany({ data: mappings });
    await recordAudit(tx, a, {
      action: "scim.mapping.changed",
      targetType: "ScimAttributeMapping",
      targetId: "scim",
      before: { mappings: before },
      after: { mappings },
    });
    return loadMappings(tx);
  });
}

function childKey(obj: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a SCIM path in a resource body (names match case-insensitively, as SCIM says). */
export function valueAt(resource: Record<string, unknown>, path: string): unknown {
  const { urn, names } = splitPath(path);
  let node: unknown = resource;
  if (urn !== null) {
    const key = childKey(resource, urn);
    node = key === undefined ? undefined : resource[key];
  }
  for (const name of names) {
    if (!isRecord(node)) return undefined;
    const key = childKey(node, name);
    node = key === undefined ? undefined : node[key];
  }
  return node;
}

/** Attribute values a SCIM value stands for: strings as they are, numbers/booleans as text, `{value}` objects by value. */
export function valuesOf(value: unknown): string[] {
  const one = (v: unknown): string[] => {
    if (typeof v === "string") return v.trim() ? [v.trim()] : [];
    if (typeof v === "number" || typeof v === "boolean") return [String(v)];
    if (isRecord(v) && "value" in v) return one(v.value);
    return [];
  };
  return [...new Set(Array.isArray(value) ? value.flatMap(one) : one(value))].sort();
}

/** Writes attribute values back at their SCIM path (one value as a string, several as a list). */
export function putAt(resource: Record<string, unknown>, path: string, values: string[]): void {
  if (!values.length) return;
  const { urn, names } = splitPath(path);
  const child = (parent: Record<string, unknown>, key: string): Record<string, unknown> => {
    const existing = parent[key];
    if (isRecord(existing)) return existing;
    const made: Record<string, unknown> = {};
    parent[key] = made;
    return made;
  };
  let node = urn === null ? resource : child(resource, urn);
  for (const name of names.slice(0, -1)) node = child(node, name);
  node[names[names.length - 1]!] = values.length === 1 ? values[0] : values;
}
