/**
 * An in-memory "platform" for engine-level tests: accounts, objects and per-account grants, with
 * injectable failures. It behaves like a real one where the contract cares: names are data (any
 * printable text), a failed apply changes nothing, and grants made "by hand" are kept apart.
 */
import type { AccessLevel } from "../access-types";

export type MemoryFailure = "TRANSIENT" | "PERMANENT" | "CONFIGURATION";

export type MemoryGrant = { level: AccessLevel; managed: boolean };

const key = (path: readonly string[]) => JSON.stringify(path);

export class MemoryPlatform {
  readonly accounts = new Set<string>();
  /** Object path key → account → grant. */
  readonly grants = new Map<string, Map<string, MemoryGrant>>();
  private readonly objects = new Set<string>();
  private failures: MemoryFailure[] = [];
  /** Every call the adapter made, for tests that count round trips. */
  calls = 0;

  addObject(path: readonly string[]): void {
    this.objects.add(key(path));
  }

  dropObject(path: readonly string[]): void {
    this.objects.delete(key(path));
    this.grants.delete(key(path));
  }

  hasObject(path: readonly string[]): boolean {
    return this.objects.has(key(path));
  }

  createAccount(name: string): void {
    this.accounts.add(name);
  }

  /** The next call fails with this class (once per call to failNext). */
  failNext(failure: MemoryFailure): void {
    this.failures.push(failure);
  }

  takeFailure(): MemoryFailure | undefined {
    this.calls++;
    return this.failures.shift();
  }

  grantOf(path: readonly string[], account: string): MemoryGrant | undefined {
    return this.grants.get(key(path))?.get(account);
  }

  /** What the platform lets an account do on an object, whoever granted it. */
  levelOf(path: readonly string[], account: string): AccessLevel | "NONE" {
    return this.grantOf(path, account)?.level ?? "NONE";
  }

  setGrant(path: readonly string[], account: string, grant: MemoryGrant | null): void {
    const k = key(path);
    const byAccount = this.grants.get(k) ?? this.grants.set(k, new Map()).get(k)!;
    if (grant) byAccount.set(account, grant);
    else byAccount.delete(account);
  }

  /** A grant made outside Steward (by an admin on the platform). */
  grantByHand(path: readonly string[], account: string, level: AccessLevel): void {
    this.setGrant(path, account, { level, managed: false });
  }

  snapshot(): string {
    const grants = [...this.grants].map(([k, m]) => [k, [...m].sort()] as const).sort();
    return JSON.stringify({ accounts: [...this.accounts].sort(), grants });
  }
}
