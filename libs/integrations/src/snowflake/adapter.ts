import type { ConnectionField, PlatformAdapter } from "../adapter";
import { snowflakeAccess } from "./access";
import { snowflakeAccountRules, snowflakeAccountRulesFor } from "./accounts";
import { classifySnowflakeError } from "./errors";
import { ROLE_PREFIX } from "./naming";
import { snowflakePreview } from "./preview";
import { snowflakeConnector } from "./snowflake.connector";

/** The connection form; names match SnowflakeConfig / SnowflakeCredentials. */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  { name: "account", label: "Account identifier", type: "string", required: true, placeholder: "myorg-myaccount" },
  {
    name: "host",
    label: "Endpoint URL",
    type: "string",
    required: false,
    placeholder: "https://myorg-myaccount.privatelink.snowflakecomputing.com",
    help: "Only for private link or a non-standard endpoint; otherwise derived from the account.",
  },
  { name: "user", label: "User", type: "string", required: true, help: "Spelled as SHOW USERS prints it." },
  {
    name: "role",
    label: "Role",
    type: "string",
    required: true,
    help: "Needs CREATE ROLE and MANAGE GRANTS on the account; it owns the roles Steward creates.",
  },
  { name: "warehouse", label: "Warehouse", type: "string", required: true, help: "Runs the information_schema reads of the catalog sync." },
  { name: "password", label: "Password", type: "secret", required: false, help: "Stored encrypted; or give a private key instead." },
  { name: "privateKey", label: "Private key (PEM)", type: "secret", required: false, help: "Key-pair authentication." },
  { name: "privateKeyPassphrase", label: "Private key passphrase", type: "secret", required: false },
  {
    name: "databases",
    label: "Databases",
    type: "string-list",
    required: true,
    placeholder: "SALES_DB",
    help: "Type a database name and press Enter.",
  },
  {
    name: "policyDatabase",
    label: "Policy database",
    type: "string",
    required: false,
    placeholder: "GOVERNANCE_DB",
    help: "Where Steward keeps its masking / row access policies and profile table (schema STEWARD_SYSTEM). Needed for data policies.",
  },
  { name: "excludeSchemas", label: "Excluded schemas", type: "string-list", required: false, default: [], placeholder: "none" },
];

export const snowflakeAdapter: PlatformAdapter = {
  label: "Snowflake",
  supported: true,
  // Steward changes only its own roles, so grants made outside it are reported, never revoked.
  // Data policies are native masking / row access policies on the base table (data-policies.ts).
  capabilities: { catalog: true, access: true, drift: true, decisions: false, dataPolicies: true, revokeUnmanaged: false },
  connectionFields: CONNECTION_FIELDS,
  catalog: snowflakeConnector as PlatformAdapter["catalog"],
  access: snowflakeAccess,
  dataPreview: snowflakePreview,
  accounts: {
    validate: (name) => snowflakeAccountRules.validate(name),
    canonical: (name) => snowflakeAccountRules.canonical(name),
    reserved: [`${ROLE_PREFIX}*`],
    forConnection: (config) => {
      const user = (config as { user?: unknown } | null)?.user;
      return snowflakeAccountRulesFor({ reconcilingUser: typeof user === "string" ? user : undefined });
    },
  },
  classifyError: classifySnowflakeError,
};
