export * from "./claims";
export * from "./errors";
export * from "./flow-state";
export * from "./relying-party";
export * from "./settings";
export * from "./sign-in-with-oidc";
