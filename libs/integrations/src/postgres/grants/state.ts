import { assertNever } from "@steward/core";
import type { GrantTarget, Privilege } from "./types";

/** One grantee's privileges on one target, as read from an ACL (owner and PUBLIC entries excluded). */
export type Grant = { target: GrantTarget; role: string; privileges: Privilege[] };
export type Membership = { role: string; member: string };

/**
 * What the catalogs say, reduced to what the planner needs. Read by catalog.ts; built by hand in
 * the planner's unit tests.
 */
export type ActualState = {
  /** `stw_<scope>_`: the managed roles of this (connection, database). */
  prefix: string;
  /**
   * Roles that exist among the desired users and every role whose name starts with `prefix`;
   * `managed` = it also carries the marker comment. Prefixed roles without the marker are never
   * touched, but their names are never reused either.
   */
  roles: Map<string, { managed: boolean }>;
  /** relkind of each desired object found by `to_regclass`; a missing id = dropped object. */
  objectKinds: Map<string, string>;
  /** Privileges held by managed roles anywhere in this database. */
  grants: Grant[];
  /** Members of managed roles (members can be any role). */
  memberships: Membership[];
  /**
   * Privileges on desired objects held by anyone but the owner, the reconciling role and managed
   * roles (never Steward's doing); `public` marks the PUBLIC pseudo-role.
   */
  directGrants: { objectId: string; grantee: string; public?: true; privileges: Privilege[] }[];
  /**
   * LOGIN flag of roles Steward created for this connection's users (at least those whose flag is
   * wrong); absent in hand-built states.
   */
  userLogins?: Map<string, boolean>;
};

/** A stable map key for a grant target (names may contain any character, so JSON, not joins). */
export function targetKey(t: GrantTarget): string {
  switch (t.kind) {
    case "relation":
      return JSON.stringify(["r", t.schema, t.name]);
    case "schema":
      return JSON.stringify(["n", t.name]);
    case "database":
      return JSON.stringify(["d", t.name]);
    default:
      return assertNever(t, "grant target");
  }
}

export const relationKey = (schema: string, name: string) => targetKey({ kind: "relation", schema, name });

export function emptyActualState(prefix: string): ActualState {
  return { prefix, roles: new Map(), objectKinds: new Map(), grants: [], memberships: [], directGrants: [] };
}

/** The value under `key`, created by `init` on first use. */
export function getOrInit<K, V>(map: Map<K, V>, key: K, init: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = init();
    map.set(key, value);
  }
  return value;
}
