export * from "./apply";
export * from "./diff";
export * from "./document";
export * from "./live-state";
export * from "./parse";
export * from "./policies-as-code";
