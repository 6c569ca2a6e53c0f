/**
 * Pure planning for Unity Catalog grants: the desired state and the permissions read from the server
 * → one PATCH per securable whose grants differ, plus drift findings. No I/O here, so plan, apply and
 * drift take the same path and the request counts are testable without a server.
 *
 * Which grants are Steward's: with a grant ledger (what Steward itself added, recorded as it applies)
 * exactly those, so a privilege someone granted by hand — even to a managed account — is reported as
 * unmanaged and revoked only with `unmanagedGrants: REVOKE`. Without a ledger every Steward privilege a
 * managed account holds on a governed securable counts as Steward's (documented in the platform doc).
 */
import type { AccessCounts, AccessDesiredState, AccessFinding } from "../access-types";
import type { AccountRules } from "../adapter";
import { fullNamePath, type PermissionsChange, type SecurableType, UcApiError } from "./client";
import type { UcFlavor } from "./config";
import { isStewardPrivilege, normalizePrivilege, spellPrivilege, tablePrivileges, type UcPrivilege } from "./privileges";

export type Securable = { type: SecurableType; parts: string[] };
const TYPE_ORDER: Record<SecurableType, number> = { catalog: 0, schema: 1, table: 2 };

export function securableKey(s: Securable): string {
  return `${s.type}:${s.parts.join("\u0000")}`;
}
export function ledgerKey(s: Securable, principal: string, privilege: UcPrivilege): string {
  return `${securableKey(s)}\u0001${principal}\u0001${privilege}`;
}

/** Everything derived from the desired state alone (validated before any request is sent). */
export type PreparedState = {
  securables: Securable[];
  /** securable key → principal → privileges Steward wants there. */
  want: Map<string, Map<string, Set<UcPrivilege>>>;
  /** objectId of every governed table, by securable key (for findings). */
  objectOf: Map<string, string>;
  managed: Set<string>;
  scope: Set<string> | null;
  warnings: string[];
};

/** Throws UcApiError("INVALID_INPUT") on a desired state no request can be built from. */
export function prepareState(desired: AccessDesiredState, rules: AccountRules): PreparedState {
  const warnings: string[] = [];
  const managed = new Set<string>();
  const seenCanonical = new Map<string, string>();
  for (const a of desired.accounts) {
    const problem = rules.validate(a);
    if (problem) {
      warnings.push(`account ${JSON.stringify(a)} skipped: ${problem}`);
      continue;
    }
    const c = rules.canonical(a);
    const other = seenCanonical.get(c);
    if (other !== undefined && other !== a) {
      warnings.push(`accounts ${JSON.stringify(other)} and ${JSON.stringify(a)} are one Unity Catalog principal; both skipped`);
      managed.delete(other);
      continue;
    }
    seenCanonical.set(c, a);
    managed.add(a);
  }
  const byKey = new Map<string, Securable>();
  const add = (s: Securable) => byKey.get(securableKey(s)) ?? byKey.set(securableKey(s), s).get(securableKey(s))!;
  const tableOf = new Map<string, { table: Securable; schema: Securable; catalog: Securable; objectType: string }>();
  const objectOf = new Map<string, string>();
  for (const o of desired.objects) {
    if (o.path.length !== 3)
      throw new UcApiError("INVALID_INPUT", `object ${o.id}: path ${JSON.stringify(o.path)} is not [catalog, schema, table]`);
    if (tableOf.has(o.id)) throw new UcApiError("INVALID_INPUT", `object ${o.id} is listed twice`);
    fullNamePath(o.path); // throws on a name the REST API cannot carry
    const [catalog, schema] = o.path as [string, string, string];
    const t = add({ type: "table", parts: [...o.path] });
    if (objectOf.has(securableKey(t))) throw new UcApiError("INVALID_INPUT", `two objects are the table ${o.path.join(".")}`);
    objectOf.set(securableKey(t), o.id);
    tableOf.set(o.id, {
      table: t,
      schema: add({ type: "schema", parts: [catalog, schema] }),
      catalog: add({ type: "catalog", parts: [catalog] }),
      objectType: o.objectType,
    });
  }
  const want = new Map<string, Map<string, Set<UcPrivilege>>>();
  const grant = (s: Securable, principal: string, privileges: UcPrivilege[]) => {
    const perSecurable = want.get(securableKey(s)) ?? want.set(securableKey(s), new Map()).get(securableKey(s))!;
    const set = perSecurable.get(principal) ?? perSecurable.set(principal, new Set()).get(principal)!;
    for (const p of privileges) set.add(p);
  };
  let readOnlyWrites = 0;
  for (const e of desired.access) {
    const t = tableOf.get(e.objectId);
    if (!t || !managed.has(e.accountName)) continue;
    const privileges = tablePrivileges(t.objectType, e.level);
    if (e.level === "WRITE" && !privileges.includes("MODIFY")) readOnlyWrites++;
    grant(t.table, e.accountName, privileges);
    grant(t.schema, e.accountName, ["USE_SCHEMA"]);
    grant(t.catalog, e.accountName, ["USE_CATALOG"]);
  }
  if (readOnlyWrites > 0)
    warnings.push(`${readOnlyWrites} WRITE entries on read-only objects (views, external, foreign, shared) granted as SELECT`);
  const securables = [...byKey.values()].sort(
    (a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || securableKey(a).localeCompare(securableKey(b)),
  );
  const scope = desired.scope ? new Set(desired.scope.accounts.filter((a) => managed.has(a))) : null;
  return { securables, want, objectOf, managed, scope, warnings };
}

/** Current direct grants per securable key, privileges already normalised (`USE CATALOG` → `USE_CATALOG`). */
export type CurrentGrants = Map<string, Map<string, Set<string>>>;

export function currentFrom(assignments: { principal: string; privileges: string[] }[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const a of assignments) {
    const set = out.get(a.principal) ?? out.set(a.principal, new Set()).get(a.principal)!;
    for (const p of a.privileges) set.add(normalizePrivilege(p));
  }
  return out;
}

export type PlannedPatch = { securable: Securable; changes: { principal: string; add: UcPrivilege[]; remove: UcPrivilege[] }[] };

export type GrantPlan = {
  patches: PlannedPatch[];
  findings: AccessFinding[];
  counts: AccessCounts;
  warnings: string[];
};

export type PlanOptions = {
  /** Keys (ledgerKey) of the grants Steward made; null: no ledger (see the file comment). */
  ledger: Set<string> | null;
  unmanagedGrants: AccessDesiredState["settings"]["unmanagedGrants"];
  /** `capabilities.revokeUnmanaged`. */
  revokeUnmanaged: boolean;
};

const sorted = <T extends string>(s: Iterable<T>) => [...s].sort();

/** One securable's part of a plan (apply streams these: each is written as soon as it is read). */
export type SecurablePlan = { patch: PlannedPatch | null; findings: AccessFinding[]; granted: number; revoked: number };

export function planSecurable(p: PreparedState, s: Securable, have: Map<string, Set<string>>, options: PlanOptions): SecurablePlan {
  const revokeForeign = options.unmanagedGrants === "REVOKE" && options.revokeUnmanaged;
  const key = securableKey(s);
  const want = p.want.get(key) ?? new Map<string, Set<UcPrivilege>>();
  const objectId = p.objectOf.get(key);
  const where = { securableType: s.type, securable: s.parts.join("."), ...(objectId ? { objectId } : {}) };
  const findings: AccessFinding[] = [];
  const changes: PlannedPatch["changes"] = [];
  let granted = 0;
  let revoked = 0;
  for (const principal of sorted(new Set([...have.keys(), ...want.keys()]))) {
    if (p.scope && !p.scope.has(principal)) continue; // the delta path speaks only for its accounts
    const wanted = want.get(principal) ?? new Set<UcPrivilege>();
    const held = have.get(principal) ?? new Set<string>();
    const owned = (priv: UcPrivilege) => (options.ledger ? options.ledger.has(ledgerKey(s, principal, priv)) : p.managed.has(principal));
    const add = sorted([...wanted].filter((x) => !held.has(x)));
    const remove: UcPrivilege[] = [];
    for (const priv of sorted(held)) {
      if (!isStewardPrivilege(priv) || wanted.has(priv)) continue;
      if (owned(priv)) {
        remove.push(priv);
        findings.push({ kind: "STALE_GRANT", repairable: true, accountName: principal, privilege: priv, ...where });
      } else if (s.type === "table") {
        // Hand-made USE grants on parents serve other objects too: only table privileges are judged.
        if (revokeForeign) remove.push(priv);
        findings.push({ kind: "UNMANAGED_GRANT", repairable: revokeForeign, accountName: principal, privilege: priv, ...where });
      }
    }
    for (const priv of add) findings.push({ kind: "MISSING_GRANT", repairable: true, accountName: principal, privilege: priv, ...where });
    if (add.length || remove.length) changes.push({ principal, add, remove });
    granted += add.length;
    revoked += remove.length;
  }
  return { patch: changes.length ? { securable: s, changes } : null, findings, granted, revoked };
}

export function planGrants(p: PreparedState, current: CurrentGrants, options: PlanOptions): GrantPlan {
  const plan: GrantPlan = { patches: [], findings: [], counts: { granted: 0, revoked: 0, accountsCreated: 0, other: 0 }, warnings: [] };
  for (const s of p.securables) {
    const have = current.get(securableKey(s));
    if (!have) continue; // not readable (gone): reported by the caller
    const part = planSecurable(p, s, have, options);
    if (part.patch) plan.patches.push(part.patch);
    plan.findings.push(...part.findings);
    plan.counts.granted += part.granted;
    plan.counts.revoked += part.revoked;
  }
  return plan;
}

/** The wire body of a planned PATCH for a server. */
export function wireChanges(patch: PlannedPatch, flavor: UcFlavor): PermissionsChange[] {
  return patch.changes.map((c) => ({
    principal: c.principal,
    add: c.add.map((x) => spellPrivilege(x, flavor)),
    remove: c.remove.map((x) => spellPrivilege(x, flavor)),
  }));
}

/** How a PATCH is shown in plans, runs and the UI (what is sent, verbatim). */
export function renderPatch(patch: PlannedPatch, flavor: UcFlavor): string {
  return `PATCH /permissions/${patch.securable.type}/${fullNamePath(patch.securable.parts)} ${JSON.stringify({ changes: wireChanges(patch, flavor) })}`;
}
