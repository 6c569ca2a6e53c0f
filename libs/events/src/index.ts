export * from "./audit";
export * from "./audit-trail";
export * from "./catalog";
export * from "./outbox";
export * from "./prune-outbox";
export * from "./refusals";
