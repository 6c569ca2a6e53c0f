/**
 * Offline-capable migrations: drives Prisma's Wasm schema engine through the pg driver adapter, so no
 * native schema-engine download is needed. Writes and applies the standard prisma/migrations layout and
 * `_prisma_migrations` table, so `prisma migrate deploy` works on the same files wherever the CLI can
 * fetch its engine.
 *
 *   deploy            apply pending migrations (DATABASE_URL)
 *   dev <name>        create a migration from the schema diff, then apply it
 *
 * Needs `node --experimental-wasm-modules` on Node 20 (the engine ships as a Wasm ES module).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PgMigrateFactory, patchAdapter, pgConfigFromUrl } from "./pg-migrate-factory";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const schemaPath = path.join(repoRoot, "prisma/schema.prisma");
const migrationsDir = path.join(repoRoot, "prisma/migrations");

type EngineMigrationsList = {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: { path: string; migrationFile: { path: string; content: { tag: "ok" | "error"; value: string } } }[];
};

function migrationsList(): EngineMigrationsList {
  fs.mkdirSync(migrationsDir, { recursive: true });
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const dirs = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((d) => {
      const file = path.join(migrationsDir, d, "migration.sql");
      return {
        path: d,
        migrationFile: {
          path: "migration.sql",
          content: fs.existsSync(file)
            ? { tag: "ok" as const, value: fs.readFileSync(file, "utf8") }
            : { tag: "error" as const, value: "missing" },
        },
      };
    }),
  };
}

async function main(): Promise<void> {
  const [cmd = "deploy", name = "migration"] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  // Lets an engine panic print its message instead of an opaque "unreachable".
  const panicRegistry = {
    message: "",
    set_message: (m: string) => {
      panicRegistry.message = m;
      console.error("schema engine panic:", m);
    },
  };
  (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = panicRegistry;
  const raw = new PgMigrateFactory(pgConfigFromUrl(url));
  await patchAdapter(raw);
  const factory = bindMigrationAwareSqlAdapterFactory(raw as never);
  const schema = { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }] };
  const filters = { externalTables: [], externalEnums: [] };
  const engine = await SchemaEngine.new(
    { datamodels: schema.files.map((f) => [f.path, f.content]) } as never,
    (log: string) => {
      if (process.env.DEBUG_SCHEMA_ENGINE) console.error(log);
    },
    factory as never,
  );

  if (cmd === "dev") {
    // The engine decides how to reach its shadow database during the diagnostic; skipping it makes
    // createMigration fail with "shadow DB must be provided through an external factory".
    await engine.devDiagnostic({ migrationsList: migrationsList(), filters } as never);
    const out = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList: migrationsList(),
      schema,
      filters,
    } as never);
    if (out.migrationScript) {
      const dir = path.join(migrationsDir, out.generatedMigrationName);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "migration.sql"), out.migrationScript);
      fs.writeFileSync(path.join(migrationsDir, "migration_lock.toml"), `provider = "${out.connectorType}"\n`);
      console.log(`created prisma/migrations/${out.generatedMigrationName}`);
    } else {
      console.log("schema unchanged: no migration created");
    }
  } else if (cmd !== "deploy") {
    throw new Error(`unknown command '${cmd}' (use deploy | dev <name>)`);
  }
  const applied = await engine.applyMigrations({ migrationsList: migrationsList(), filters } as never);
  const names = (applied as { appliedMigrationNames: string[] }).appliedMigrationNames;
  console.log(names.length ? `applied ${names.length} migration(s): ${names.join(", ")}` : "database is up to date");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
