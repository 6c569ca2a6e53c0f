import { badInput } from "@steward/core";
import { type DataPolicyDefinition, dataPolicyDefinitionSchema, fromTypedDataPolicyDefinition } from "@steward/policy";

export type { DataPolicyDefinition };

/**
 * A data policy definition as stored: the engine's format (libs/policy/src/data/types.ts), checked
 * with the engine's schema. `typed`: the GraphQL `@oneOf` form (converted by the engine, error paths
 * translated back to the caller's fields); otherwise already the engine's form (in-process callers).
 */
export function parseDataPolicyDefinition(input: unknown, root: string, typed: boolean): DataPolicyDefinition {
  const converted = typed ? fromTypedDataPolicyDefinition(input, root) : { definition: input, typedPath: (p: string) => p };
  const parsed = dataPolicyDefinitionSchema.safeParse(converted.definition);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const enginePath = i.path.map(String).join(".");
    return { path: typed ? converted.typedPath(enginePath) : `${root}.${enginePath}`, message: i.message };
  });
  throw badInput(`Invalid data policy definition: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}
