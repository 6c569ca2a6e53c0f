export * from "./compile";
export * from "./dialect";
