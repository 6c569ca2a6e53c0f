/**
 * The access contract every adapter passes (memory: unit; PostgreSQL: integration against the real
 * server). A fixture gives the suite a platform with a few objects and accounts — some with hostile
 * names — and ways to look at and tamper with it by hand; the suite checks behaviour only through the
 * adapter's neutral access port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessConnection, AccessDesiredState, AccessEntry, AccessLevel, AccessObject } from "../access-types";
import type { PlatformAdapter } from "../adapter";

export type ContractFixture = {
  adapter: PlatformAdapter;
  connection: AccessConnection;
  /** At least three objects that exist on the platform; at least one with a hostile name. */
  objects: AccessObject[];
  /** At least four account names; at least one hostile. They need not exist yet. */
  accounts: string[];
  /** What the platform lets `account` do on the object right now, however it got there. */
  levelOf(account: string, object: AccessObject): Promise<AccessLevel | "NONE">;
  /** Removes, by hand, the access Steward gave `account` on `object` (repairable drift). */
  tamper(account: string, object: AccessObject): Promise<void>;
  /** Grants `account` READ on `object` directly, outside Steward. */
  grantByHand(account: string, object: AccessObject): Promise<void>;
  /**
   * Makes the next call fail: TRANSIENT (e.g. the server is unreachable) or PERMANENT (e.g. input the
   * platform rejects). Returns the connection and desired-state change to use for that call.
   */
  failure(kind: "TRANSIENT" | "PERMANENT"): {
    connection: AccessConnection;
    desired: (d: AccessDesiredState) => AccessDesiredState;
  };
  cleanup(): Promise<void>;
};

export function runAccessContract(name: string, factory: () => Promise<ContractFixture>): void {
  describe(`access contract: ${name}`, () => {
    let f: ContractFixture;
    let version = 0;

    const desired = (access: AccessEntry[], over: Partial<AccessDesiredState> = {}): AccessDesiredState => ({
      connectionId: "contract",
      version: ++version,
      objects: f.objects,
      accounts: f.accounts,
      access,
      settings: { unmanagedGrants: "REPORT" },
      ...over,
    });
    const obj = (i: number) => f.objects[i]!;
    const acct = (i: number) => f.accounts[i]!;
    // The base state: several levels, hostile names on both sides, one account with no access.
    const base = (): AccessEntry[] => [
      { objectId: obj(0).id, accountName: acct(0), level: "READ" },
      { objectId: obj(0).id, accountName: acct(1), level: "WRITE" },
      { objectId: obj(1).id, accountName: acct(0), level: "READ" },
      { objectId: obj(2).id, accountName: acct(2), level: "READ" },
      { objectId: obj(2).id, accountName: acct(0), level: "WRITE" },
    ];
    const port = () => {
      const access = f.adapter.access;
      if (!access) throw new Error("adapter has no access port");
      return access;
    };
    const expectLevels = async (access: AccessEntry[]) => {
      const want = new Map(access.map((a) => [`${a.objectId}|${a.accountName}`, a.level]));
      const got: string[] = [];
      const expected: string[] = [];
      for (const o of f.objects)
        for (const a of f.accounts) {
          got.push(`${o.id} ${a}: ${await f.levelOf(a, o)}`);
          expected.push(`${o.id} ${a}: ${want.get(`${o.id}|${a}`) ?? "NONE"}`);
        }
      expect(got).toEqual(expected);
    };

    // Fixtures start real servers (UC, a scram cluster): generous, so a loaded machine runs the suite
    // instead of skipping it.
    beforeAll(async () => {
      f = await factory();
    }, 180_000);
    afterAll(() => f?.cleanup());

    it("declares its capabilities consistently", () => {
      expect(f.adapter.capabilities.access).toBe(true);
      expect(!!f.adapter.access).toBe(true);
    });

    it("applies exactly the desired state, hostile names included; the plan is what apply runs", async () => {
      const planned = await port().plan(f.connection, desired(base()));
      const applied = await port().apply(f.connection, desired(base()));
      expect(applied.kind).toBe("applied");
      expect(planned.kind === "planned" && applied.kind === "applied" && applied.statements).toEqual(
        planned.kind === "planned" && planned.statements,
      );
      await expectLevels(base());
    });

    it("is idempotent: a second apply issues no statement and plans none", async () => {
      const again = await port().apply(f.connection, desired(base()));
      expect(again.kind).toBe("unchanged");
      const plan = await port().plan(f.connection, desired(base()));
      expect(plan.kind === "planned" && plan.statements).toEqual([]);
      expect(plan.kind === "planned" && plan.findings.filter((x) => x.repairable)).toEqual([]);
    });

    it("changes only what differs (minimal diff)", async () => {
      const changed = [...base(), { objectId: obj(1).id, accountName: acct(3), level: "READ" as const }];
      const plan = await port().plan(f.connection, desired(changed));
      // The same end state built from nothing (after a teardown; a platform whose DROP takes every
      // grant with it tears down in a handful of statements, so the teardown itself is no yardstick).
      expect((await port().apply(f.connection, desired([]))).kind).toBe("applied");
      const rebuild = await port().plan(f.connection, desired(changed));
      expect(plan.kind).toBe("planned");
      if (plan.kind !== "planned" || rebuild.kind !== "planned") return;
      // One pair added costs fewer statements than building everything again.
      expect(plan.statements.length).toBeGreaterThan(0);
      expect(plan.statements.length).toBeLessThan(rebuild.statements.length);
      expect((await port().apply(f.connection, desired(base()))).kind).toBe("applied");
      await expectLevels(base());
      const applied = await port().apply(f.connection, desired(changed));
      expect(applied.kind).toBe("applied");
      await expectLevels(changed);
      expect((await port().apply(f.connection, desired(base()))).kind).toBe("applied");
      await expectLevels(base());
    });

    it("detects drift made by hand and repairs it on the next apply", async () => {
      await f.tamper(acct(0), obj(0));
      expect(await f.levelOf(acct(0), obj(0))).toBe("NONE");
      const drift = await port().drift(f.connection, desired(base()));
      expect(drift.kind).toBe("drift");
      expect(drift.kind === "drift" && drift.findings.some((x) => x.repairable)).toBe(true);
      expect((await port().apply(f.connection, desired(base()))).kind).toBe("applied");
      await expectLevels(base());
      const after = await port().drift(f.connection, desired(base()));
      expect(after.kind === "drift" && after.findings.filter((x) => x.repairable)).toEqual([]);
    });

    it("reports grants made outside Steward and leaves them with REPORT", async () => {
      await f.grantByHand(acct(3), obj(1));
      const drift = await port().drift(f.connection, desired(base()));
      const unmanaged = drift.kind === "drift" ? drift.findings.filter((x) => x.accountName === acct(3)) : [];
      expect(unmanaged.length).toBeGreaterThan(0);
      expect(unmanaged.every((x) => !x.repairable)).toBe(true);
      expect((await port().apply(f.connection, desired(base()))).kind).toBe("unchanged");
      expect(await f.levelOf(acct(3), obj(1))).toBe("READ");
    });

    it("revokes them with REVOKE where the platform supports it (capabilities.revokeUnmanaged)", async () => {
      const revoking = (access: AccessEntry[]) => desired(access, { settings: { unmanagedGrants: "REVOKE" } });
      const drift = await port().drift(f.connection, revoking(base()));
      const unmanaged = drift.kind === "drift" ? drift.findings.filter((x) => x.accountName === acct(3)) : [];
      expect(unmanaged.length).toBeGreaterThan(0);
      await port().apply(f.connection, revoking(base()));
      if (f.adapter.capabilities.revokeUnmanaged) {
        expect(unmanaged.every((x) => x.repairable)).toBe(true);
        expect(await f.levelOf(acct(3), obj(1))).toBe("NONE");
        await expectLevels(base());
      } else {
        // Not supported yet: still reported, never silently claimed as repaired.
        expect(unmanaged.every((x) => !x.repairable)).toBe(true);
        expect(await f.levelOf(acct(3), obj(1))).toBe("READ");
      }
    });

    it("classifies a transient failure TRANSIENT, changes nothing, and converges when retried", async () => {
      const before = [...base(), { objectId: obj(1).id, accountName: acct(2), level: "WRITE" as const }];
      const { connection, desired: change } = f.failure("TRANSIENT");
      const failed = await port().apply(connection, change(desired(before)));
      expect(failed.kind).toBe("failed");
      expect(failed.kind === "failed" && failed.error.errorClass).toBe("TRANSIENT");
      expect(failed.kind === "failed" && f.adapter.classifyError(failed.error.code)).toBe("TRANSIENT");
      expect(await f.levelOf(acct(2), obj(1))).toBe("NONE");
      expect((await port().apply(f.connection, desired(before))).kind).toBe("applied");
      expect(await f.levelOf(acct(2), obj(1))).toBe("WRITE");
    });

    it("surfaces a permanent failure as PERMANENT without applying anything", async () => {
      const { connection, desired: change } = f.failure("PERMANENT");
      const failed = await port().apply(connection, change(desired(base())));
      expect(failed.kind).toBe("failed");
      expect(failed.kind === "failed" && failed.error.errorClass).toBe("PERMANENT");
      expect(failed.kind === "failed" && failed.error.message.length).toBeGreaterThan(0);
      expect(await f.levelOf(acct(2), obj(1))).toBe("WRITE"); // the previous state is intact
    });
  });
}
