import { useMemo } from "react";
import { useQuery } from "urql";
import { graphql } from "@/gql";
import type { PlatformKind, PlatformKindsQuery as PlatformKindsResult } from "@/gql/graphql";

/** Every kind with its label, capabilities and connection form, as the API's adapter registry describes it. */
export const PlatformKindsQuery = graphql(`
  query PlatformKinds {
    platformKinds {
      kind
      label
      supported
      capabilities {
        catalog
        access
        drift
        decisions
        dataPolicies
        revokeUnmanaged
      }
      connectionFields {
        name
        label
        type
        required
        default
        help
        placeholder
        options
        min
        max
      }
    }
  }
`);

export type KindInfo = PlatformKindsResult["platformKinds"][number];
export type ConnectionFieldInfo = KindInfo["connectionFields"][number];
export type FieldValue = string | number | boolean | string[] | null | undefined;

/** The registry never changes while the app runs, so one fetch serves every page. */
export function usePlatformKinds() {
  const [{ data, fetching, error }] = useQuery({ query: PlatformKindsQuery, requestPolicy: "cache-first" });
  return useMemo(() => {
    const kinds = data?.platformKinds ?? [];
    const byKind = new Map(kinds.map((k) => [k.kind, k]));
    return {
      kinds,
      fetching,
      error,
      info: (kind: PlatformKind) => byKind.get(kind),
      // Falls back to the enum name while the list loads.
      label: (kind: PlatformKind) => byKind.get(kind)?.label ?? kind,
    };
  }, [data, fetching, error]);
}

/** The wizard's and the edit dialog's values: generic fields plus the kind's own fields by name. */
export type ConnectionFormValues = {
  name: string;
  description?: string;
  syncIntervalMinutes?: number | null;
  autoRegister: boolean;
  dataOwnerIds?: string[];
} & Record<string, FieldValue>;

const GENERIC_FIELDS = ["name", "description", "syncIntervalMinutes", "autoRegister", "dataOwnerIds"] as const;

export const formFieldNames = (fields: readonly ConnectionFieldInfo[]): string[] => [...GENERIC_FIELDS, ...fields.map((f) => f.name)];

const isSecret = (f: ConnectionFieldInfo) => f.type === "SECRET";

function cleaned(f: ConnectionFieldInfo, v: FieldValue): FieldValue {
  if (typeof v === "string" && f.type !== "SECRET") return v.trim();
  if (f.type === "STRING_LIST") return Array.isArray(v) ? v : [];
  return v;
}

/** Non-secret fields, as the connection's `config`. Empty optional fields are left out so the API's defaults apply. */
export function toConfig(fields: readonly ConnectionFieldInfo[], v: ConnectionFormValues): Record<string, FieldValue> {
  const config: Record<string, FieldValue> = {};
  for (const f of fields.filter((x) => !isSecret(x))) {
    const value = cleaned(f, v[f.name]);
    if (value === undefined || value === null || value === "") continue;
    config[f.name] = value;
  }
  return config;
}

/**
 * Secret fields, as `credentials`. `keepStored` (editing): all empty means "keep the stored
 * credentials", which the API takes as null.
 */
export function toCredentials(
  fields: readonly ConnectionFieldInfo[],
  v: ConnectionFormValues,
  keepStored = false,
): Record<string, string> | null {
  const credentials: Record<string, string> = {};
  for (const f of fields.filter(isSecret)) credentials[f.name] = typeof v[f.name] === "string" ? (v[f.name] as string) : "";
  if (keepStored && Object.values(credentials).every((s) => s === "")) return null;
  return credentials;
}

/** Initial values of a new connection's fields. */
export function fieldDefaults(fields: readonly ConnectionFieldInfo[]): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const f of fields) values[f.name] = (f.default as FieldValue) ?? (f.type === "STRING_LIST" ? [] : undefined);
  return values;
}

/** A stored config back into form values (the API returns it as opaque JSON); secrets start empty. */
export function fromConfig(fields: readonly ConnectionFieldInfo[], config: unknown): Record<string, FieldValue> {
  const c = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  const values = fieldDefaults(fields);
  for (const f of fields) {
    if (isSecret(f)) {
      values[f.name] = "";
      continue;
    }
    const v = c[f.name];
    if (f.type === "STRING_LIST") values[f.name] = Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") values[f.name] = v;
  }
  return values;
}

/** A stored config value for display. */
export function displayValue(f: ConnectionFieldInfo, config: unknown): string {
  const v = (typeof config === "object" && config !== null ? (config as Record<string, unknown>)[f.name] : undefined) ?? f.default;
  if (Array.isArray(v)) return v.length ? v.join(", ") : "—";
  if (v === undefined || v === null || v === "") return "—";
  return String(v);
}

/**
 * Field issues from config validation come back as `config.host`, `config.databases.0`…; the form
 * names those fields without the `config.` prefix.
 */
export function withoutConfigPrefix<T extends { path: string }>(issues: readonly T[]): T[] {
  return issues.map((i) => ({ ...i, path: i.path.replace(/^(input\.)?(config|credentials)\./, "") }));
}

export const SIGNATURE_FORMAT = 'Steward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';
