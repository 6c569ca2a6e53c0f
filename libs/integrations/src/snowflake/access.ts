/**
 * The Snowflake side of the neutral access contract: read (state.ts), plan (planner.ts), run the
 * statements one by one. Snowflake runs every GRANT/REVOKE/CREATE ROLE as its own auto-committed DDL
 * (there is no transaction to roll back), so a statement refused mid-batch leaves the earlier ones in
 * place: the failed result lists exactly those as `statements` (applied) and the refused one as
 * `statementsAttempted`; the next run reads the account again and continues from there.
 */
import type { AccessConnection, AccessDesiredState, AccessError, AccessFinding, AccessPort } from "../access-types";
import { ConnectorError } from "../connector";
import { PolicyCompileError } from "../sql/policy/dialect";
import { qualifiedSnowflake, UnsafeIdentifierError } from "../sql/quote";
import { snowflakeAccountRulesFor } from "./accounts";
import { type SfQuery, withSnowflake } from "./client";
import { SnowflakeConfig, SnowflakeCredentials } from "./config";
import { checkPolicyConfig, type DataPolicyPlan, PolicyConfigError, planDataPolicies } from "./data-policies";
import { classifySnowflakeError, snowflakeErrorCode } from "./errors";
import { scopePrefix, showName } from "./naming";
import { type PlanInput, planAccess, type SfPlan } from "./planner";
import { membersOfSetRole, readObjectGrants, readState, readUsersOfRole, type SfState } from "./state";

type Resolved = { config: SnowflakeConfig; credentials: SnowflakeCredentials };
/** Pure preparation, before connecting: bad input fails here and nothing is sent. */
type Prepared = {
  prefix: string;
  objects: { id: string; parts: string[] }[];
  accounts: string[];
  scope: Set<string> | null;
  warnings: string[];
};

const started = () => performance.now();
const since = (t: number) => Math.round((performance.now() - t) * 100) / 100;

class InputError extends Error {}

function resolve(connection: AccessConnection): Resolved | { error: AccessError } {
  const config = SnowflakeConfig.safeParse(connection.config);
  const credentials = SnowflakeCredentials.safeParse(connection.credentials ?? {});
  if (!config.success || !credentials.success)
    return {
      error: { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: "INVALID_CONFIG: the stored connection config is not valid" },
    };
  return { config: config.data, credentials: credentials.data };
}

export function prepare(config: SnowflakeConfig, desired: AccessDesiredState): Prepared {
  const warnings: string[] = [];
  const rules = snowflakeAccountRulesFor({ reconcilingUser: config.user });
  const accounts: string[] = [];
  for (const a of new Set(desired.accounts)) {
    const problem = rules.validate(a);
    if (problem) warnings.push(`account ${JSON.stringify(a)} skipped: ${problem}`);
    else accounts.push(a);
  }
  const ids = new Set<string>();
  const objects: Prepared["objects"] = [];
  const governed = new Set(config.databases);
  for (const o of desired.objects) {
    if (ids.has(o.id)) throw new InputError(`object ${o.id} is listed twice`);
    ids.add(o.id);
    if (o.path.length !== 3) {
      warnings.push(`object ${o.id}: path ${JSON.stringify(o.path)} is not [database, schema, table]; skipped`);
      continue;
    }
    qualifiedSnowflake(...o.path); // throws UnsafeIdentifierError for a name that cannot be sent
    if (!governed.has(o.path[0]!)) {
      warnings.push(`object ${o.id}: database ${JSON.stringify(o.path[0])} is not one of this connection's databases; skipped`);
      continue;
    }
    objects.push({ id: o.id, parts: [...o.path] });
  }
  checkPolicyConfig(config, desired);
  const scope = desired.scope ? new Set(desired.scope.accounts.filter((a) => accounts.includes(a))) : null;
  return { prefix: scopePrefix(desired.connectionId), objects, accounts, scope, warnings };
}

/**
 * The planner's input from the platform state. On the delta path (`scope`) the desired state speaks
 * only for the scope's accounts; every other managed account keeps exactly what its Steward roles
 * give it now, so the full planner changes nothing for them.
 */
function planInput(p: Prepared, desired: AccessDesiredState, state: SfState, warnings: string[]): PlanInput {
  const objects: PlanInput["objects"] = [];
  let gone = 0;
  for (const o of p.objects) {
    const found = state.objects.get(showName(o.parts));
    if (found) objects.push({ id: o.id, parts: o.parts, object: { kind: found.kind, shared: found.shared } });
    else gone++;
  }
  if (gone) warnings.push(`${gone} objects do not exist in Snowflake (or are of a type Steward does not grant on); skipped`);
  const missing = p.accounts.filter((a) => !state.users.has(a));
  if (missing.length)
    warnings.push(`no Snowflake user for ${missing.map((a) => JSON.stringify(a)).join(", ")}; their grants wait until the user exists`);
  const accounts = p.accounts.filter((a) => state.users.has(a));
  const inScope = (a: string) => !p.scope || p.scope.has(a);
  const access: PlanInput["access"] = desired.access
    .filter((e) => inScope(e.accountName))
    .map((e) => ({ objectId: e.objectId, account: e.accountName, level: e.level }));
  if (p.scope) {
    const idOf = new Map(objects.map((o) => [showName(o.parts), o.id]));
    const outside = new Set(accounts.filter((a) => !inScope(a)));
    for (const [role, info] of state.setRoles) {
      const holders = [...membersOfSetRole(state, role)].filter((a) => outside.has(a));
      for (const priv of info.privileges) {
        const id = priv.privilege === "SELECT" ? idOf.get(priv.name) : undefined;
        if (id) for (const account of holders) access.push({ objectId: id, account, level: info.level === "W" ? "WRITE" : "READ" });
      }
    }
  }
  // Since BCR 2024_08 an unset DEFAULT_SECONDARY_ROLES means ALL; a user who set it otherwise only
  // gets Steward's access-set roles in a session that asks for them (docs/platforms/snowflake.md).
  const granted = new Set(access.map((e) => e.account));
  const off = accounts.filter((a) => granted.has(a) && state.noSecondaryRoles.has(a));
  if (off.length)
    warnings.push(
      `DEFAULT_SECONDARY_ROLES is not ALL for ${off.map((a) => JSON.stringify(a)).join(", ")}: Steward's roles are granted but active only after USE SECONDARY ROLES ALL (or USE ROLE)`,
    );
  return { prefix: p.prefix, objects, accounts, access };
}

function failure(err: unknown): AccessError {
  if (err instanceof PolicyConfigError)
    return { code: "INVALID_CONFIG", errorClass: "CONFIGURATION", message: `INVALID_CONFIG: ${err.message}` };
  if (err instanceof PolicyCompileError)
    return { code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` };
  if (err instanceof InputError || err instanceof UnsafeIdentifierError)
    return { code: "INVALID_INPUT", errorClass: "PERMANENT", message: `INVALID_INPUT: ${err.message}` };
  const code = err instanceof ConnectorError ? err.problem.code : snowflakeErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return { code, errorClass: classifySnowflakeError(code), message: `${code}: ${message}` };
}

type Outcome = { plan: SfPlan; policies: DataPolicyPlan; statements: string[]; warnings: string[]; state: SfState; input: PlanInput };

/**
 * The data-policy statements come first (system objects, salt, profiles, policies), then the grants:
 * a table is masked before anyone is newly granted on it.
 */
async function planWith(q: SfQuery, r: Resolved, p: Prepared, desired: AccessDesiredState): Promise<Outcome> {
  const state = await readState(q, p.prefix, r.config.databases);
  const warnings: string[] = [];
  const input = planInput(p, desired, state, warnings);
  const policies = await planDataPolicies(q, r.config, desired, p, state);
  warnings.push(...policies.warnings);
  const plan = planAccess(input, state);
  return { plan, policies, statements: [...policies.statements, ...plan.statements], warnings, state, input };
}

/** Access counts plus every data-policy statement as `other`. */
const countsOf = (o: Outcome) => ({ ...o.plan.counts, other: o.plan.counts.other + o.policies.statements.length });

/** Grants on governed objects to roles Steward does not manage, with the users holding them directly. */
async function unmanagedFindings(q: SfQuery, o: Outcome, config: SnowflakeConfig): Promise<AccessFinding[]> {
  const findings: AccessFinding[] = [];
  const usersOf = new Map<string, string[]>();
  for (const obj of o.input.objects) {
    for (const g of await readObjectGrants(q, obj.object.kind, obj.parts)) {
      if (g.role.startsWith(o.input.prefix) || g.role === config.role || g.privilege === "OWNERSHIP") continue;
      if (!usersOf.has(g.role)) usersOf.set(g.role, await readUsersOfRole(q, g.role));
      const users = usersOf.get(g.role)!;
      const base = { kind: "UNMANAGED_GRANT", repairable: false, objectId: obj.id, grantee: g.role, privilege: g.privilege };
      if (users.length === 0) findings.push(base);
      for (const u of users) findings.push({ ...base, accountName: u });
    }
  }
  return findings;
}

export const snowflakeAccess: AccessPort = {
  async plan(connection, desired) {
    const t = started();
    const r = resolve(connection);
    if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
    try {
      const p = prepare(r.config, desired);
      const out = await withSnowflake(r.config, r.credentials, (q) => planWith(q, r, p, desired), { rawQueryErrors: true });
      const { plan } = out;
      return {
        kind: "planned",
        version: desired.version,
        statements: out.statements,
        counts: countsOf(out),
        findings: [...out.policies.findings, ...plan.findings],
        warnings: [...p.warnings, ...out.warnings],
        durationMs: since(t),
      };
    } catch (err) {
      return { kind: "failed", version: desired.version, error: failure(err), durationMs: since(t) };
    }
  },

  async apply(connection, desired) {
    const t = started();
    const r = resolve(connection);
    const applied: string[] = [];
    let attempted: string[] = [];
    if ("error" in r)
      return { kind: "failed", version: desired.version, error: r.error, statements: [], statementsAttempted: [], durationMs: since(t) };
    try {
      const p = prepare(r.config, desired);
      const out = await withSnowflake(
        r.config,
        r.credentials,
        async (q) => {
          const o = await planWith(q, r, p, desired);
          for (const sql of o.statements) {
            attempted = [sql];
            await q(sql);
            applied.push(sql);
            attempted = [];
          }
          return o;
        },
        { rawQueryErrors: true },
      );
      const warnings = [...p.warnings, ...out.warnings];
      if (applied.length === 0) return { kind: "unchanged", version: desired.version, warnings, durationMs: since(t) };
      return { kind: "applied", version: desired.version, statements: applied, counts: countsOf(out), warnings, durationMs: since(t) };
    } catch (err) {
      return {
        kind: "failed",
        version: desired.version,
        error: failure(err),
        statements: applied,
        statementsAttempted: attempted,
        durationMs: since(t),
      };
    }
  },

  async drift(connection, desired) {
    const t = started();
    const r = resolve(connection);
    if ("error" in r) return { kind: "failed", version: desired.version, error: r.error, durationMs: since(t) };
    try {
      const p = prepare(r.config, desired);
      const findings = await withSnowflake(
        r.config,
        r.credentials,
        async (q) => {
          const o = await planWith(q, r, p, desired);
          return [...o.policies.findings, ...o.plan.findings, ...(p.scope ? [] : await unmanagedFindings(q, o, r.config))];
        },
        { rawQueryErrors: true },
      );
      return { kind: "drift", version: desired.version, findings, durationMs: since(t) };
    } catch (err) {
      return { kind: "failed", version: desired.version, error: failure(err), durationMs: since(t) };
    }
  },
};
