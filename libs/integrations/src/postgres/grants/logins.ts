import type { DesiredState, DriftFinding } from "./types";

/**
 * LOGIN roles Steward created for this connection's users follow the desired user list: a user who
 * was deactivated or whose mapping changed keeps the role (it may own objects, and dropping it
 * would lose them) but can no longer log in; coming back restores the login. Their memberships in
 * managed roles go the usual way (EXTRA_MEMBERSHIP).
 */
export function loginFindings(desired: DesiredState, userLogins: ReadonlyMap<string, boolean> | undefined): DriftFinding[] {
  if (!userLogins?.size) return [];
  const wanted = new Set(desired.users.map((u) => u.accountName));
  const mayChange = desired.loginScope ? new Set(desired.loginScope) : null;
  const findings: DriftFinding[] = [];
  for (const [user, canLogin] of [...userLogins].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (mayChange && !mayChange.has(user)) continue;
    if (canLogin && !wanted.has(user)) findings.push({ kind: "STALE_LOGIN", user });
    if (!canLogin && wanted.has(user)) findings.push({ kind: "DISABLED_LOGIN", user });
  }
  return findings;
}
