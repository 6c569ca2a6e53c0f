/**
 * Test helpers: a small decision snapshot, an index over it, and OPA requests as Trino sends them.
 * Shared by the unit tests here and by integration tests that drive a real Trino.
 */
import type { PolicyViewSpec, ProfileRow, SubscriptionPolicy } from "@steward/policy";
import type { AccessEntry, AccessObject } from "../../access-types";
import type { DecisionSnapshot } from "../../decisions";
import type { TrinoConfig } from "../config";
import { buildTrinoIndex, type TrinoIndex } from "./index";

export const CONNECTION_ID = "00000000-0000-4000-8000-000000000001";
export const SALT = "test-salt";

export type SnapshotInput = {
  objects: { id: string; path: [string, string, string] }[];
  access?: AccessEntry[];
  accounts?: string[];
  privileged?: string[];
  policies?: SubscriptionPolicy[];
  groupIdsByName?: Record<string, string>;
  profiles?: ProfileRow[];
  views?: PolicyViewSpec[];
  version?: number;
  /** Containers holding unregistered objects (DecisionExtras.unregisteredContainers); omitted: unknown. */
  unregisteredContainers?: string[][];
};

export function testSnapshot(input: SnapshotInput): DecisionSnapshot {
  const objects: AccessObject[] = input.objects.map((o) => ({ id: o.id, path: o.path, objectType: "TABLE" }));
  const access = input.access ?? [];
  const accounts = input.accounts ?? [...new Set(access.map((a) => a.accountName))];
  return {
    connectionId: CONNECTION_ID,
    version: input.version ?? 1,
    hash: "test",
    publishedAt: new Date(0).toISOString(),
    state: {
      connectionId: CONNECTION_ID,
      version: input.version ?? 1,
      objects,
      accounts,
      access,
      settings: { unmanagedGrants: "REPORT" },
      dataPolicies:
        input.profiles || input.views ? { viewsForEverything: false, views: input.views ?? [], profiles: input.profiles ?? [] } : undefined,
      decisions: {
        privilegedAccounts: input.privileged ?? [],
        unknownUsers: {
          policies: {
            sources: objects.map((o) => ({
              id: o.id,
              connectionId: CONNECTION_ID,
              location: { database: o.path[0], schema: o.path[1], object: o.path[2]! },
              tags: [],
              status: "ACTIVE" as const,
            })),
            policies: input.policies ?? [],
          },
          groupIdsByName: input.groupIdsByName ?? {},
        },
        ...(input.unregisteredContainers ? { unregisteredContainers: input.unregisteredContainers } : {}),
      },
    },
  };
}

export function testIndex(input: SnapshotInput, config: Partial<TrinoConfig> = {}): TrinoIndex {
  return buildTrinoIndex(
    testSnapshot(input),
    { host: "trino.test", user: "steward", ...config },
    { hashSalt: SALT, now: () => new Date() },
  );
}

export function profile(accountName: string, userId: string, facts: Partial<ProfileRow> = {}): ProfileRow {
  return { accountName, userId, username: accountName, groups: [], attributes: {}, projectId: null, purposes: [], sources: [], ...facts };
}

/** `{"input": …}` as Trino sends it, for an action (the shape of the action-only fixtures). */
export function opaRequest(user: string, action: unknown, groups: string[] = []): { input: unknown } {
  return { input: { context: { identity: { user, groups }, softwareStack: { trinoVersion: "476" } }, action } };
}

export const tableResource = (catalogName: string, schemaName: string, tableName: string, columns?: string[]) => ({
  table: { catalogName, schemaName, tableName, ...(columns ? { columns } : {}) },
});
