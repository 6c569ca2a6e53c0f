/**
 * What a platform plugs into Steward. Like Trino's SPI, each capability is its own small port and an
 * adapter supplies only those it has; the engine, API and UI ask the registry, never name a platform.
 */
import type { PolicyViewSpec, ProfileRow } from "@steward/policy";
import type { AccessConnection, AccessError, AccessPort } from "./access-types";
import type { Connector } from "./connector";
import type { DecisionsPort } from "./decisions";
import type { ErrorClass } from "./error-class";

export type Capabilities = {
  /** Test a connection and crawl its catalog. */
  catalog: boolean;
  /** Plan and apply object privileges from a desired state. */
  access: boolean;
  /** Report differences made outside Steward. */
  drift: boolean;
  /** Answer access questions at query time (e.g. Trino's access-control plugin). */
  decisions: boolean;
  /** Column masks and row filters (policy views joined to a per-user profile). */
  dataPolicies: boolean;
  /** Revoke grants on governed objects that Steward did not make (`settings.unmanagedGrants: REVOKE`). */
  revokeUnmanaged: boolean;
};

export type ConnectionFieldType = "string" | "int" | "secret" | "enum" | "string-list" | "boolean";

/**
 * One field of a connection form. `secret` fields are credentials (sealed, never returned); all
 * others are config. The web app renders the kind-specific part of its forms from these.
 */
export type ConnectionField = {
  name: string;
  label: string;
  type: ConnectionFieldType;
  required: boolean;
  default?: string | number | boolean | string[];
  help?: string;
  placeholder?: string;
  /** For `enum`. */
  options?: string[];
  /** For `int`. */
  min?: number;
  max?: number;
};

/** Which account names a platform accepts, and the one spelling two names collide on. */
export type AccountRules = { validate(name: string): string | null; canonical(name: string): string };

/**
 * "See as user U": the first rows of a source exactly as the policy view would return them to a user
 * with `profile`, run on the platform (read-only, at most 100 rows). `spec: null` = a source without
 * data policies (rows as they are, still only if the profile lists the source).
 */
export type DataPreviewRequest = {
  sourceId: string;
  /** Catalog path of the base object, as the crawl reported it. */
  path: string[];
  spec: PolicyViewSpec | null;
  profile: ProfileRow;
  hashSalt: string;
  limit: number;
};
export type DataPreviewResult =
  | {
      kind: "rows";
      columns: string[];
      rows: unknown[][];
      /** The statement that produced the rows (run by Steward's role, the user's profile inlined). */
      sql: string;
      /**
       * What the user runs with their own login to read the same rows: their policy view, or the base
       * table when the source has none. Lets a person (or a test) check the preview on the platform.
       */
      userSql: string;
      warnings: string[];
    }
  | { kind: "failed"; error: AccessError };
export type DataPreviewPort = { preview(connection: AccessConnection, request: DataPreviewRequest): Promise<DataPreviewResult> };

export type PlatformAdapter = {
  label: string;
  /** Can connections of this kind be created today. */
  supported: boolean;
  capabilities: Capabilities;
  connectionFields: readonly ConnectionField[];
  catalog?: Connector;
  access?: AccessPort;
  decisions?: DecisionsPort;
  /** With `capabilities.dataPolicies`: previews of what a user sees through the policy views. */
  dataPreview?: DataPreviewPort;
  accounts: AccountRules & {
    reserved: readonly string[];
    /** The rules on one connection (e.g. its own reconciling role is never a person's account). */
    forConnection(config: unknown): AccountRules;
  };
  /** Maps the adapter's own error codes into the shared taxonomy. */
  classifyError(code: string): ErrorClass;
};

const NO_CAPABILITIES: Capabilities = {
  catalog: false,
  access: false,
  drift: false,
  decisions: false,
  dataPolicies: false,
  revokeUnmanaged: false,
};

/** Any printable name up to 255 characters: what we know before a platform has its adapter. */
const lenientAccounts: PlatformAdapter["accounts"] = {
  validate: (name) => (name.length === 0 || name.length > 255 || /\p{Cc}/u.test(name) ? "must be 1 to 255 printable characters" : null),
  canonical: (name) => name,
  reserved: [],
  forConnection: () => lenientAccounts,
};

/** A kind Steward knows about but cannot reach yet: listed (as "coming soon"), never connected. */
export function unsupported(label: string): PlatformAdapter {
  return {
    label,
    supported: false,
    capabilities: NO_CAPABILITIES,
    connectionFields: [],
    accounts: lenientAccounts,
    classifyError: () => "PERMANENT",
  };
}
