/**
 * A local stand-in for the parts of Databricks Steward's groups use (Databricks cannot run here):
 * account SCIM Users/Groups, at the account path `/api/2.0/accounts/{id}/scim/v2` and the workspace
 * proxy `/api/2.0/account/scim/v2`, and the UC permissions API `/api/2.1/unity-catalog/permissions`.
 * An in-memory model; every request is recorded; it refuses what the documented API refuses: a
 * wrong token (401), a read-only token writing (403), an unknown account, group or securable (404),
 * a principal that is neither a user nor a group (404), OSS spellings or privileges a securable cannot
 * take (400), a duplicate group name (409), a page larger than 100 (400). Failures can be injected.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const UC = "/api/2.1/unity-catalog/permissions/";
const PRIVILEGES: Record<string, Set<string>> = {
  catalog: new Set(["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY", "BROWSE", "ALL_PRIVILEGES"]),
  schema: new Set(["USE_SCHEMA", "SELECT", "MODIFY", "ALL_PRIVILEGES"]),
  table: new Set(["SELECT", "MODIFY", "ALL_PRIVILEGES"]),
};

export type RecordedRequest = { method: string; path: string; query: Record<string, string>; body: unknown };
type Fault = { method?: string; path: RegExp; status: number; times: number };
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = "INVALID_PARAMETER_VALUE",
  ) {
    super(message);
  }
}

export class DatabricksModel {
  readonly users = new Map<string, { id: string; userName: string }>();
  readonly groups = new Map<string, { id: string; displayName: string; members: Set<string> }>();
  readonly securables = new Set<string>();
  /** `type:full_name` → principal → privileges. */
  readonly grants = new Map<string, Map<string, Set<string>>>();
  private nextId = 1000;

  addUser(userName: string): string {
    const id = String(this.nextId++);
    this.users.set(id, { id, userName });
    return id;
  }
  addTable(parts: [string, string, string]): void {
    this.securables.add(`catalog:${parts[0]}`);
    this.securables.add(`schema:${parts[0]}.${parts[1]}`);
    this.securables.add(`table:${parts.join(".")}`);
  }
  userNamed(name: string) {
    return [...this.users.values()].find((u) => u.userName.toLowerCase() === name.toLowerCase());
  }
  groupNamed(name: string) {
    return [...this.groups.values()].find((g) => g.displayName === name);
  }
  createGroup(displayName: string, members: string[] = []) {
    if (this.groupNamed(displayName)) throw new HttpError(409, `Group with name ${displayName} already exists.`);
    for (const m of members)
      if (!this.users.has(m) && ![...this.groups.values()].some((g) => g.id === m)) throw new HttpError(404, `Member ${m} not found`);
    const g = { id: String(this.nextId++), displayName, members: new Set(members) };
    this.groups.set(g.id, g);
    return g;
  }
  principalExists(p: string): boolean {
    return !!this.userNamed(p) || !!this.groupNamed(p);
  }
  /** Canonical principal key: users case-insensitively by userName, groups by name. */
  private key(p: string) {
    return this.userNamed(p)?.userName ?? p;
  }
  patch(securable: string, changes: { principal: string; add?: string[]; remove?: string[] }[]) {
    if (!this.securables.has(securable)) throw new HttpError(404, `${securable} does not exist.`, "NOT_FOUND");
    const type = securable.slice(0, securable.indexOf(":"));
    for (const c of changes) {
      if (typeof c.principal !== "string" || !this.principalExists(c.principal))
        throw new HttpError(404, `Could not find principal with name ${c.principal}`, "PRINCIPAL_DOES_NOT_EXIST");
      for (const p of [...(c.add ?? []), ...(c.remove ?? [])])
        if (!PRIVILEGES[type]!.has(p)) throw new HttpError(400, `Privilege ${p} is not applicable to this entity`);
    }
    const per = this.grants.get(securable) ?? this.grants.set(securable, new Map()).get(securable)!;
    for (const c of changes) {
      const k = this.key(c.principal);
      const set = per.get(k) ?? per.set(k, new Set()).get(k)!;
      for (const p of c.add ?? []) set.add(p);
      for (const p of c.remove ?? []) set.delete(p);
      if (set.size === 0) per.delete(k);
    }
  }
  /** Direct privileges of a principal on a securable. */
  direct(securable: string, principal: string): Set<string> {
    return this.grants.get(securable)?.get(this.key(principal)) ?? new Set();
  }
  /** What a user may do there, through their own grants and their groups' (one level of nesting). */
  effective(securable: string, userName: string): Set<string> {
    const u = this.userNamed(userName);
    const out = new Set(this.direct(securable, userName));
    if (u) for (const g of this.groups.values()) if (g.members.has(u.id)) for (const p of this.direct(securable, g.displayName)) out.add(p);
    return out;
  }
}

/** `attr op "json"` terms joined by `or` / `and` (the simple expressions the account API supports). */
export function matchesFilter(filter: string, item: Record<string, unknown>): boolean {
  const re = /\s*(\w+)\s+(eq|ne|sw|co)\s+("(?:[^"\\]|\\.)*")\s*(?:(or|and)\b|$)/gy;
  let result: boolean | null = null;
  let joiner = "or";
  let m: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: a tokenizer loop
  while ((m = re.exec(filter))) {
    const [, attr, op, lit, next] = m;
    const want = (JSON.parse(lit!) as string).toLowerCase();
    const have = String(item[attr!] ?? "").toLowerCase();
    const ok = op === "eq" ? have === want : op === "ne" ? have !== want : op === "sw" ? have.startsWith(want) : have.includes(want);
    result = result === null ? ok : joiner === "or" ? result || ok : result && ok;
    joiner = next ?? "";
    end = re.lastIndex;
    if (!next) break;
  }
  if (result === null || end !== filter.length) throw new HttpError(400, `Invalid filter: ${filter}`);
  return result;
}

export type DatabricksServer = {
  url: string;
  accountId: string;
  adminToken: string;
  readOnlyToken: string;
  model: DatabricksModel;
  requests: RecordedRequest[];
  inject(fault: Omit<Fault, "times"> & { times?: number }): void;
  /** Refuse `or` in user filters (400), as a stricter server might. */
  refuseOrFilters: boolean;
  stop(): Promise<void>;
};

export async function startDatabricksServer(): Promise<DatabricksServer> {
  const model = new DatabricksModel();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const s = {
    accountId: "0d8e5c1a-3b7f-4c2d-9e6a-5f4b3c2d1e0f",
    adminToken: "dapi-admin",
    readOnlyToken: "dapi-reader",
    refuseOrFilters: false,
  };

  const scim = (method: string, rest: string, q: URLSearchParams, body: unknown): [number, unknown] => {
    const page = <T extends Record<string, unknown>>(items: T[]) => {
      const filter = q.get("filter");
      const count = Number(q.get("count") ?? 10_000);
      if (count > 100) throw new HttpError(400, "count must be <= 100");
      if (filter && s.refuseOrFilters && / or /.test(filter.replace(/"(?:[^"\\]|\\.)*"/g, '""')))
        throw new HttpError(400, "Unsupported filter");
      const all = filter ? items.filter((i) => matchesFilter(filter, i)) : items;
      const start = Math.max(1, Number(q.get("startIndex") ?? 1));
      const Resources = all.slice(start - 1, start - 1 + count);
      return {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        totalResults: all.length,
        startIndex: start,
        itemsPerPage: Resources.length,
        Resources,
      };
    };
    const groupJson = (g: { id: string; displayName: string; members: Set<string> }) => ({
      id: g.id,
      displayName: g.displayName,
      members: [...g.members].map((value) => ({ value, display: model.users.get(value)?.userName, $ref: `Users/${value}` })),
    });
    if (method === "GET" && rest === "Users") return [200, page([...model.users.values()])];
    if (method === "GET" && rest === "Groups")
      return [200, page([...model.groups.values()].map((g) => ({ id: g.id, displayName: g.displayName })))];
    if (method === "POST" && rest === "Groups") {
      const b = body as { displayName?: unknown; members?: { value?: unknown }[] };
      if (typeof b?.displayName !== "string" || !b.displayName.trim()) throw new HttpError(400, "displayName is required");
      return [
        201,
        groupJson(
          model.createGroup(
            b.displayName,
            (b.members ?? []).map((m) => String(m.value)),
          ),
        ),
      ];
    }
    const id = /^Groups\/([^/]+)$/.exec(rest)?.[1];
    const g = id ? model.groups.get(decodeURIComponent(id)) : undefined;
    if (!id) throw new HttpError(404, `No such endpoint ${rest}`, "NOT_FOUND");
    if (!g) throw new HttpError(404, `Group with id ${id} not found.`, "NOT_FOUND");
    if (method === "GET") return [200, groupJson(g)];
    if (method === "DELETE") {
      model.groups.delete(g.id);
      for (const per of model.grants.values()) per.delete(g.displayName);
      return [204, null];
    }
    if (method !== "PATCH") throw new HttpError(405, `${method} not allowed`);
    const b = body as { schemas?: unknown; Operations?: { op?: string; path?: string; value?: { members?: { value?: unknown }[] } }[] };
    if (!Array.isArray(b?.schemas) || !b.schemas.includes("urn:ietf:params:scim:api:messages:2.0:PatchOp") || !Array.isArray(b.Operations))
      throw new HttpError(400, "schemas must be [urn:ietf:params:scim:api:messages:2.0:PatchOp] with Operations");
    const next = new Set(g.members);
    for (const op of b.Operations) {
      if (op.op?.toLowerCase() === "add" && Array.isArray(op.value?.members)) {
        for (const m of op.value.members) {
          if (!model.users.has(String(m.value))) throw new HttpError(404, `Member ${String(m.value)} not found`);
          next.add(String(m.value));
        }
      } else if (op.op?.toLowerCase() === "remove" && typeof op.path === "string") {
        const v = /^members\[value eq ("(?:[^"\\]|\\.)*")\]$/.exec(op.path)?.[1];
        if (!v) throw new HttpError(400, `Unsupported path ${op.path}`);
        next.delete(JSON.parse(v) as string);
      } else throw new HttpError(400, `Unsupported operation ${JSON.stringify(op)}`);
    }
    g.members = next;
    return [200, groupJson(g)];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    let body: unknown = null;
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(json === null ? "" : JSON.stringify(json));
    };
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      return send(400, { error_code: "MALFORMED_REQUEST", message: "body is not JSON" });
    }
    requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    const isScim = url.pathname.includes("/scim/v2/");
    const fail = (e: HttpError) =>
      send(
        e.status,
        isScim
          ? { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], detail: e.message, status: String(e.status) }
          : { error_code: e.code, message: e.message },
      );
    try {
      const fault = faults.find((f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(url.pathname));
      if (fault) {
        fault.times--;
        throw new HttpError(fault.status, `injected ${fault.status}`, "INJECTED");
      }
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${s.adminToken}` && auth !== `Bearer ${s.readOnlyToken}`)
        throw new HttpError(401, "Invalid access token.", "UNAUTHENTICATED");
      if (auth === `Bearer ${s.readOnlyToken}` && method !== "GET")
        throw new HttpError(403, "User is not an account admin.", "PERMISSION_DENIED");
      const account = /^\/api\/2\.0\/accounts\/([^/]+)\/scim\/v2\/(.+)$/.exec(url.pathname);
      const proxy = /^\/api\/2\.0\/account\/scim\/v2\/(.+)$/.exec(url.pathname);
      if (account && decodeURIComponent(account[1]!) !== s.accountId) throw new HttpError(404, "Account not found", "NOT_FOUND");
      if (account || proxy) {
        const [status, json] = scim(method, account ? account[2]! : proxy![1]!, url.searchParams, body);
        return send(status, json);
      }
      if (url.pathname.startsWith(UC)) {
        const [type, ...rest] = url.pathname.slice(UC.length).split("/");
        const securable = `${type}:${rest.join("/").split(".").map(decodeURIComponent).join(".")}`;
        if (method === "GET") {
          if (!model.securables.has(securable)) throw new HttpError(404, `${securable} does not exist.`, "NOT_FOUND");
          const per = model.grants.get(securable) ?? new Map<string, Set<string>>();
          const privilege_assignments = [...per].map(([principal, p]) => ({ principal, privileges: [...p].sort() }));
          return send(200, { privilege_assignments });
        }
        if (method === "PATCH") {
          const changes = (body as { changes?: unknown })?.changes;
          if (!Array.isArray(changes)) throw new HttpError(400, "changes is required");
          model.patch(securable, changes);
          return send(200, { privilege_assignments: [] });
        }
      }
      throw new HttpError(404, `No API at ${method} ${url.pathname}`, "ENDPOINT_NOT_FOUND");
    } catch (err) {
      if (err instanceof HttpError) return fail(err);
      return fail(new HttpError(500, String(err), "INTERNAL_ERROR"));
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(s, {
    url: `http://127.0.0.1:${port}`,
    model,
    requests,
    inject: (f: Omit<Fault, "times"> & { times?: number }) => void faults.push({ ...f, times: f.times ?? 1 }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
