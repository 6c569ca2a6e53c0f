import { type AccountRules, adapterFor, type PlatformKind } from "@steward/integrations";
import { z } from "zod";

/** A Steward user the reconciler leaves out on one connection, and why (shown to admins and in explainAccess). */
export type AccountProblem = { userId: string; username: string; accountName: string; problem: string };

/** The account rules of a connection's platform, from its adapter (they may depend on the connection's config). */
export function accountRulesFor(connection: { kind: PlatformKind; config: unknown }): AccountRules {
  return adapterFor(connection.kind).accounts.forConnection(connection.config);
}

/**
 * Splits a user → account mapping into the usable part and per-user problems. An account the
 * platform refuses (reserved, `pg_*`, too long…) leaves out its user; an account two users map to
 * leaves out *both*, since granting to it would hand one person's access to the other. Data that
 * predates write-time validation, or an attribute mapping, can produce either.
 */
export function checkAccounts(
  mapped: ReadonlyMap<string, string>,
  usernames: ReadonlyMap<string, string>,
  rules: AccountRules,
): { accounts: Map<string, string>; problems: AccountProblem[] } {
  const problems = new Map<string, AccountProblem>();
  const byCanonical = new Map<string, string[]>();
  for (const [userId, accountName] of mapped) {
    const username = usernames.get(userId) ?? userId;
    const reason = rules.validate(accountName);
    if (reason !== null) {
      problems.set(userId, { userId, username, accountName, problem: `platform account ${JSON.stringify(accountName)}: ${reason}` });
      continue;
    }
    const key = rules.canonical(accountName);
    const list = byCanonical.get(key);
    if (list) list.push(userId);
    else byCanonical.set(key, [userId]);
  }
  for (const userIds of byCanonical.values()) {
    if (userIds.length < 2) continue;
    for (const userId of userIds) {
      const accountName = mapped.get(userId)!;
      const others = userIds
        .filter((id) => id !== userId)
        .map((id) => usernames.get(id) ?? id)
        .sort();
      problems.set(userId, {
        userId,
        username: usernames.get(userId) ?? userId,
        accountName,
        problem: `platform account ${JSON.stringify(accountName)} is also mapped to ${others.join(", ")}`,
      });
    }
  }
  const accounts = new Map([...mapped].filter(([userId]) => !problems.has(userId)));
  return { accounts, problems: [...problems.values()].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)) };
}

const StoredProblems = z.array(z.object({ userId: z.string(), username: z.string(), accountName: z.string(), problem: z.string() }));

/** Account problems as stored on a run or an access state (JSON); anything unreadable reads as none. */
export function storedAccountProblems(json: unknown): AccountProblem[] {
  const parsed = StoredProblems.safeParse(json ?? []);
  return parsed.success ? parsed.data : [];
}
