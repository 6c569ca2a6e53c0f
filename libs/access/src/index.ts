export * from "./authz";
export * from "./snapshot";
export * from "./policies/policy-commands";
export * from "./policies/policy-queries";
export * from "./requests/access-requests";
