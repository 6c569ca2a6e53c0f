/** PostgreSQL grant reconciler: desired access state → catalog diff → minimal GRANT/REVOKE in one transaction. */

export { readActualState } from "./catalog";
export { MANAGED_MARKER, ROLE_PREFIX, scopePrefix, validateDesired } from "./naming";
export { type GrantPlan, planGrants } from "./planner";
export { detectDrift, planReconcile, reconcile } from "./reconcile";
export { type ActualState, emptyActualState, type Grant, type Membership } from "./state";
export * from "./types";
