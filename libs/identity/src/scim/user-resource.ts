import type { Prisma } from "@steward/db";
import { invalidValue } from "./errors";
import { type AttributeMapping, putAt, valueAt, valuesOf } from "./mapping";
import { isRecord, optionalString, parseActive, requireResourceBody, type ScimResource, withMeta } from "./resource";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./schemas";

/** Emails Steward stores when the IdP sent none: `.invalid` is reserved (RFC 2606), so it can never be delivered. */
export const PLACEHOLDER_EMAIL_DOMAIN = "scim.invalid";

export const SCIM_USER_INCLUDE = {
  attributes: { select: { key: true, value: true, createdAt: true } },
  memberships: { select: { createdAt: true, group: { select: { id: true, name: true } } } },
} satisfies Prisma.UserInclude;

export type ScimUserRow = Prisma.UserGetPayload<{ include: typeof SCIM_USER_INCLUDE }>;

/** What a SCIM User body asks Steward to hold. */
export type DesiredUser = {
  userName: string;
  externalId: string | null;
  displayName: string;
  email: string | null;
  active: boolean;
  /** Values per mapped Steward attribute key (empty = remove the attribute). */
  attributes: Map<string, string[]>;
};

function pickEmail(emails: unknown): string | null {
  if (emails === undefined || emails === null) return null;
  if (!Array.isArray(emails)) throw invalidValue("'emails' must be a list");
  const list = emails.filter(isRecord).filter((e) => typeof e.value === "string" && e.value.trim());
  if (list.length !== emails.length) throw invalidValue("every entry of 'emails' needs a string 'value'");
  const chosen =
    list.find((e) => e.primary === true || (typeof e.primary === "string" && e.primary.toLowerCase() === "true")) ??
    list.find((e) => typeof e.type === "string" && e.type.toLowerCase() === "work") ??
    list[0];
  return chosen ? String(chosen.value).trim() : null;
}

function displayNameOf(body: Record<string, unknown>, userName: string): string {
  const explicit = optionalString(body, "displayName", 200);
  if (explicit) return explicit;
  const name = body.name;
  if (isRecord(name)) {
    if (typeof name.formatted === "string" && name.formatted.trim()) return name.formatted.trim().slice(0, 200);
    const parts = [name.givenName, name.familyName].filter((p): p is string => typeof p === "string" && !!p.trim());
    if (parts.length) return parts.join(" ").slice(0, 200);
  }
  return userName.slice(0, 200);
}

/** Reads a User body (POST, PUT, or a PATCHed representation) into what Steward stores. */
export function parseUserBody(raw: unknown, mappings: AttributeMapping[]): DesiredUser {
  const body = requireResourceBody("User", raw);
  const userName = optionalString(body, "userName", 254);
  if (!userName) throw invalidValue("'userName' is required");
  let email = pickEmail(body.emails);
  if (!email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(userName)) email = userName;
  const attributes = new Map<string, string[]>();
  for (const m of mappings) attributes.set(m.attributeKey, valuesOf(valueAt(body, m.scimPath)));
  return {
    userName,
    externalId: optionalString(body, "externalId", 255),
    displayName: displayNameOf(body, userName),
    email,
    active: parseActive(body.active),
    attributes,
  };
}

export function userLocation(baseUrl: string, id: string) {
  return `${baseUrl}/Users/${id}`;
}

/** The SCIM representation of a provisioned user: what Steward stores, mapped attributes at their SCIM paths. */
export function toScimUser(row: ScimUserRow, mappings: AttributeMapping[], baseUrl: string): ScimResource {
  const resource: ScimResource = {
    schemas: [USER_SCHEMA],
    id: row.id,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    userName: row.scimUserName ?? row.username,
    displayName: row.displayName,
    active: row.status === "ACTIVE",
    emails: row.email.endsWith(`@${PLACEHOLDER_EMAIL_DOMAIN}`) ? [] : [{ value: row.email, type: "work", primary: true }],
    groups: row.memberships
      .map((m) => ({ value: m.group.id, display: m.group.name, $ref: `${baseUrl}/Groups/${m.group.id}` }))
      .sort((x, y) => x.value.localeCompare(y.value)),
  };
  const byKey = new Map<string, string[]>();
  for (const a of row.attributes) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a.value]);
  for (const m of mappings) putAt(resource, m.scimPath, (byKey.get(m.attributeKey) ?? []).sort());
  const extensions = Object.keys(resource).filter((k) => k.startsWith("urn:"));
  resource.schemas = [
    USER_SCHEMA,
    ...extensions.sort((x, y) => (x === ENTERPRISE_SCHEMA ? -1 : y === ENTERPRISE_SCHEMA ? 1 : x.localeCompare(y))),
  ];
  const times = [row.updatedAt, ...row.attributes.map((a) => a.createdAt), ...row.memberships.map((m) => m.createdAt)];
  const lastModified = new Date(Math.max(...times.map((t) => t.getTime())));
  return withMeta(resource, "User", userLocation(baseUrl, row.id), row.createdAt, lastModified);
}
