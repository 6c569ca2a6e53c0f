import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

export type PgConfig = { host: string; port: number; user: string; password: string; database: string };

/**
 * adapter-pg's shadow database handling spreads the config and overrides `database`; with a
 * connectionString the URL wins in pg and the "shadow" pool would point at the main database.
 * Pass discrete fields instead.
 */
export function pgConfigFromUrl(u: string): PgConfig {
  const url = new URL(u);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
  };
}

/**
 * Works around adapter-pg 7.10 defects met by the schema engine. It has no mapping for OID 18 ("char"),
 * which the engine's catalog queries return: report such columns as text/Character.
 */
export async function patchAdapter(factory: PgMigrateFactory): Promise<void> {
  const adapter = await factory.connect();
  const adapterProto = Object.getPrototypeOf(adapter); // PrismaPgAdapter.prototype
  const proto = Object.getPrototypeOf(adapterProto); // PgQueryable.prototype, shared with transactions
  await adapter.dispose();
  if (proto.__stewardCharPatched) return;
  proto.__stewardCharPatched = true;
  // adapter-pg splits scripts on every ';', which breaks function bodies and string literals. Send the
  // whole migration as one simple-protocol query instead: PostgreSQL then also runs it atomically.
  adapterProto.executeScript = async function (this: { client: pg.ClientBase; onError(e: unknown): never }, script: string) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  const performIO = proto.performIO;
  const queryRaw = proto.queryRaw;
  proto.performIO = async function (this: unknown, q: { __charIdx?: number[] }) {
    const r = await performIO.call(this, q);
    const idx: number[] = [];
    const fields = r.fields?.map((f: { dataTypeID: number }, i: number) =>
      f.dataTypeID === 18 ? (idx.push(i), { ...f, dataTypeID: 25 }) : f,
    );
    if (idx.length) {
      q.__charIdx = idx;
      return { ...r, fields };
    }
    return r;
  };
  proto.queryRaw = async function (this: unknown, q: { __charIdx?: number[] }) {
    const res = await queryRaw.call(this, q);
    for (const i of q.__charIdx ?? []) res.columnTypes[i] = 6;
    return res;
  };
}

/**
 * Migration-aware adapter factory. Its shadow database is created here and dropped only after its pool
 * is closed (adapter-pg drops it first and fails with "being accessed by other users").
 */
export class PgMigrateFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  constructor(private readonly cfg: PgConfig) {}

  connect() {
    return new PrismaPg(this.cfg).connect();
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client(this.cfg);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replace(/-/g, "")}`;
    await this.admin(`CREATE DATABASE "${name}"`);
    const adapter = await new PrismaPg({ ...this.cfg, database: name }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await this.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}
