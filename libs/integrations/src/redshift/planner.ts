/**
 * Pure: the statements that take one database from its current state to the desired one, and every
 * difference found on the way (the same findings are drift). No I/O, so plan, apply and drift share
 * it and golden tests pin its SQL.
 */
import type { AccessCounts, AccessFinding, UnmanagedGrants } from "../access-types";
import { emptyCounts } from "../access-types";
import type { RelationGrant } from "./catalog-reads";
import { SYSTEM_SCHEMA } from "./config";
import { deleteProfiles, insertProfiles, profileTooWide, type StoredProfile, sameProfile, updateProfile } from "./profile";
import { type Grantee, rsGrantee, rsQualified } from "./sql";
import type { CurrentState } from "./state";
import { viewKey } from "./state";
import { bootstrapStatements, SALT_TABLE, SYSTEM_RELATIONS, USER_PROFILE_DDL, USER_PROFILE_VIEW } from "./system";
import { type DesiredView, sha256 } from "./views";

/** One statement; `params` only for the salt, which must not appear in statement text (plans are shown). */
export type Statement = { sql: string; params?: string[] };

export type DbDesired = {
  viewSchema: string;
  /** Steward's own user: it owns the views, so its rights are never grants to diff. */
  reconcilingUser: string;
  views: DesiredView[];
  /** Desired rows of the accounts in scope (all managed accounts on the full path). */
  profiles: StoredProfile[];
  /** Every managed account (canonical): grants to these are Steward's to give and take. */
  managedAccounts: ReadonlySet<string>;
  /** Delta path: only these accounts' rows and grants are touched, views are left alone. */
  scope: ReadonlySet<string> | null;
  /** viewName → accounts that get SELECT (existing users only). */
  viewGrants: ReadonlyMap<string, ReadonlySet<string>>;
  salt: string | null;
  unmanagedGrants: UnmanagedGrants;
};

/** A view whose definition Steward must record after creating it (bookkeeping, see access.ts). */
export type ViewRecord = { schema: string; view: string; sourceId: string; ddlHash: string };

export type DbPlan = {
  statements: Statement[];
  findings: AccessFinding[];
  counts: AccessCounts;
  warnings: string[];
  /** Views (re)created by `statements`, and views dropped: their managed_view rows change after. */
  created: ViewRecord[];
  dropped: { schema: string; view: string }[];
};

const INSERT_CHUNK = 200;

function grantsOn(state: CurrentState, schema: string, view: string, owner: string): RelationGrant[] {
  return state.grants.filter((g) => g.schema === schema && g.relation === view && !(g.identityType === "user" && g.identityName === owner));
}

function bootstrap(d: DbDesired, state: CurrentState, plan: DbPlan): void {
  const missing: string[] = [];
  for (const s of [SYSTEM_SCHEMA, d.viewSchema]) if (!state.schemas.has(s)) missing.push(`schema ${s}`);
  for (const r of SYSTEM_RELATIONS) if (state.systemRelations.get(r.name) !== r.relkind) missing.push(`${SYSTEM_SCHEMA}.${r.name}`);
  const key = viewKey(SYSTEM_SCHEMA, USER_PROFILE_VIEW);
  const record = state.managed.get(key);
  const definition = state.definitions.get(key);
  const ddlHash = sha256(USER_PROFILE_DDL);
  let changed = false;
  if (
    definition !== undefined &&
    (!record || record.ddlHash !== ddlHash || (record.definitionHash && record.definitionHash !== sha256(definition)))
  ) {
    changed = true;
    plan.findings.push({ kind: "USER_PROFILE_CHANGED", repairable: true, view: `${SYSTEM_SCHEMA}.${USER_PROFILE_VIEW}` });
  }
  const publicRead = grantsOn(state, SYSTEM_SCHEMA, USER_PROFILE_VIEW, d.reconcilingUser).some((g) => g.identityType === "public");
  if (definition !== undefined && !publicRead) missing.push(`SELECT for PUBLIC on ${SYSTEM_SCHEMA}.${USER_PROFILE_VIEW}`);
  if (missing.length) plan.findings.push({ kind: "SYSTEM_OBJECT_MISSING", repairable: true, missing });
  if (!missing.length && !changed) return;
  plan.statements.push(...bootstrapStatements(d.viewSchema).map((sql) => ({ sql })));
  plan.counts.other += 1;
  plan.created.push({ schema: SYSTEM_SCHEMA, view: USER_PROFILE_VIEW, sourceId: "", ddlHash });
}

function salt(d: DbDesired, state: CurrentState, plan: DbPlan): void {
  if (d.salt === null || state.salt === d.salt) return;
  plan.findings.push({ kind: "SALT_MISMATCH", repairable: true });
  const table = rsQualified(SYSTEM_SCHEMA, SALT_TABLE);
  plan.statements.push({ sql: `DELETE FROM ${table}` }, { sql: `INSERT INTO ${table} ("salt") VALUES ($1)`, params: [d.salt] });
  plan.counts.other += 1;
}

/** Returns the names of the views (re)created, whose grants are therefore all gone. */
function views(d: DbDesired, state: CurrentState, plan: DbPlan): Set<string> {
  const recreated = new Set<string>();
  const desired = new Set(d.views.map((v) => v.viewName));
  for (const v of d.views) {
    const key = viewKey(d.viewSchema, v.viewName);
    const definition = state.definitions.get(key);
    const record = state.managed.get(key);
    let why: string | null = null;
    if (definition === undefined) why = "MISSING_VIEW";
    else if (!record) why = "UNRECORDED_VIEW";
    else if (record.ddlHash !== v.ddlHash) why = "VIEW_OUTDATED";
    else if (record.definitionHash !== null && record.definitionHash !== sha256(definition)) why = "VIEW_CHANGED";
    if (!why) continue;
    plan.findings.push({ kind: why, repairable: true, objectId: v.sourceId, view: `${d.viewSchema}.${v.viewName}` });
    if (definition !== undefined) plan.statements.push({ sql: `DROP VIEW IF EXISTS ${rsQualified(d.viewSchema, v.viewName)}` });
    plan.statements.push({ sql: v.ddl });
    plan.counts.other += 1;
    plan.created.push({ schema: d.viewSchema, view: v.viewName, sourceId: v.sourceId, ddlHash: v.ddlHash });
    recreated.add(v.viewName);
  }
  for (const m of state.managed.values()) {
    if (m.schema !== d.viewSchema || desired.has(m.view)) continue;
    plan.findings.push({ kind: "EXTRA_VIEW", repairable: true, objectId: m.sourceId, view: `${m.schema}.${m.view}` });
    if (state.definitions.has(viewKey(m.schema, m.view)))
      plan.statements.push({ sql: `DROP VIEW IF EXISTS ${rsQualified(m.schema, m.view)}` });
    plan.counts.other += 1;
    plan.dropped.push({ schema: m.schema, view: m.view });
  }
  for (const key of state.definitions.keys()) {
    const [schema, view] = key.split("\u0000") as [string, string];
    if (schema === d.viewSchema && !desired.has(view) && !state.managed.has(key))
      plan.findings.push({ kind: "UNMANAGED_VIEW", repairable: false, view: `${schema}.${view}` });
  }
  return recreated;
}

function profiles(d: DbDesired, state: CurrentState, plan: DbPlan): void {
  const inserts: StoredProfile[] = [];
  const deletes: string[] = [];
  const wanted = new Map<string, StoredProfile>();
  for (const p of d.profiles) {
    const tooWide = profileTooWide(p);
    if (tooWide) plan.warnings.push(`account ${p.account}: profile not stored (${tooWide}); the account sees no rows in any policy view`);
    else wanted.set(p.account, p);
  }
  for (const [account, p] of wanted) {
    const current = state.profiles.get(account);
    if (!current) {
      plan.findings.push({ kind: "MISSING_PROFILE", repairable: true, accountName: account });
      inserts.push(p);
    } else if (!sameProfile(current, p)) {
      plan.findings.push({ kind: "PROFILE_MISMATCH", repairable: true, accountName: account });
      plan.statements.push({ sql: updateProfile(p) });
      plan.counts.other += 1;
    }
  }
  for (const account of state.profiles.keys()) {
    if (wanted.has(account) || (d.scope && !d.scope.has(account))) continue;
    plan.findings.push({ kind: "EXTRA_PROFILE", repairable: true, accountName: account });
    deletes.push(account);
  }
  if (deletes.length) plan.statements.push({ sql: deleteProfiles(deletes.sort()) });
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) plan.statements.push({ sql: insertProfiles(inserts.slice(i, i + INSERT_CHUNK)) });
  plan.counts.other += deletes.length + inserts.length;
}

function grants(d: DbDesired, state: CurrentState, plan: DbPlan, recreated: Set<string>): void {
  const inScope = (account: string) => !d.scope || d.scope.has(account);
  for (const v of d.views) {
    const target = rsQualified(d.viewSchema, v.viewName);
    const wanted = [...(d.viewGrants.get(v.viewName) ?? [])].filter(inScope).sort();
    const current = recreated.has(v.viewName) ? [] : grantsOn(state, d.viewSchema, v.viewName, d.reconcilingUser);
    const has = new Set(current.filter((g) => g.identityType === "user").map((g) => g.identityName));
    const missing = wanted.filter((a) => !has.has(a));
    for (const a of missing)
      if (!recreated.has(v.viewName)) plan.findings.push({ kind: "MISSING_GRANT", repairable: true, accountName: a, objectId: v.sourceId });
    if (missing.length) {
      plan.statements.push({ sql: `GRANT SELECT ON ${target} TO ${missing.map((name) => rsGrantee({ kind: "user", name })).join(", ")}` });
      plan.counts.granted += missing.length;
    }
    const revoke: Grantee[] = [];
    const wantedSet = new Set(wanted);
    for (const g of current) {
      const grantee: Grantee = g.identityType === "public" ? { kind: "public" } : { kind: g.identityType, name: g.identityName };
      if (g.identityType === "user" && d.managedAccounts.has(g.identityName)) {
        if (wantedSet.has(g.identityName) || !inScope(g.identityName)) continue;
        plan.findings.push({ kind: "EXTRA_GRANT", repairable: true, accountName: g.identityName, objectId: v.sourceId });
        revoke.push(grantee);
      } else if (!d.scope) {
        const repairable = d.unmanagedGrants === "REVOKE";
        plan.findings.push({
          kind: "UNMANAGED_GRANT",
          repairable,
          objectId: v.sourceId,
          grantee: rsGrantee(grantee),
          ...(g.identityType === "user" ? { accountName: g.identityName } : {}),
        });
        if (repairable) revoke.push(grantee);
      }
    }
    if (revoke.length) {
      plan.statements.push({ sql: `REVOKE SELECT ON ${target} FROM ${revoke.map(rsGrantee).join(", ")}` });
      plan.counts.revoked += revoke.length;
    }
  }
}

export function planDatabase(d: DbDesired, state: CurrentState): DbPlan {
  const plan: DbPlan = { statements: [], findings: [], counts: emptyCounts(), warnings: [], created: [], dropped: [] };
  bootstrap(d, state, plan);
  salt(d, state, plan);
  // The delta path changes profile rows and grants only: a user's change never rebuilds a view.
  const recreated = d.scope ? new Set<string>() : views(d, state, plan);
  profiles(d, state, plan);
  grants(d, state, plan, recreated);
  return plan;
}
