/**
 * Databricks account SCIM (groups and users), for Steward's managed groups (group-access.ts). UC
 * privileges can only go to account groups, so this is the account API: either
 * `<accountHost>/api/2.0/accounts/<accountId>/scim/v2` (account admin token), or, without an account
 * id, the workspace's account proxy `<url>/api/2.0/account/scim/v2` (workspace admin token of an
 * identity-federated workspace). Failures are UcApiErrors classified like the UC client's.
 */
import { createJsonRequester, UcApiError } from "./client";
import type { UcConfig, UcCredentials } from "./config";

export const SCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCIM_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/** The API's maximum page size (`count` ≤ 100). */
const PAGE = 100;
/** userNames per lookup (`userName eq "a" or userName eq "b" …`). */
export const USER_LOOKUP_BATCH = 20;

export type ScimGroupRef = { id: string; displayName: string };
export type ScimMember = { value: string; display?: string };
export type ScimGroup = ScimGroupRef & { members: ScimMember[] };
type ListResponse<T> = { totalResults?: number; itemsPerPage?: number; Resources?: T[] };

/** A SCIM filter comparison value is a JSON string: quotes and backslashes escaped as in JSON. */
export const scimString = (s: string) => JSON.stringify(s);

/** The body of a membership PATCH: one `add` for all new members, one `remove` per member leaving. */
export function membersPatchBody(add: readonly string[], remove: readonly string[]) {
  const Operations: unknown[] = [];
  if (add.length) Operations.push({ op: "add", value: { members: add.map((value) => ({ value })) } });
  for (const id of remove) Operations.push({ op: "remove", path: `members[value eq ${scimString(id)}]` });
  return { schemas: [SCIM_PATCH_SCHEMA], Operations };
}

export function createGroupBody(displayName: string, members: readonly string[]) {
  return { schemas: [SCIM_GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) };
}

/** Where the SCIM API is for a connection (see the file comment), and with which token. */
export function scimEndpoint(config: UcConfig, credentials: UcCredentials): { base: string; token: string } {
  if (!config.accountId) return { base: `${config.url}/api/2.0/account/scim/v2`, token: credentials.token };
  return {
    base: `${config.accountHost ?? accountHostFor(config.url)}/api/2.0/accounts/${encodeURIComponent(config.accountId)}/scim/v2`,
    token: credentials.accountToken ?? credentials.token,
  };
}

/** The account console of a workspace's cloud (Azure, GCP, else AWS). */
export function accountHostFor(workspaceUrl: string): string {
  const host = new URL(workspaceUrl).hostname;
  if (host.endsWith(".azuredatabricks.net")) return "https://accounts.azuredatabricks.net";
  if (host.endsWith(".gcp.databricks.com")) return "https://accounts.gcp.databricks.com";
  return "https://accounts.cloud.databricks.com";
}

export type ScimClient = {
  readonly sent: { count: number };
  /** Every group whose displayName starts with `prefix` (ids and names; the list carries no members). */
  listGroups(prefix: string): Promise<ScimGroupRef[]>;
  getGroup(id: string): Promise<ScimGroup>;
  /** userName (lower case) → user id, for those that exist. */
  findUsers(userNames: readonly string[]): Promise<Map<string, string>>;
  createGroup(displayName: string, members: readonly string[]): Promise<ScimGroupRef>;
  patchMembers(id: string, add: readonly string[], remove: readonly string[]): Promise<void>;
  deleteGroup(id: string): Promise<void>;
};

export function createScimClient(config: UcConfig, credentials: UcCredentials, fetchImpl: typeof fetch = fetch): ScimClient {
  const { base, token } = scimEndpoint(config, credentials);
  const http = createJsonRequester({ base, token, timeoutMs: config.timeoutMs, fetchImpl, contentType: "application/scim+json" });
  const groupPath = (id: string) => `/Groups/${encodeURIComponent(id)}`;

  async function list<T>(path: string, query: Record<string, string>): Promise<T[]> {
    const out: T[] = [];
    for (let start = 1; start < 10_000_000; ) {
      const res = await http.request<ListResponse<T> | null>("GET", path, undefined, {
        ...query,
        startIndex: String(start),
        count: String(PAGE),
      });
      const page = res?.Resources ?? [];
      out.push(...page);
      if (page.length === 0 || start - 1 + page.length >= (res?.totalResults ?? 0)) return out;
      start += page.length;
    }
    throw new UcApiError("SERVER_ERROR", `${path}: pagination did not end`);
  }

  let batch = USER_LOOKUP_BATCH;
  async function lookup(names: readonly string[], into: Map<string, string>): Promise<void> {
    const filter = names.map((n) => `userName eq ${scimString(n)}`).join(" or ");
    const users = await list<{ id?: unknown; userName?: unknown }>("/Users", { filter, attributes: "id,userName" });
    for (const u of users) if (typeof u.id === "string" && typeof u.userName === "string") into.set(u.userName.toLowerCase(), u.id);
  }

  return {
    sent: http.sent,
    async listGroups(prefix) {
      let groups: { id?: unknown; displayName?: unknown }[];
      try {
        groups = await list("/Groups", { filter: `displayName sw ${scimString(prefix)}`, attributes: "id,displayName" });
      } catch (err) {
        // The first SCIM request: a 404 here means there is no account SCIM API at that address.
        if (err instanceof UcApiError && err.code === "NOT_FOUND")
          throw new UcApiError(
            "INVALID_CONFIG",
            `${err.message} (no Databricks account SCIM API at ${base}: check the connection's server flavor, account id and account URL)`,
            err.status,
          );
        throw err;
      }
      return groups.flatMap((g) =>
        typeof g.id === "string" && typeof g.displayName === "string" ? [{ id: g.id, displayName: g.displayName }] : [],
      );
    },
    async getGroup(id) {
      const g = await http.request<{ id?: unknown; displayName?: unknown; members?: unknown } | null>("GET", groupPath(id), undefined, {
        attributes: "id,displayName,members",
      });
      if (typeof g?.id !== "string" || typeof g.displayName !== "string")
        throw new UcApiError("SERVER_ERROR", `GET ${groupPath(id)}: the answer is not a group`);
      const members = Array.isArray(g.members) ? (g.members as ScimMember[]).filter((m) => typeof m?.value === "string") : [];
      return { id: g.id, displayName: g.displayName, members };
    },
    async findUsers(userNames) {
      const out = new Map<string, string>();
      const names = [...new Set(userNames)];
      for (let i = 0; i < names.length; ) {
        const chunk = names.slice(i, i + batch);
        try {
          await lookup(chunk, out);
          i += chunk.length;
        } catch (err) {
          // `or` filters are documented as supported; should a server refuse them, one name per request.
          if (!(err instanceof UcApiError && err.code === "BAD_REQUEST" && batch > 1)) throw err;
          batch = 1;
        }
      }
      return out;
    },
    async createGroup(displayName, members) {
      const g = await http.request<{ id?: unknown } | null>("POST", "/Groups", createGroupBody(displayName, members));
      if (typeof g?.id !== "string") throw new UcApiError("SERVER_ERROR", "POST /Groups: the answer carries no group id");
      return { id: g.id, displayName };
    },
    async patchMembers(id, add, remove) {
      await http.request("PATCH", groupPath(id), membersPatchBody(add, remove));
    },
    async deleteGroup(id) {
      await http.request("DELETE", groupPath(id));
    },
  };
}
