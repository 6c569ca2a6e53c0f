import { fields } from "@steward/core";
import type { ClaimMapping } from "./settings";

export type Claims = Record<string, unknown>;

/** What one sign-in's claims say about the person, after the deployment's mapping. */
export type MappedClaims = {
  groups: string[];
  /** Every mapped key: an empty list means the claim is absent and the key is to be cleared. */
  attributes: { key: string; values: string[] }[];
  /** Claim values that could not be used (not strings, too long…), for the log. */
  skipped: string[];
};

/** Reads a claim by name, or by a dotted path into nested objects when no claim has that exact name. */
export function claimAt(claims: Claims, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function scalars(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function asText(value: unknown): string | null {
  if (typeof value === "string") return value.trim() || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

export function mapClaims(claims: Claims, mapping: ClaimMapping): MappedClaims {
  const skipped: string[] = [];
  const groups = new Set<string>();
  if (mapping.groups) {
    for (const raw of scalars(claimAt(claims, mapping.groups.claim))) {
      const text = asText(raw);
      const name = text === null ? null : (mapping.groups.rename[text] ?? text);
      const parsed = name === null ? null : fields.name.safeParse(name);
      if (parsed?.success) groups.add(parsed.data);
      else skipped.push(`${mapping.groups.claim}: ${JSON.stringify(raw)?.slice(0, 100)}`);
    }
  }
  const attributes = Object.entries(mapping.attributes).map(([key, path]) => {
    const values = new Set<string>();
    for (const raw of scalars(claimAt(claims, path))) {
      const text = asText(raw);
      const parsed = text === null ? null : fields.attributeValue.safeParse(text);
      if (parsed?.success) values.add(parsed.data);
      else skipped.push(`${path}: ${JSON.stringify(raw)?.slice(0, 100)}`);
    }
    return { key, values: [...values].sort().slice(0, 100) };
  });
  return { groups: [...groups].sort(), attributes, skipped };
}

/**
 * A Steward username from the first usable claim: lower-cased, an email's local part, characters
 * outside the username alphabet replaced by '-', a leading non-letter prefixed with 'u'. Null when
 * no claim gives anything.
 */
export function usernameFromClaims(claims: Claims, candidates: readonly string[]): string | null {
  for (const path of candidates) {
    const text = asText(claimAt(claims, path));
    if (!text) continue;
    let name = text.toLowerCase().split("@")[0] ?? "";
    name = name
      .normalize("NFKD")
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z]+/, (lead) => (lead ? `u${lead.replace(/[^a-z0-9]/g, "")}` : lead))
      .replace(/-+$/g, "")
      .slice(0, 55);
    if (fields.username.safeParse(name).success) return name;
  }
  return null;
}
