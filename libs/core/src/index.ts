export * from "./errors";
export * from "./validation";
export * from "./crypto";
export * from "./pagination";
export * from "./logger";
export * from "./actor";
export * from "./address-list";
