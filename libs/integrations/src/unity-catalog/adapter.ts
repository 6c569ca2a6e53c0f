import type { ConnectionField, PlatformAdapter } from "../adapter";
import { unityCatalogAccess } from "./access";
import { ucAccountRules } from "./accounts";
import { UC_FLAVORS } from "./config";
import { classifyUcError } from "./errors";
import type { UcGrantLedger } from "./ledger";
import { type PolicyAccessDeps, withDataPolicies } from "./policy-access";
import { unityCatalogConnector } from "./unity-catalog.connector";

/** The connection form; names match UcConfig / UcCredentials (config.ts). */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  {
    name: "url",
    label: "Workspace or server URL",
    type: "string",
    required: true,
    placeholder: "https://adb-1234567890123456.7.azuredatabricks.net",
    help: "A Databricks workspace, or an OSS Unity Catalog server (http://host:8080).",
  },
  {
    name: "flavor",
    label: "Server",
    type: "enum",
    required: false,
    default: "DATABRICKS",
    options: [...UC_FLAVORS],
    help: "OSS spells privileges with spaces (USE CATALOG), Databricks with underscores (USE_CATALOG).",
  },
  {
    name: "token",
    label: "Token",
    type: "secret",
    required: true,
    help: "A personal access or OAuth token of a principal with MANAGE (or ownership) on the governed catalogs. Stored encrypted.",
  },
  {
    name: "catalogs",
    label: "Catalogs",
    type: "string-list",
    required: false,
    default: [],
    placeholder: "all visible",
    help: "Type a catalog name and press Enter; empty syncs every catalog the token sees.",
  },
  { name: "concurrency", label: "Requests in flight", type: "int", required: false, default: 4, min: 1, max: 16 },
  // Databricks only: where Steward's account groups are managed (SCIM; see group-access.ts).
  {
    name: "accountId",
    label: "Databricks account id",
    type: "string",
    required: false,
    placeholder: "workspace account proxy",
    help: "Databricks: manage Steward's groups through the account SCIM API of this account. Empty: the workspace's account proxy, with the token above (a workspace admin).",
  },
  {
    name: "accountHost",
    label: "Account console URL",
    type: "string",
    required: false,
    placeholder: "https://accounts.cloud.databricks.com",
    help: "With an account id; empty: derived from the workspace URL (Azure, GCP, else AWS).",
  },
  {
    name: "accountToken",
    label: "Account token",
    type: "secret",
    required: false,
    help: "With an account id: an account admin's (or service principal's) OAuth token for the account API; empty: the token above. Stored encrypted.",
  },
  {
    name: "warehouseId",
    label: "SQL warehouse id",
    type: "string",
    required: false,
    placeholder: "1234567890abcdef",
    help: "Databricks only. Runs the row-filter and column-mask DDL (SQL Statement Execution API). Needed for data policies.",
  },
  {
    name: "policyCatalog",
    label: "Policy catalog",
    type: "string",
    required: false,
    placeholder: "governance",
    help: "Databricks only. Where Steward keeps its mask and row-filter functions and the profile table (schema steward_system). Needed for data policies.",
  },
];

export type UnityCatalogAdapterOptions = {
  /**
   * Where Steward records the grants it made (see ledger.ts) when the connection brings no
   * `grantLedger` (libs/access always hands in the metadata DB's); without either, see planner.ts.
   */
  ledger?: UcGrantLedger;
  fetch?: typeof fetch;
  /** Poll and resend pauses of the Statement Execution API client (tests shorten them). */
  statements?: PolicyAccessDeps["statements"];
};

/**
 * Databricks Unity Catalog (and the OSS server): catalog crawl and grants through the REST API.
 * Unmanaged grants can be revoked only when a ledger tells Steward's grants from others'. The
 * capability says so for the kind: every reconcile through libs/access brings the metadata DB's ledger
 * (`AccessConnection.grantLedger`); a call without any ledger only reports them.
 *
 * Data policies (row filters and column masks, policy-access.ts) are enforced on Databricks through a
 * SQL warehouse. The capability is the kind's; an OSS-flavor connection has no SQL, so one whose
 * sources carry data policies fails INVALID_CONFIG instead of granting unmasked access.
 */
export function unityCatalogAdapterWith(options: UnityCatalogAdapterOptions = {}): PlatformAdapter {
  return {
    label: "Databricks Unity Catalog",
    supported: true,
    capabilities: { catalog: true, access: true, drift: true, decisions: false, dataPolicies: true, revokeUnmanaged: true },
    connectionFields: CONNECTION_FIELDS,
    catalog: unityCatalogConnector as PlatformAdapter["catalog"],
    access: withDataPolicies(unityCatalogAccess({ ledger: options.ledger, fetch: options.fetch }), {
      fetch: options.fetch,
      statements: options.statements,
    }),
    accounts: {
      validate: (name) => ucAccountRules.validate(name),
      canonical: (name) => ucAccountRules.canonical(name),
      reserved: ["account users", "users", "admins"],
      forConnection: () => ucAccountRules,
    },
    classifyError: classifyUcError,
  };
}

export const unityCatalogAdapter = unityCatalogAdapterWith();
