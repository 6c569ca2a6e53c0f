/**
 * Mutual TLS on the decision service (DECISIONS_TLS_CERT/KEY/CA), as Trino's `opa.http-client.*`
 * key-store settings would use it: a throw-away CA, a server certificate for 127.0.0.1 and client
 * certificates are made with the `openssl` CLI. Only a client certificate from the configured CA
 * completes the handshake, and the connection token is still checked behind it.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { prismaDecisionSnapshotStore } from "@steward/access";
import { createLogger, parseAddressList } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { memoryDecisionAdapter } from "@steward/integrations/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "./env";
import { type RunningDecisionService, startDecisionService } from "./service";

const KIND = "REDSHIFT"; // a kind whose real adapter has no decisions: only the injected one answers
const lookup: AdapterLookup = (kind) => (kind === KIND ? memoryDecisionAdapter() : adapterFor(kind));
const token = `tok_${randomBytes(24).toString("base64url")}`;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const keyring = `k1:${randomBytes(32).toString("base64")}`;

let dir = "";
let t: TestDatabase;
let service: RunningDecisionService;
let connectionId = "";
const file = (name: string) => path.join(dir, name);

function openssl(...args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh, fast EC key (P-256). */
const key = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(name));

function makeCa(name: string) {
  key(`${name}.key`);
  openssl("req", "-x509", "-new", "-key", file(`${name}.key`), "-subj", `/CN=${name}`, "-days", "2", "-out", file(`${name}.crt`));
}

/** A leaf certificate signed by `ca` with the given extensions (written to an extfile, as openssl wants them). */
function makeLeaf(name: string, ca: string, cn: string, extensions: string[]) {
  key(`${name}.key`);
  openssl("req", "-new", "-key", file(`${name}.key`), "-subj", `/CN=${cn}`, "-out", file(`${name}.csr`));
  fs.writeFileSync(file(`${name}.ext`), `${extensions.join("\n")}\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    file(`${name}.csr`),
    "-CA",
    file(`${ca}.crt`),
    "-CAkey",
    file(`${ca}.key`),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file(`${name}.ext`),
    "-out",
    file(`${name}.crt`),
  );
}

type Outcome = { status: number; body: string } | { refused: string };

/** One request on a fresh TLS connection (no agent: every call does its own handshake). */
function post(client: { cert: string; key: string } | null, tok = token): Promise<Outcome> {
  const body = JSON.stringify({ input: { user: "alice", path: ["wh", "sales", "orders"], level: "READ", queryId: "q1" } });
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: service.port,
        path: `/decisions/${KIND}/${connectionId}/${encodeURIComponent(tok)}/allow`,
        method: "POST",
        agent: false,
        ca: fs.readFileSync(file("ca.crt")),
        ...(client ? { cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) } : {}),
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ refused: `${err.code ?? ""} ${err.message}` }));
    req.end(body);
  });
}

beforeAll(async () => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    throw new Error("the mTLS test needs the `openssl` CLI on PATH to make its throw-away certificates; install openssl");
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-mtls-"));
  makeCa("ca");
  makeCa("other-ca");
  makeLeaf("server", "ca", "127.0.0.1", ["subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth"]);
  makeLeaf("trino", "ca", "trino-coordinator", ["extendedKeyUsage=clientAuth"]);
  makeLeaf("stranger", "other-ca", "trino-coordinator", ["extendedKeyUsage=clientAuth"]);

  t = await createTestDatabase();
  const connection = await t.db.connection.create({
    data: {
      name: "mtls",
      kind: KIND,
      config: { auditSamplePercent: 100 },
      inboundSecretCiphertext: "x",
      decisionTokenHash: sha256(token),
      decisionTokenIssuedAt: new Date(),
    },
  });
  connectionId = connection.id;
  const state = {
    connectionId,
    version: 1,
    objects: [{ id: "o1", path: ["wh", "sales", "orders"], objectType: "TABLE" }],
    accounts: ["alice"],
    access: [{ objectId: "o1", accountName: "alice", level: "READ" as const }],
    settings: { unmanagedGrants: "REPORT" as const },
    decisions: { privilegedAccounts: [], unknownUsers: { policies: {} as never, groupIdsByName: {} } },
  };
  await prismaDecisionSnapshotStore(t.db).publish({
    connectionId,
    version: 1,
    hash: sha256(JSON.stringify(state)),
    publishedAt: new Date().toISOString(),
    state,
  });

  // The files go through the service's own environment parsing, as in production.
  const env = loadEnv({
    DATABASE_URL: t.url,
    STEWARD_ENCRYPTION_KEYS: keyring,
    DECISIONS_TLS_CERT: file("server.crt"),
    DECISIONS_TLS_KEY: file("server.key"),
    DECISIONS_TLS_CA: file("ca.crt"),
  });
  service = await startDecisionService({
    databaseUrl: t.url,
    encryptionKeys: keyring,
    port: 0,
    config: env,
    logger: createLogger({ name: "mtls-test", level: process.env.TEST_LOG ?? "silent" }),
    metricsAccess: { allow: parseAddressList("loopback") },
    tls: { cert: env.DECISIONS_TLS_CERT!, key: env.DECISIONS_TLS_KEY!, ca: env.DECISIONS_TLS_CA! },
    adapterFor: lookup,
  });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await t?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("decision service with mutual TLS", () => {
  const trino = () => ({ cert: file("trino.crt"), key: file("trino.key") });

  it("answers a client with a certificate from the configured CA, and still checks the token", async () => {
    expect(await post(trino())).toEqual({ status: 200, body: '{"result":true}' });
    expect(await post(trino(), `${token}x`)).toMatchObject({ status: 401 });
  });

  it("refuses the handshake without a client certificate", async () => {
    const outcome = await post(null);
    expect(outcome).not.toHaveProperty("status");
    expect(outcome).toMatchObject({ refused: expect.stringMatching(/certificate required/i) });
  });

  it("refuses the handshake with a client certificate from another CA", async () => {
    const outcome = await post({ cert: file("stranger.crt"), key: file("stranger.key") });
    // The server drops the connection during the handshake (no HTTP answer at all); the same
    // request with the trusted CA's certificate is answered above, so the certificate is the reason.
    expect(outcome).not.toHaveProperty("status");
    expect(outcome).toMatchObject({ refused: expect.stringMatching(/ECONNRESET|unknown ca|bad certificate/i) });
  });

  it("refuses plain http on the TLS port", async () => {
    const plain = await fetch(`http://127.0.0.1:${service.port}/healthz`).then(
      (r) => `status ${r.status}`,
      (err: Error) => `refused: ${err.message}`,
    );
    expect(plain).toMatch(/^refused/);
  });
});
