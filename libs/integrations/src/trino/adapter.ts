import type { ConnectionField, PlatformAdapter } from "../adapter";
import { trinoAccess } from "./access";
import { trinoAccountRules } from "./accounts";
import { classifyTrinoError } from "./errors";
import { trinoDecisions } from "./opa/port";
import { trinoConnector } from "./trino.connector";

/** The connection form; names match TrinoConfig / TrinoCredentials (config.ts). */
const CONNECTION_FIELDS: readonly ConnectionField[] = [
  { name: "host", label: "Coordinator host", type: "string", required: true, placeholder: "trino.example.com" },
  { name: "port", label: "Port", type: "int", required: true, default: 8080, min: 1, max: 65535 },
  { name: "ssl", label: "HTTPS", type: "boolean", required: false, default: false },
  {
    name: "user",
    label: "Steward's Trino user",
    type: "string",
    required: true,
    default: "steward",
    help: "Steward syncs catalogs as this user; decisions always allow it.",
  },
  {
    name: "password",
    label: "Password",
    type: "secret",
    required: false,
    help: "Stored encrypted; never shown again. Empty without authentication.",
  },
  {
    name: "catalogs",
    label: "Catalogs",
    type: "string-list",
    required: false,
    default: [],
    placeholder: "all but system",
    help: "Type a catalog name and press Enter; empty syncs every catalog except system.",
  },
  {
    name: "writeGrants",
    label: "WRITE subscriptions allow",
    type: "string-list",
    required: false,
    default: ["READ", "WRITE"],
    help: "Any of READ, WRITE, OWN, CREATE.",
  },
  {
    name: "readGrants",
    label: "READ subscriptions allow",
    type: "string-list",
    required: false,
    default: ["READ"],
    help: "Any of READ, WRITE, OWN, CREATE.",
  },
  {
    name: "registeredOperations",
    label: "Allowed on registered objects",
    type: "string-list",
    required: false,
    default: ["READ", "WRITE"],
    help: "A ceiling over the subscriptions on objects registered in Steward.",
  },
  {
    name: "unregisteredOperations",
    label: "Allowed on unregistered objects",
    type: "string-list",
    required: false,
    default: ["READ", "WRITE", "CREATE", "OWN"],
    help: "What everyone may do on objects Steward does not govern.",
  },
  {
    name: "unknownUsers",
    label: "Users Steward does not know",
    type: "enum",
    required: false,
    default: "DENY",
    options: ["DENY", "TRINO_GROUPS"],
    help: "TRINO_GROUPS: decide by the subscription policies over the groups Trino sends.",
  },
  { name: "auditSamplePercent", label: "Allowed decisions audited (%)", type: "int", required: false, default: 100, min: 0, max: 100 },
];

/**
 * Trino and Starburst: governed at query time. Steward does not grant anything on the cluster; the
 * stock `opa` access control asks Steward's decision service for every check, row filter and mask.
 */
export const trinoAdapter: PlatformAdapter = {
  label: "Trino / Starburst",
  supported: true,
  capabilities: { catalog: true, access: true, drift: true, decisions: true, dataPolicies: true, revokeUnmanaged: false },
  connectionFields: CONNECTION_FIELDS,
  catalog: trinoConnector as PlatformAdapter["catalog"],
  access: trinoAccess,
  decisions: trinoDecisions as PlatformAdapter["decisions"],
  accounts: {
    validate: (name) => trinoAccountRules.validate(name),
    canonical: (name) => trinoAccountRules.canonical(name),
    reserved: [],
    // Steward's own crawling user is never a person's account.
    forConnection: (config) => {
      const user = (config as { user?: unknown } | null)?.user;
      return {
        validate: (name) => (typeof user === "string" && name === user ? "is Steward's own Trino user" : trinoAccountRules.validate(name)),
        canonical: trinoAccountRules.canonical,
      };
    },
  },
  classifyError: classifyTrinoError,
};
