import type { Role } from "@/gql/graphql";

/** What a viewer may use in the UI. The API enforces the same rules; the UI only hides and explains. */
export type Capability =
  | "users.read"
  | "users.manage"
  | "audit.read"
  | "queryAudit.read"
  | "webhooks.manage"
  | "scim.manage"
  | "connections.manage"
  | "dataSources.manage"
  | "policies.author"
  | "policies.write"
  | "access.explainAnyone"
  | "requests.use"
  | "purposes.read"
  | "purposes.write"
  | "projects.use"
  | "settings.own";

const RULES: Record<Capability, readonly Role[] | "everyone"> = {
  "users.read": ["ADMIN", "GOVERNOR"],
  "users.manage": ["ADMIN"],
  "audit.read": ["ADMIN", "GOVERNOR"],
  // The API also lets data owners read their own connections' decisions; the page is for staff.
  "queryAudit.read": ["ADMIN", "GOVERNOR"],
  "webhooks.manage": ["ADMIN"],
  // SCIM keys and the SCIM attribute mapping.
  "scim.manage": ["ADMIN"],
  "connections.manage": ["ADMIN"],
  // Data owners see the connections they own; governors may tag anything and see everything.
  "dataSources.manage": ["ADMIN", "GOVERNOR", "DATA_OWNER"],
  "policies.author": ["ADMIN", "GOVERNOR"],
  // Admins read policies; only governors write them.
  "policies.write": ["GOVERNOR"],
  "access.explainAnyone": ["ADMIN", "GOVERNOR"],
  "requests.use": "everyone",
  // Everyone may read purposes (to bind projects to them); only governors define them.
  "purposes.read": "everyone",
  "purposes.write": ["GOVERNOR"],
  "projects.use": "everyone",
  "settings.own": "everyone",
};

export function can(roles: readonly Role[], capability: Capability): boolean {
  const rule = RULES[capability];
  return rule === "everyone" || rule.some((r) => roles.includes(r));
}

export const ALL_ROLES: readonly Role[] = ["ADMIN", "GOVERNOR", "DATA_OWNER"];

export const ROLE_LABELS: Record<Role, string> = {
  ADMIN: "Admin",
  GOVERNOR: "Governor",
  DATA_OWNER: "Data owner",
};

export const ROLE_COLORS: Record<Role, string> = {
  ADMIN: "red",
  GOVERNOR: "purple",
  DATA_OWNER: "blue",
};
