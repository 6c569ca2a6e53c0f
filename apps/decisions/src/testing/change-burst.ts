/**
 * A burst of concurrent changes for the decision-snapshot tests: two tasks writing subscription
 * policies (full-scope versions), one changing group memberships and one attributes (user-scoped
 * deltas), one changing data policies and switching projects (full scope and profile deltas) — about
 * 60 changes through the ordinary use-cases, all at once. Seeded, so a failing burst replays.
 */
import { createDataPolicy, createPolicy, deletePolicy, switchProject, updateDataPolicy, updatePolicy } from "@steward/access";
import type { Actor } from "@steward/core";
import type { Db } from "@steward/db";
import { addGroupMember, removeGroupMember, setUserAttribute } from "@steward/identity";

export const BURST_REGIONS = ["EU", "US", "APAC"];
export const BURST_CLEARANCES = ["low", "high"];

type UserActor = Actor & { kind: "USER" };

/** What a burst changes, and the state only its tasks change (memberships, live policy ids). */
export type BurstWorld = {
  db: Db;
  /** Who changes identities (ADMIN). */
  admin: Actor;
  governor: UserActor;
  users: UserActor[];
  groups: string[];
  tables: { sourceId: string }[];
  connectionId: string;
  catalog: string;
  schemas: string[];
  researchId: string;
  rowPolicy: { id: string; name: string };
  /** userId → that user's project (its purposes acknowledged). */
  projects: Map<string, string>;
  /** `${groupId}/${userId}` of current memberships. */
  members: Set<string>;
  /** Live subscription policy ids; the burst deletes some and adds others. */
  policyIds: string[];
  /** Makes names unique per test run. */
  label: string;
};

/** Small seeded PRNG (mulberry32): a failing burst can be replayed from its seed. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const some = <T>(xs: readonly T[], n: number): T[] => [...xs].sort(() => next() - 0.5).slice(0, n);
  const pause = (minMs: number, maxMs: number) => new Promise((r) => setTimeout(r, minMs + int(maxMs - minMs)));
  return { next, int, pick, some, pause };
}
export type Rng = ReturnType<typeof random>;

/** A subscription policy definition drawn at random over this connection's groups, attributes and tables. */
export function policyInput(w: BurstWorld, rng: Rng, name: string) {
  const condition =
    rng.next() < 0.5
      ? { kind: "group", group: rng.pick(w.groups) }
      : {
          kind: "attribute",
          key: rng.pick(["region", "clearance"]),
          match: "anyOf",
          values: rng.some([...BURST_REGIONS, ...BURST_CLEARANCES], 2),
        };
  const scope =
    rng.next() < 0.5
      ? { kind: "sources", sourceIds: rng.some(w.tables, 1 + rng.int(6)).map((x) => x.sourceId) }
      : { kind: "schema", connectionId: w.connectionId, database: w.catalog, schema: rng.pick(w.schemas) };
  return { name, accessType: rng.next() < 0.4 ? "WRITE" : "READ", restriction: { kind: "conditions", condition }, scope };
}

/**
 * Creates, updates and deletes subscription policies (full-scope versions). Done sooner than the
 * user-scoped tasks, so the burst's tail reconciles on the delta path, merging into the snapshot
 * while memberships, attributes and projects keep changing.
 */
async function policyTask(w: BurstWorld, rng: Rng, label: string, owned: string[]) {
  for (let i = 0; i < 8; i++) {
    await rng.pause(10, 80);
    const op = i < 3 ? "create" : i < 6 ? "update" : "delete";
    if (op === "create") owned.push((await createPolicy({ db: w.db }, w.governor, policyInput(w, rng, `${label} p${i}`))).policy.id);
    else if (op === "update") {
      const target = rng.pick(owned);
      await updatePolicy({ db: w.db }, w.governor, { id: target, ...policyInput(w, rng, `${label} p${i}`) });
    } else await deletePolicy({ db: w.db }, w.governor, owned.splice(rng.int(owned.length), 1)[0]!);
  }
}

/** Adds and removes group members (user-scoped deltas). */
async function membershipTask(w: BurstWorld, rng: Rng) {
  for (let i = 0; i < 16; i++) {
    await rng.pause(20, 120);
    const [groupId, userId] = [rng.pick(w.groups), rng.pick(w.users).userId];
    const key = `${groupId}/${userId}`;
    if (w.members.delete(key)) await removeGroupMember({ db: w.db }, w.admin, { groupId, userId });
    else {
      await addGroupMember({ db: w.db }, w.admin, { groupId, userId });
      w.members.add(key);
    }
  }
}

/** Sets attributes (user-scoped deltas). */
async function attributeTask(w: BurstWorld, rng: Rng) {
  for (let i = 0; i < 16; i++) {
    await rng.pause(20, 120);
    const key = rng.pick(["region", "clearance"]);
    const values = rng.some(key === "region" ? BURST_REGIONS : BURST_CLEARANCES, 1 + rng.int(2));
    await setUserAttribute({ db: w.db }, w.admin, { userId: rng.pick(w.users).userId, key, values });
  }
}

/** A data policy created and updated, the row filter re-scoped, and project switches (profile deltas). */
async function dataAndProjectTask(w: BurstWorld, rng: Rng, round: number) {
  const switchers = [...w.projects.keys()];
  const switchOnce = async () => {
    await rng.pause(20, 150);
    const userId = rng.pick(switchers);
    const u = w.users.find((x) => x.userId === userId)!;
    const current = (await w.db.user.findUniqueOrThrow({ where: { id: userId } })).currentProjectId;
    await switchProject({ db: w.db }, u, current ? null : w.projects.get(userId)!);
  };
  await switchOnce();
  const created = await createDataPolicy({ db: w.db }, w.governor, {
    name: `${w.label} null emails round ${round}`,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: rng.some(w.tables, 4).map((x) => x.sourceId) },
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "null" } },
      except: { kind: "group", group: rng.pick(w.groups) },
    },
  });
  await switchOnce();
  await updateDataPolicy({ db: w.db }, w.governor, {
    id: created.policy.id,
    name: `${w.label} null emails round ${round}`,
    engineDefinition: {
      scope: { kind: "schema", connectionId: w.connectionId, database: w.catalog, schema: rng.pick(w.schemas) },
      rule: { kind: "mask", columns: { kind: "names", names: ["email"] }, mask: { kind: "constant", value: "hidden" } },
      except: { kind: "purpose", purpose: w.researchId },
    },
  });
  await switchOnce();
  await updateDataPolicy({ db: w.db }, w.governor, {
    id: w.rowPolicy.id,
    name: w.rowPolicy.name,
    engineDefinition: {
      scope: { kind: "sources", sourceIds: rng.some(w.tables, 5).map((x) => x.sourceId) },
      rule: { kind: "rows", rule: { kind: "matchAttribute", column: "region", attribute: "region" } },
    },
  });
  for (let i = 0; i < 4; i++) await switchOnce();
}

/** Runs one burst: every task at once; resolves when all changes are committed. */
export async function runBurst(w: BurstWorld, round: number): Promise<void> {
  const rng = random(1_000 + round);
  const [a, b] = [w.policyIds.filter((_, i) => i % 2 === 0), w.policyIds.filter((_, i) => i % 2 === 1)];
  await Promise.all([
    policyTask(w, random(rng.int(1e9)), `${w.label} r${round}a`, a),
    policyTask(w, random(rng.int(1e9)), `${w.label} r${round}b`, b),
    membershipTask(w, random(rng.int(1e9))),
    attributeTask(w, random(rng.int(1e9))),
    dataAndProjectTask(w, random(rng.int(1e9)), round),
  ]);
  w.policyIds.splice(0, w.policyIds.length, ...a, ...b);
}
