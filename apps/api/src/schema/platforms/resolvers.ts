import { unauthenticated } from "@steward/core";
import { adapterFor, type ConnectionFieldType, ERROR_CLASSES, type ErrorClass, PLATFORM_KINDS } from "@steward/integrations";
import type { ConnectionFieldType as GqlFieldType, Resolvers } from "../resolvers-types.gen";

const FIELD_TYPES: Record<ConnectionFieldType, GqlFieldType> = {
  string: "STRING",
  int: "INT",
  secret: "SECRET",
  enum: "ENUM",
  "string-list": "STRING_LIST",
  boolean: "BOOLEAN",
};

const errorClass = (value: string | null): ErrorClass | null =>
  value && (ERROR_CLASSES as readonly string[]).includes(value) ? (value as ErrorClass) : null;

/** Everything here is read from the adapter registry: a new platform appears without touching this file. */
export const platformResolvers: Resolvers = {
  Query: {
    platformKinds: (_p, _a, ctx) => {
      if (!ctx.actor) throw unauthenticated();
      return PLATFORM_KINDS.map((kind) => {
        const a = adapterFor(kind);
        return {
          kind,
          label: a.label,
          supported: a.supported,
          capabilities: a.capabilities,
          connectionFields: a.connectionFields.map((f) => ({ ...f, type: FIELD_TYPES[f.type], options: f.options ?? null })),
          reservedAccountNames: [...a.accounts.reserved],
        };
      });
    },
  },
  ReconcileRun: {
    errorClass: (run) => errorClass(run.errorClass),
  },
  ConnectionAccessState: {
    lastErrorClass: (state) => errorClass(state.lastErrorClass),
  },
};
