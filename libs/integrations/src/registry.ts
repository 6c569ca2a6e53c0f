import { type PlatformAdapter, unsupported } from "./adapter";
import type { PlatformKind } from "./connector";
import { lakebaseAdapter } from "./lakebase/adapter";
import { postgresAdapter } from "./postgres/adapter";
import { redshiftAdapter } from "./redshift/adapter";
import { snowflakeAdapter } from "./snowflake/adapter";
import { trinoAdapter } from "./trino/adapter";
import { unityCatalogAdapter } from "./unity-catalog/adapter";

/**
 * Every platform kind and its adapter: the one place a platform is registered. `satisfies` makes it
 * exhaustive — a kind added to the PlatformKind enum fails to compile until it has a line here.
 * The order is the order the UI lists kinds in.
 */
const ADAPTERS = {
  POSTGRES: postgresAdapter,
  LAKEBASE: lakebaseAdapter,
  SNOWFLAKE: snowflakeAdapter,
  DATABRICKS_UC: unityCatalogAdapter,
  BIGQUERY: unsupported("BigQuery"),
  REDSHIFT: redshiftAdapter,
  TRINO: trinoAdapter,
  SYNAPSE: unsupported("Azure Synapse"),
  S3: unsupported("Amazon S3"),
} as const satisfies Record<PlatformKind, PlatformAdapter>;

export const PLATFORM_KINDS = Object.keys(ADAPTERS) as (keyof typeof ADAPTERS)[] as readonly PlatformKind[];

/** Finds the adapter of a kind; injectable in use-cases (`deps.adapterFor`) so tests can register fakes. */
export type AdapterLookup = (kind: PlatformKind) => PlatformAdapter;

export const adapterFor: AdapterLookup = (kind) => ADAPTERS[kind];

export type Capability = keyof PlatformAdapter["capabilities"];

/** Kinds whose adapter has a capability, e.g. `kindsWith("access")`: the kinds Steward reconciles. */
export function kindsWith(capability: Capability): PlatformKind[] {
  return PLATFORM_KINDS.filter((k) => ADAPTERS[k].capabilities[capability]);
}

export function isPlatformKind(value: string): value is PlatformKind {
  return Object.hasOwn(ADAPTERS, value);
}
