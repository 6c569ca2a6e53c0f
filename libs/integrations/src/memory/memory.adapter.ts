/**
 * The in-memory adapter: the access contract over a MemoryPlatform, for engine-level tests and as the
 * smallest example of an adapter. Register it under any kind (`deps.adapterFor`) to run the engine
 * without a real platform.
 */
import {
  type AccessDesiredState,
  type AccessError,
  type AccessFinding,
  type AccessLevel,
  type AccessPort,
  emptyCounts,
} from "../access-types";
import type { PlatformAdapter } from "../adapter";
import type { ErrorClass } from "../error-class";
import { type MemoryFailure, MemoryPlatform } from "./memory-platform";

const CODES: Record<MemoryFailure, string> = { TRANSIENT: "UNREACHABLE", PERMANENT: "REJECTED", CONFIGURATION: "AUTH_FAILED" };
const CLASS_OF: Record<string, ErrorClass> = {
  UNREACHABLE: "TRANSIENT",
  REJECTED: "PERMANENT",
  INVALID_INPUT: "PERMANENT",
  AUTH_FAILED: "CONFIGURATION",
};
const classify = (code: string): ErrorClass => CLASS_OF[code] ?? "PERMANENT";

const quote = (s: string) => JSON.stringify(s);
const target = (path: readonly string[]) => path.map(quote).join(".");

type Change =
  | { op: "create-account"; account: string }
  | { op: "grant"; path: string[]; account: string; level: AccessLevel }
  | { op: "revoke"; path: string[]; account: string; level: AccessLevel };

const statementOf = (c: Change) =>
  c.op === "create-account"
    ? `CREATE ACCOUNT ${quote(c.account)}`
    : c.op === "grant"
      ? `GRANT ${c.level} ON ${target(c.path)} TO ${quote(c.account)}`
      : `REVOKE ${c.level} ON ${target(c.path)} FROM ${quote(c.account)}`;

/** Names the memory platform refuses, as a real one refuses what it cannot store. */
function invalidName(name: string): string | null {
  return name.length === 0 || name.length > 128 || name.includes("\0") ? `invalid name ${quote(name)}` : null;
}

function plan(platform: MemoryPlatform, desired: AccessDesiredState, revokeUnmanaged: boolean) {
  const changes: Change[] = [];
  const findings: AccessFinding[] = [];
  const inScope = (account: string) => !desired.scope || desired.scope.accounts.includes(account);
  const accounts = desired.accounts.filter(inScope);
  for (const name of [...accounts, ...desired.objects.flatMap((o) => o.path)]) {
    const bad = invalidName(name);
    if (bad)
      return { error: { code: "INVALID_INPUT", errorClass: classify("INVALID_INPUT"), message: `INVALID_INPUT: ${bad}` } as AccessError };
  }
  for (const account of accounts)
    if (!platform.accounts.has(account)) {
      changes.push({ op: "create-account", account });
      findings.push({ kind: "MISSING_ACCOUNT", repairable: true, accountName: account });
    }
  const want = new Map<string, AccessLevel>(desired.access.map((a) => [`${a.objectId}\u0000${a.accountName}`, a.level]));
  const managedAccounts = new Set(accounts);
  const revoke = desired.settings.unmanagedGrants === "REVOKE" && revokeUnmanaged;
  for (const o of desired.objects) {
    if (!platform.hasObject(o.path)) {
      findings.push({ kind: "MISSING_OBJECT", repairable: false, objectId: o.id });
      continue;
    }
    const held = platform.grants.get(JSON.stringify(o.path)) ?? new Map();
    const candidates = new Set([...accounts.filter((a) => want.has(`${o.id}\u0000${a}`)), ...[...held.keys()].filter(inScope)]);
    for (const account of candidates) {
      const level = managedAccounts.has(account) ? want.get(`${o.id}\u0000${account}`) : undefined;
      const grant = held.get(account);
      if (grant && !grant.managed) {
        // Made by hand: never touched unless revoking unmanaged grants of managed accounts.
        if (!managedAccounts.has(account)) continue;
        findings.push({ kind: "UNMANAGED_GRANT", repairable: revoke, accountName: account, objectId: o.id, level: grant.level });
        if (revoke) changes.push({ op: "revoke", path: o.path, account, level: grant.level });
        if (revoke && level) changes.push({ op: "grant", path: o.path, account, level });
        continue;
      }
      if (grant?.level === level) continue;
      if (grant) {
        changes.push({ op: "revoke", path: o.path, account, level: grant.level });
        findings.push({ kind: "EXTRA_PRIVILEGE", repairable: true, accountName: account, objectId: o.id, level: grant.level });
      }
      if (level) {
        changes.push({ op: "grant", path: o.path, account, level });
        findings.push({ kind: "MISSING_PRIVILEGE", repairable: true, accountName: account, objectId: o.id, level });
      }
    }
  }
  return { changes, findings };
}

function execute(platform: MemoryPlatform, changes: readonly Change[]): void {
  for (const c of changes) {
    if (c.op === "create-account") platform.createAccount(c.account);
    else if (c.op === "grant") platform.setGrant(c.path, c.account, { level: c.level, managed: true });
    else platform.setGrant(c.path, c.account, null);
  }
}

const failure = (f: MemoryFailure): AccessError => ({
  code: CODES[f],
  errorClass: classify(CODES[f]),
  message: `${CODES[f]}: injected ${f.toLowerCase()} failure`,
});

function countsOf(changes: readonly Change[]) {
  const counts = emptyCounts();
  for (const c of changes) {
    if (c.op === "create-account") counts.accountsCreated++;
    else if (c.op === "grant") counts.granted++;
    else counts.revoked++;
  }
  return counts;
}

export function memoryAccess(platform: MemoryPlatform, opts: { revokeUnmanaged: boolean }): AccessPort {
  return {
    async apply(_connection, desired) {
      const injected = platform.takeFailure();
      if (injected)
        return {
          kind: "failed",
          version: desired.version,
          error: failure(injected),
          statements: [],
          statementsAttempted: [],
          durationMs: 0,
        };
      const p = plan(platform, desired, opts.revokeUnmanaged);
      if ("error" in p)
        return { kind: "failed", version: desired.version, error: p.error!, statements: [], statementsAttempted: [], durationMs: 0 };
      if (p.changes.length === 0) return { kind: "unchanged", version: desired.version, warnings: [], durationMs: 0 };
      execute(platform, p.changes);
      return {
        kind: "applied",
        version: desired.version,
        statements: p.changes.map(statementOf),
        counts: countsOf(p.changes),
        warnings: [],
        durationMs: 0,
      };
    },
    async plan(_connection, desired) {
      const injected = platform.takeFailure();
      if (injected) return { kind: "failed", version: desired.version, error: failure(injected), durationMs: 0 };
      const p = plan(platform, desired, opts.revokeUnmanaged);
      if ("error" in p) return { kind: "failed", version: desired.version, error: p.error!, durationMs: 0 };
      return {
        kind: "planned",
        version: desired.version,
        statements: p.changes.map(statementOf),
        counts: countsOf(p.changes),
        findings: p.findings,
        warnings: [],
        durationMs: 0,
      };
    },
    async drift(connection, desired) {
      const planned = await this.plan(connection, desired);
      return planned.kind === "failed" ? planned : { kind: "drift", version: desired.version, findings: planned.findings, durationMs: 0 };
    },
  };
}

/** An adapter over `platform` (a fresh one by default); `revokeUnmanaged` lets tests play either kind of platform. */
export function memoryAdapter(
  platform = new MemoryPlatform(),
  opts: { revokeUnmanaged?: boolean } = {},
): PlatformAdapter & { platform: MemoryPlatform } {
  const revokeUnmanaged = opts.revokeUnmanaged ?? true;
  return {
    platform,
    label: "In-memory (tests)",
    supported: true,
    capabilities: { catalog: false, access: true, drift: true, decisions: false, dataPolicies: false, revokeUnmanaged },
    connectionFields: [],
    access: memoryAccess(platform, { revokeUnmanaged }),
    accounts: {
      validate: invalidName,
      canonical: (name) => name,
      reserved: [],
      forConnection: () => ({ validate: invalidName, canonical: (name) => name }),
    },
    classifyError: classify,
  };
}
