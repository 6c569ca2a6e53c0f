/** PostgreSQL grant reconciler: desired access state → catalog diff → minimal GRANT/REVOKE in one transaction. */
export { reconcile, planReconcile, detectDrift } from "./reconcile";
export { planGrants, type GrantPlan } from "./planner";
export { type ActualState, type Grant, type Membership, emptyActualState } from "./state";
export { readActualState } from "./catalog";
export { MANAGED_MARKER, ROLE_PREFIX, scopePrefix, validateDesired } from "./naming";
export * from "./types";
