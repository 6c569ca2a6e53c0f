import { systemActor } from "@steward/core";
import type { Db } from "@steward/db";
import { createGroup, addGroupMember } from "./groups/group-commands";
import { createUser } from "./users/create-user";
import { setUserAttribute } from "./users/attributes";

export const DEMO_PASSWORD = "steward-demo";

type DemoUser = {
  username: string;
  displayName: string;
  roles: ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[];
  groups: string[];
  attributes: Record<string, string[]>;
};

const USERS: DemoUser[] = [
  { username: "admin", displayName: "Ada Admin", roles: ["ADMIN"], groups: [], attributes: {} },
  {
    username: "grace",
    displayName: "Grace Governor",
    roles: ["GOVERNOR"],
    groups: ["governance"],
    attributes: { department: ["governance"], region: ["EU", "US"] },
  },
  {
    username: "owen",
    displayName: "Owen Owner",
    roles: ["DATA_OWNER"],
    groups: ["data-engineering"],
    attributes: { department: ["engineering"], region: ["US"] },
  },
  {
    username: "alice",
    displayName: "Alice Analyst",
    roles: [],
    groups: ["analysts"],
    attributes: { department: ["marketing"], region: ["EU"], clearance: ["internal"] },
  },
  {
    username: "bob",
    displayName: "Bob Banker",
    roles: [],
    groups: ["finance"],
    attributes: { department: ["finance"], region: ["US"], clearance: ["confidential"] },
  },
  {
    username: "carol",
    displayName: "Carol People",
    roles: [],
    groups: ["hr"],
    attributes: { department: ["hr"], region: ["EU"], clearance: ["restricted"] },
  },
  {
    username: "dave",
    displayName: "Dave Data",
    roles: [],
    groups: ["analysts", "finance"],
    attributes: { department: ["finance"], region: ["EU", "APAC"] },
  },
];

const GROUPS: Record<string, string> = {
  governance: "Data governance office",
  "data-engineering": "Builds and owns the warehouse",
  analysts: "Marketing and product analysts",
  finance: "Finance and controlling",
  hr: "People team",
};

/**
 * Seeds the demo organisation when the database has no users yet. Goes through the same use-cases as
 * the API, so the demo has the audit trail and outbox events a real setup would have.
 */
export async function seedDemoIfEmpty(db: Db): Promise<{ seeded: boolean; logins: { username: string; roles: string[] }[] }> {
  if ((await db.user.count()) > 0) return { seeded: false, logins: [] };
  const deps = { db };
  const actor = systemActor("demo-seed");
  const groupIds = new Map<string, string>();
  for (const [name, description] of Object.entries(GROUPS)) {
    groupIds.set(name, (await createGroup(deps, actor, { name, description })).id);
  }
  for (const u of USERS) {
    const user = await createUser(deps, actor, {
      username: u.username,
      displayName: u.displayName,
      email: `${u.username}@example.com`,
      password: DEMO_PASSWORD,
      roles: u.roles,
    });
    for (const g of u.groups) await addGroupMember(deps, actor, { groupId: groupIds.get(g), userId: user.id });
    for (const [key, values] of Object.entries(u.attributes)) await setUserAttribute(deps, actor, { userId: user.id, key, values });
  }
  return { seeded: true, logins: USERS.map((u) => ({ username: u.username, roles: u.roles })) };
}
