export * from "./authz";
export * from "./snapshot";
export * from "./policies/policy-commands";
export * from "./policies/policy-queries";
export * from "./requests/access-requests";
export * from "./propagation/desired-version";
export * from "./propagation/desired-access";
export * from "./propagation/reconcile-connection";
