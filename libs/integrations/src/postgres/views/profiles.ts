/**
 * Profile rows: one per managed account, the facts policy views read at query time. Only rows that
 * differ are written (a profile change is one small UPSERT, never a view rebuild); on the delta path
 * only the scope's accounts are read and written. Sets are stored sorted and de-duplicated so equal
 * facts always compare equal.
 */
import type { ProfileRow } from "@steward/policy";
import type pg from "pg";
import { quoteLiteral } from "../../sql/quote";
import { PROFILE } from "./system";

const ROWS_PER_STATEMENT = 500;
const COLUMNS = `"account_name", "user_id", "username", "groups", "attributes", "project_id", "purposes", "sources"`;

type Canonical = {
  accountName: string;
  userId: string;
  username: string;
  groups: string[];
  attributes: Record<string, string[]>;
  projectId: string | null;
  purposes: string[];
  sources: string[];
};

const set = (values: readonly string[]) => [...new Set(values)].sort();

export function canonicalProfile(p: ProfileRow): Canonical {
  const attributes: Record<string, string[]> = {};
  for (const key of Object.keys(p.attributes).sort()) attributes[key] = set(p.attributes[key] ?? []);
  return {
    accountName: p.accountName,
    userId: p.userId,
    username: p.username,
    groups: set(p.groups),
    attributes,
    projectId: p.projectId,
    purposes: set(p.purposes),
    sources: set(p.sources),
  };
}

const textArray = (values: readonly string[]) => (values.length ? `ARRAY[${values.map(quoteLiteral).join(", ")}]::text[]` : `'{}'::text[]`);

function rowValues(p: Canonical): string {
  return `(${[
    quoteLiteral(p.accountName),
    quoteLiteral(p.userId),
    quoteLiteral(p.username),
    textArray(p.groups),
    `${quoteLiteral(JSON.stringify(p.attributes))}::jsonb`,
    p.projectId === null ? "NULL" : quoteLiteral(p.projectId),
    textArray(p.purposes),
    textArray(p.sources),
  ].join(", ")})`;
}

type StoredRow = {
  account_name: string;
  user_id: string;
  username: string;
  groups: string[];
  attributes: Record<string, string[]>;
  project_id: string | null;
  purposes: string[];
  sources: string[];
};

async function readRows(client: pg.ClientBase, scope: readonly string[] | undefined): Promise<Map<string, string>> {
  const res = scope
    ? await client.query<StoredRow>(`SELECT ${COLUMNS} FROM ${PROFILE} WHERE "account_name" = ANY($1::text[])`, [scope])
    : await client.query<StoredRow>(`SELECT ${COLUMNS} FROM ${PROFILE}`);
  return new Map(
    res.rows.map((r) => [
      r.account_name,
      JSON.stringify(
        canonicalProfile({
          accountName: r.account_name,
          userId: r.user_id,
          username: r.username,
          groups: r.groups,
          attributes: r.attributes,
          projectId: r.project_id,
          purposes: r.purposes,
          sources: r.sources,
        }),
      ),
    ]),
  );
}

export type ProfileChanges = { statements: string[]; upserted: number; deleted: number };

/** Statements bringing the stored rows to `desired` (within `scope` when set; rows outside it are untouched). */
export async function planProfiles(
  client: pg.ClientBase,
  desired: readonly ProfileRow[],
  scope: readonly string[] | undefined,
): Promise<ProfileChanges> {
  const inScope = scope ? new Set(scope) : null;
  const wanted = new Map<string, Canonical>();
  for (const p of desired) if (!inScope || inScope.has(p.accountName)) wanted.set(p.accountName, canonicalProfile(p));
  const stored = await readRows(client, scope);
  const changed = [...wanted.values()].filter((p) => stored.get(p.accountName) !== JSON.stringify(p));
  const gone = [...stored.keys()].filter((a) => !wanted.has(a)).sort();
  const statements: string[] = [];
  for (let i = 0; i < changed.length; i += ROWS_PER_STATEMENT) {
    const part = changed.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      `INSERT INTO ${PROFILE} (${COLUMNS}) VALUES\n  ${part.map(rowValues).join(",\n  ")}\nON CONFLICT ("account_name") DO UPDATE SET ` +
        `"user_id" = EXCLUDED."user_id", "username" = EXCLUDED."username", "groups" = EXCLUDED."groups", ` +
        `"attributes" = EXCLUDED."attributes", "project_id" = EXCLUDED."project_id", "purposes" = EXCLUDED."purposes", "sources" = EXCLUDED."sources"`,
    );
  }
  for (let i = 0; i < gone.length; i += ROWS_PER_STATEMENT)
    statements.push(
      `DELETE FROM ${PROFILE} WHERE "account_name" IN (${gone
        .slice(i, i + ROWS_PER_STATEMENT)
        .map(quoteLiteral)
        .join(", ")})`,
    );
  return { statements, upserted: changed.length, deleted: gone.length };
}
