export { type CompiledSnapshot, compileSnapshot } from "./compile";
export type { ConditionTrace } from "./condition";
export { applyMask, evaluateExpr, type ProfileFacts, type Row, saltedHash, sampleKeeps, textForm, type Value } from "./data/evaluate-expr";
export * from "./data/explain";
export {
  describeMask,
  describeRowRule,
  describeTrace,
  type ExceptionTrace,
  type ExplainProfile,
  type ProfileFact,
  traceException,
} from "./data/explain-trace";
export * from "./data/expr";
export { type Fallback, fallbackOf } from "./data/fallback";
export { regexProblem } from "./data/regex";
export * from "./data/resolve";
export * from "./data/schema";
export * from "./data/types";
export * from "./data/validate";
export { bindWhere, columnsOf, type ParsedWhere, parseWhere, type WhereContext } from "./data/where-parser";
export * from "./diff";
export { evaluateAll, evaluateCompiled } from "./evaluate";
export * from "./explain";
export * from "./grammar";
export { recomputeForUser, type UserLevelChange } from "./incremental";
export * from "./result";
export { conditionSchema, restrictionSchema, scopeSchema, subscriptionPolicySchema } from "./schema";
export { tagCovers } from "./scope";
export * from "./typed-definition";
export * from "./types";
export * from "./validate";
