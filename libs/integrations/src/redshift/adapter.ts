import type { ConnectionField, PlatformAdapter } from "../adapter";
import { redshiftAccess } from "./access";
import { REDSHIFT_RESERVED_ACCOUNTS, redshiftAccountRules, redshiftAccountRulesFor, STEWARD_PREFIX } from "./accounts";
import { type PlatformReads, REDSHIFT_READS } from "./catalog-reads";
import { classifyRedshiftError } from "./errors";
import { redshiftConnector } from "./redshift.connector";

/** The connection form; names match RedshiftConfig / RedshiftCredentials. */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  {
    name: "host",
    label: "Endpoint",
    type: "string",
    required: true,
    placeholder: "examplecluster.abc123.eu-west-1.redshift.amazonaws.com",
    help: "The cluster or workgroup endpoint, without port or database.",
  },
  { name: "port", label: "Port", type: "int", required: true, default: 5439, min: 1, max: 65535 },
  {
    name: "user",
    label: "User",
    type: "string",
    required: true,
    help: "Steward owns the policy views as this user: it needs CREATE on each database and SELECT on the governed tables.",
  },
  { name: "password", label: "Password", type: "secret", required: false, help: "Stored encrypted; never shown again." },
  {
    name: "databases",
    label: "Databases",
    type: "string-list",
    required: true,
    placeholder: "dev",
    help: "Type a database name and press Enter.",
  },
  { name: "sslMode", label: "SSL mode", type: "enum", required: false, default: "require", options: ["disable", "require", "verify-full"] },
  {
    name: "viewSchema",
    label: "Policy view schema",
    type: "string",
    required: false,
    default: "steward_views",
    help: "Users query the governed tables through the views Steward keeps in this schema of each database.",
  },
  {
    name: "excludeSchemas",
    label: "Excluded schemas",
    type: "string-list",
    required: false,
    default: [],
    placeholder: "none",
    help: "System schemas and Steward's own are always skipped.",
  },
];

/** `reads` is swapped for the PostgreSQL emulation in integration tests only (redshift/testing). */
export function redshiftAdapterWith(reads: PlatformReads): PlatformAdapter {
  return {
    label: "Amazon Redshift",
    supported: true,
    // Policy views carry masks and row filters; grants on Steward's own views outside Steward can be revoked.
    capabilities: { catalog: true, access: true, drift: true, decisions: false, dataPolicies: true, revokeUnmanaged: true },
    connectionFields: CONNECTION_FIELDS,
    catalog: redshiftConnector(reads) as PlatformAdapter["catalog"],
    access: redshiftAccess(reads),
    accounts: {
      validate: (name) => redshiftAccountRules.validate(name),
      canonical: (name) => redshiftAccountRules.canonical(name),
      reserved: [...REDSHIFT_RESERVED_ACCOUNTS, "pg_*", `${STEWARD_PREFIX}*`],
      forConnection: (config) => {
        const user = (config as { user?: unknown } | null)?.user;
        return redshiftAccountRulesFor({ reconcilingUser: typeof user === "string" ? user : undefined });
      },
    },
    classifyError: classifyRedshiftError,
  };
}

export const redshiftAdapter = redshiftAdapterWith(REDSHIFT_READS);
