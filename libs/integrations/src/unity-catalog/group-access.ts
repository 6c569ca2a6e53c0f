/**
 * The Databricks flavor of the access port: Steward's account groups (group-planner.ts) managed
 * through SCIM, UC privileges granted to those groups only. Reads: Steward's groups (one list, one GET
 * per group for its members, since the list carries none), the users named in the desired state
 * (userName lookups, batched), and the grants as access.ts reads them. Writes, in this order: create
 * groups (members inline), membership PATCHes, UC permission PATCHes, DELETE of obsolete groups. A
 * failure stops the run; what succeeded is returned as `statements`, and the ledger has its grants.
 */
import type { AccessApplyResult, AccessDesiredState, AccessDriftResult, AccessPlanResult } from "../access-types";
import { isGone, ledgerChange, type Ready, readCurrent, since, toError, type UcAccessDeps, unreadFor, writeConcurrency } from "./access-io";
import { mapLimit } from "./client";
import { type CurrentGroup, type GroupPlan, groupPrefix, parseGroup, planGroupAccess } from "./group-planner";
import { renderPatch, wireChanges } from "./planner";
import { createGroupBody, createScimClient, membersPatchBody, type ScimClient } from "./scim-client";

type Run = { plan: GroupPlan; warnings: string[]; scim: ScimClient; ledger: Set<string> | null };

/** How each write is shown in plans and runs: method, path and body as sent (ids of new groups are not known yet). */
export function renderGroupPlan(plan: GroupPlan): string[] {
  return [
    ...plan.creates.map((c) => `POST /scim/v2/Groups ${JSON.stringify(createGroupBody(c.name, c.members))}`),
    ...plan.memberPatches.map((m) => renderMembers(m.group, m.add, m.remove)),
    ...plan.patches.map((p) => renderPatch(p, "DATABRICKS")),
    ...plan.deletes.map((g) => renderDelete(g)),
  ];
}
const renderMembers = (g: CurrentGroup, add: string[], remove: string[]) =>
  `PATCH /scim/v2/Groups/${encodeURIComponent(g.id)} ${JSON.stringify(membersPatchBody(add, remove))}`;
const renderDelete = (g: CurrentGroup) => `DELETE /scim/v2/Groups/${encodeURIComponent(g.id)} (${g.displayName})`;

async function planRun(r: Ready, desired: AccessDesiredState, mode: "plan" | "drift", deps: UcAccessDeps): Promise<Run> {
  const scim = createScimClient(r.config, r.credentials, deps.fetch);
  const prefix = groupPrefix(desired.connectionId);
  const refs = await scim.listGroups(prefix);
  const foreign = refs.filter((g) => parseGroup(prefix, g.displayName) === null).map((g) => g.displayName);
  const groups = await mapLimit(
    refs.filter((g) => parseGroup(prefix, g.displayName) !== null),
    r.config.concurrency,
    async (ref): Promise<CurrentGroup> => {
      const g = await scim.getGroup(ref.id);
      return {
        id: g.id,
        displayName: g.displayName,
        level: parseGroup(prefix, g.displayName)!,
        members: new Map(g.members.map((m) => [m.value, m.display])),
      };
    },
  );
  // Users are looked up only when they need an id: those with access, and on the delta path the
  // scope's accounts (whose memberships may have to end).
  const names = new Set<string>();
  for (const per of r.prepared.want.values()) for (const account of per.keys()) names.add(account);
  if (r.prepared.scope) for (const a of r.prepared.scope) names.add(a);
  const userIds = await scim.findUsers([...names].sort());

  const ledger = r.ledger ? await r.ledger.read(desired.connectionId) : null;
  const { current, gone } = await readCurrent(r, unreadFor(r, desired, ledger, mode));
  const plan = planGroupAccess({
    prepared: r.prepared,
    prefix,
    userIds,
    groups: groups.sort((a, b) => (a.displayName < b.displayName ? -1 : 1)),
    foreign,
    current,
    options: { ledger, unmanagedGrants: desired.settings.unmanagedGrants, revokeUnmanaged: ledger !== null },
    scope: r.prepared.scope,
  });
  for (const g of gone) plan.findings.push({ kind: "SECURABLE_MISSING", repairable: false, securable: g });
  const warnings = [...r.prepared.warnings, ...gone.map((g) => `${g} does not exist (dropped since the last sync?); skipped`)];
  const unknown = plan.findings.filter((f) => f.kind === "UNKNOWN_USER").map((f) => JSON.stringify(f.accountName));
  if (unknown.length) warnings.push(`no Databricks user for ${unknown.join(", ")}; their access waits until the user exists`);
  return { plan, warnings, scim, ledger };
}

const isEmpty = (p: GroupPlan) => !p.creates.length && !p.memberPatches.length && !p.patches.length && !p.deletes.length;

export function groupAccess(deps: UcAccessDeps) {
  return {
    async plan(r: Ready, desired: AccessDesiredState, t: number): Promise<AccessPlanResult> {
      try {
        const { plan, warnings } = await planRun(r, desired, "plan", deps);
        const statements = renderGroupPlan(plan);
        return {
          kind: "planned",
          version: desired.version,
          statements,
          counts: plan.counts,
          findings: plan.findings,
          warnings,
          durationMs: since(t),
        };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
    },

    async drift(r: Ready, desired: AccessDesiredState, t: number): Promise<AccessDriftResult> {
      try {
        const { plan } = await planRun(r, desired, "drift", deps);
        return { kind: "drift", version: desired.version, findings: plan.findings, durationMs: since(t) };
      } catch (err) {
        return { kind: "failed", version: desired.version, error: toError(err), durationMs: since(t) };
      }
    },

    async apply(r: Ready, desired: AccessDesiredState, t: number): Promise<AccessApplyResult> {
      let run: Run;
      try {
        run = await planRun(r, desired, "plan", deps);
      } catch (err) {
        return {
          kind: "failed",
          version: desired.version,
          error: toError(err),
          statements: [],
          statementsAttempted: [],
          durationMs: since(t),
        };
      }
      const { plan, warnings, scim } = run;
      if (isEmpty(plan)) return { kind: "unchanged", version: desired.version, warnings, durationMs: since(t) };
      const done = new Set<string>();
      const attempted: string[] = [];
      const gone = new Set<string>();
      const limit = writeConcurrency(r.config);
      const step = async <T>(items: readonly T[], render: (x: T) => string, send: (x: T) => Promise<void>) =>
        mapLimit(items, limit, async (x) => {
          const statement = render(x);
          try {
            await send(x);
          } catch (err) {
            attempted.push(statement);
            throw err;
          }
          done.add(statement);
        });
      try {
        await step(
          plan.creates,
          (c) => `POST /scim/v2/Groups ${JSON.stringify(createGroupBody(c.name, c.members))}`,
          async (c) => void (await scim.createGroup(c.name, c.members)),
        );
        await step(
          plan.memberPatches,
          (m) => renderMembers(m.group, m.add, m.remove),
          (m) => scim.patchMembers(m.group.id, m.add, m.remove),
        );
        await mapLimit(plan.patches, limit, async (p) => {
          const statement = renderPatch(p, "DATABRICKS");
          try {
            await r.client.updatePermissions(p.securable.type, p.securable.parts, wireChanges(p, "DATABRICKS"));
          } catch (err) {
            if (await isGone(r, p, err)) {
              gone.add(statement);
              warnings.push(`${p.securable.type} ${p.securable.parts.join(".")} does not exist (dropped since the last sync?); skipped`);
              return;
            }
            attempted.push(statement);
            throw err;
          }
          done.add(statement);
          await r.ledger?.record(desired.connectionId, ledgerChange(p));
        });
        await step(plan.deletes, renderDelete, async (g) => {
          await scim.deleteGroup(g.id);
          // The group's grants went with it (the PATCHes above revoked those on governed securables).
          const mark = `\u0001${g.displayName}\u0001`;
          const removed = [...(run.ledger ?? [])].filter((k) => k.includes(mark));
          if (removed.length) await r.ledger?.record(desired.connectionId, { added: [], removed });
        });
      } catch (err) {
        const statements = renderGroupPlan(plan).filter((s) => done.has(s));
        return {
          kind: "failed",
          version: desired.version,
          error: toError(err),
          statements,
          statementsAttempted: attempted,
          durationMs: since(t),
        };
      }
      const statements = renderGroupPlan(plan).filter((s) => !gone.has(s));
      if (statements.length === 0) return { kind: "unchanged", version: desired.version, warnings, durationMs: since(t) };
      return { kind: "applied", version: desired.version, statements, counts: plan.counts, warnings, durationMs: since(t) };
    },
  };
}
