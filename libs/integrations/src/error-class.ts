/**
 * One taxonomy for platform failures, shared by the engine (retry or not), the sweeper and the UI:
 * TRANSIENT — retry with backoff, it ends by itself (outage, timeout, lock conflict);
 * CONFIGURATION — an admin must fix the connection (credentials, privileges, missing database);
 * PERMANENT — retrying the same input fails the same way (bad input, SQL error, a bug).
 */
export type ErrorClass = "TRANSIENT" | "PERMANENT" | "CONFIGURATION";

export const ERROR_CLASSES: readonly ErrorClass[] = ["TRANSIENT", "PERMANENT", "CONFIGURATION"];
