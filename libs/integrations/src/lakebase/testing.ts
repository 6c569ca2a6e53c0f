/**
 * A stand-in for a Databricks workspace and its Lakebase instance, for tests: a local OAuth token
 * endpoint (node:http, the client-credentials shape Databricks documents) in front of a throw-away
 * PostgreSQL cluster with scram-sha-256 password logins. Issuing a token makes it the service
 * principal role's password, valid until the token expires — so, as on Lakebase, the newest unexpired
 * token is what signs in, and a stale, revoked or made-up one is refused by the real server.
 */
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { quoteIdent } from "../sql/quote";
import { type ScratchCluster, startScratchCluster } from "../testing/scratch-cluster";

export type TokenEndpointMode = "ok" | "down";

export type LakebaseFixture = {
  cluster: ScratchCluster;
  workspaceUrl: string;
  clientId: string;
  clientSecret: string;
  /** Every token issued so far, oldest first. */
  issued: string[];
  /** Lifetime of the next tokens (seconds). */
  lifetimeSeconds: number;
  mode: TokenEndpointMode;
  /** Runs SQL as the cluster's superuser. */
  admin(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult>;
  /** Runs SQL as the service principal (its role owns what it creates), e.g. to build a warehouse. */
  asPrincipal(sql: string, database: string): Promise<void>;
  /** How many logins the server has refused with a wrong password so far. */
  refusedLogins(): number;
  close(): Promise<void>;
};

export async function startLakebaseFixture(): Promise<LakebaseFixture> {
  const cluster = await startScratchCluster();
  const clientId = randomUUID();
  const clientSecret = `dose${randomBytes(16).toString("hex")}`;
  const admin = async (sql: string, params: unknown[] = [], database = "postgres") => {
    const client = new pg.Client({ connectionString: cluster.url(database) });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  // Lakebase's principals hold CREATEROLE (databricks_superuser grants the rest); no password yet.
  await admin(`CREATE ROLE ${quoteIdent(clientId)} LOGIN CREATEROLE`);

  const fixture: LakebaseFixture = {
    cluster,
    workspaceUrl: "",
    clientId,
    clientSecret,
    issued: [],
    lifetimeSeconds: 60,
    mode: "ok",
    admin,
    async asPrincipal(sql, database) {
      await admin(`SET ROLE ${quoteIdent(clientId)}; ${sql}`, [], database);
    },
    refusedLogins: () => {
      const log = fs.existsSync(cluster.logFile) ? fs.readFileSync(cluster.logFile, "utf8") : "";
      return log.split("password authentication failed").length - 1;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cluster.destroy();
    },
  };

  const issue = async (res: http.ServerResponse) => {
    const token = `eyJ${randomBytes(24).toString("base64url")}`;
    const lifetime = fixture.lifetimeSeconds;
    const validUntil = new Date(Date.now() + lifetime * 1000).toISOString();
    const sql = await admin("SELECT format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', $1::text, $2::text, $3::text) AS sql", [
      clientId,
      token,
      validUntil,
    ]);
    await admin(sql.rows[0].sql as string);
    fixture.issued.push(token);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: token, token_type: "Bearer", scope: "all-apis", expires_in: lifetime }));
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const reply = (status: number, json: object) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method !== "POST" || req.url !== "/oidc/v1/token") return reply(404, { error: "not_found" });
      if (fixture.mode === "down") return reply(503, { error: "temporarily_unavailable" });
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "client_credentials" || form.get("scope") !== "all-apis")
        return reply(400, { error: "invalid_request" });
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
      if (req.headers.authorization !== expected)
        return reply(401, { error: "invalid_client", error_description: "Client authentication failed" });
      issue(res).catch((err) => reply(500, { error: "server_error", error_description: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fixture.workspaceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fixture;
}

/** The connection config of a fixture (the scratch cluster has no TLS). */
export function lakebaseConfig(f: LakebaseFixture, databases: string[]) {
  return { workspaceUrl: f.workspaceUrl, host: "127.0.0.1", port: f.cluster.port, clientId: f.clientId, databases, sslMode: "disable" };
}
