export * from "./audit";
export * from "./catalog";
export * from "./outbox";
export * from "./refusals";
