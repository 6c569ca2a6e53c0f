export * from "./receiver";
