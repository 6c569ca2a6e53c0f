import { describe, expect, it } from "vitest";
import { adapterFor, isPlatformKind, kindsWith, PLATFORM_KINDS } from "./registry";

describe("adapter registry", () => {
  it("lists every kind once, in display order", () => {
    expect(PLATFORM_KINDS[0]).toBe("POSTGRES");
    expect(new Set(PLATFORM_KINDS).size).toBe(PLATFORM_KINDS.length);
    expect(PLATFORM_KINDS).toHaveLength(9);
    expect(isPlatformKind("POSTGRES")).toBe(true);
    expect(isPlatformKind("constructor")).toBe(false);
  });

  it("declares capabilities that match the ports each adapter supplies", () => {
    for (const kind of PLATFORM_KINDS) {
      const a = adapterFor(kind);
      expect({ kind, catalog: !!a.catalog, access: !!a.access, decisions: !!a.decisions }).toEqual({
        kind,
        catalog: a.capabilities.catalog,
        access: a.capabilities.access,
        decisions: a.capabilities.decisions,
      });
      if (a.supported) expect(a.connectionFields.length, kind).toBeGreaterThan(0);
      for (const f of a.connectionFields) if (f.type === "enum") expect(f.options?.length, `${kind}.${f.name}`).toBeGreaterThan(0);
    }
  });

  it("derives which kinds are reconciled from the adapters", () => {
    expect(kindsWith("access")).toEqual(["POSTGRES", "LAKEBASE", "SNOWFLAKE", "DATABRICKS_UC", "REDSHIFT", "TRINO"]);
    expect(kindsWith("decisions")).toEqual(["TRINO"]);
    expect(kindsWith("catalog")).toEqual(["POSTGRES", "LAKEBASE", "SNOWFLAKE", "DATABRICKS_UC", "REDSHIFT", "TRINO"]);
  });

  it("every PostgreSQL connection field is one the config or credentials schema knows", () => {
    const pg = adapterFor("POSTGRES");
    const config = pg.catalog!.configSchema.safeParse({ host: "h", user: "u", databases: ["d"] });
    expect(config.success).toBe(true);
    const known = new Set([...Object.keys(config.success ? (config.data as object) : {}), "password"]);
    for (const f of pg.connectionFields) expect(known, f.name).toContain(f.name);
  });

  it("every Unity Catalog connection field is one the config or credentials schema knows, and the form's defaults parse", () => {
    const uc = adapterFor("DATABRICKS_UC");
    expect(uc.supported).toBe(true);
    const values = Object.fromEntries(
      uc.connectionFields
        .filter((f) => f.required || f.default !== undefined)
        .map((f) => [f.name, f.default ?? (f.type === "secret" ? "tok" : "http://uc:8080")]),
    );
    const config = uc.catalog!.configSchema.safeParse(values);
    expect(config.success, JSON.stringify(config.error?.issues)).toBe(true);
    // Optional fields left empty in the form arrive as "" and must parse too.
    const empty = Object.fromEntries(uc.connectionFields.filter((f) => !f.required && f.default === undefined).map((f) => [f.name, ""]));
    expect(uc.catalog!.configSchema.safeParse({ ...values, ...empty }).success).toBe(true);
    expect(uc.catalog!.credentialsSchema.safeParse({ token: "tok", ...empty }).success).toBe(true);
    // Fields whose placeholder is a sample value: the sample must parse.
    for (const name of ["warehouseId", "policyCatalog", "accountHost"]) {
      const field = uc.connectionFields.find((f) => f.name === name);
      expect(field?.placeholder, name).toBeTruthy();
      expect(uc.catalog!.configSchema.safeParse({ ...values, [name]: field!.placeholder }).success, name).toBe(true);
    }
    const shape = (s: unknown) => Object.keys((s as { shape: Record<string, unknown> }).shape);
    const known = new Set([...shape(uc.catalog!.configSchema), ...shape(uc.catalog!.credentialsSchema)]);
    for (const f of uc.connectionFields) expect(known, f.name).toContain(f.name);
    for (const f of uc.connectionFields) expect(f.type === "secret", f.name).toBe(shape(uc.catalog!.credentialsSchema).includes(f.name));
    expect(uc.connectionFields.find((f) => f.name === "token")).toMatchObject({ type: "secret", required: true });
  });

  it("classifies PostgreSQL errors into the shared taxonomy", () => {
    const pg = adapterFor("POSTGRES");
    expect(["UNREACHABLE", "TIMEOUT", "CONFLICT"].map(pg.classifyError)).toEqual(["TRANSIENT", "TRANSIENT", "TRANSIENT"]);
    expect(["AUTH_FAILED", "MISSING_PRIVILEGE"].map(pg.classifyError)).toEqual(["CONFIGURATION", "CONFIGURATION"]);
    expect(["INVALID_INPUT", "SQL_ERROR", "something new"].map(pg.classifyError)).toEqual(["PERMANENT", "PERMANENT", "PERMANENT"]);
  });

  it("applies PostgreSQL account rules: reserved names and length", () => {
    const rules = adapterFor("LAKEBASE").accounts;
    expect(rules.validate("alice")).toBeNull();
    for (const bad of ["public", "PUBLIC", "none", "current_user", "session_user", "pg_monitor", "postgres", "stw_x", "", "a".repeat(64)])
      expect(rules.validate(bad), bad).not.toBeNull();
    expect(rules.validate("é".repeat(31))).toBeNull(); // 62 bytes
    expect(rules.validate("é".repeat(32))).not.toBeNull(); // 64 bytes
  });
});
