import type { ConnectionField, PlatformAdapter } from "../adapter";
import type { Connector } from "../connector";
import { classifyPostgresError, grantsTarget, postgresAccess, type TargetResolver } from "./access";
import { POSTGRES_RESERVED_ACCOUNTS, postgresAccountRules, postgresAccountRulesFor } from "./accounts";
import { postgresConnector } from "./postgres.connector";
import { pgFamilyPreview } from "./preview";

/** The connection form of PostgreSQL-compatible platforms; names match PostgresConfig / PostgresCredentials. */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  { name: "host", label: "Host", type: "string", required: true, placeholder: "db.internal.example.com", help: "Host name or IP address." },
  { name: "port", label: "Port", type: "int", required: true, default: 5432, min: 1, max: 65535 },
  {
    name: "user",
    label: "User",
    type: "string",
    required: true,
    help: "The role Steward connects as; it needs CREATEROLE to manage access.",
  },
  { name: "password", label: "Password", type: "secret", required: false, help: "Stored encrypted; never shown again." },
  {
    name: "databases",
    label: "Databases",
    type: "string-list",
    required: true,
    placeholder: "analytics",
    help: "Type a database name and press Enter.",
  },
  { name: "sslMode", label: "SSL mode", type: "enum", required: false, default: "disable", options: ["disable", "require", "verify-full"] },
  {
    name: "excludeSchemas",
    label: "Excluded schemas",
    type: "string-list",
    required: false,
    default: [],
    placeholder: "none",
    help: "System schemas are always skipped.",
  },
];

// The planner revokes grants made outside Steward when a connection asks for it (settings.unmanagedGrants).
const REVOKE_UNMANAGED = true;

/**
 * A platform that speaks PostgreSQL's protocol and catalogs. What differs per kind: its form, how its
 * config becomes a login (`catalog`, `resolve`) and which role is its own (`reconcilingUser`).
 */
export function pgFamilyAdapter(spec: {
  label: string;
  connectionFields: readonly ConnectionField[];
  catalog: Connector<never, never>;
  resolve: TargetResolver;
  reconcilingUser(config: unknown): string | undefined;
}): PlatformAdapter {
  return {
    label: spec.label,
    supported: true,
    capabilities: { catalog: true, access: true, drift: true, decisions: false, dataPolicies: true, revokeUnmanaged: REVOKE_UNMANAGED },
    connectionFields: spec.connectionFields,
    catalog: spec.catalog as PlatformAdapter["catalog"],
    access: postgresAccess(REVOKE_UNMANAGED, spec.resolve),
    dataPreview: pgFamilyPreview(spec.resolve),
    accounts: {
      validate: (name) => postgresAccountRules.validate(name),
      canonical: (name) => postgresAccountRules.canonical(name),
      reserved: [...POSTGRES_RESERVED_ACCOUNTS, "pg_*", "stw_*"],
      // The connection's own role is never a person's account.
      forConnection: (config) => postgresAccountRulesFor({ reconcilingUser: spec.reconcilingUser(config) }),
    },
    classifyError: classifyPostgresError,
  };
}

export const postgresAdapter = pgFamilyAdapter({
  label: "PostgreSQL",
  connectionFields: CONNECTION_FIELDS,
  catalog: postgresConnector as Connector<never, never>,
  resolve: grantsTarget,
  reconcilingUser: (config) => {
    const user = (config as { user?: unknown } | null)?.user;
    return typeof user === "string" ? user : undefined;
  },
});
