// PLACEHOLDER (helper trino-runtime replaces this file): catalog sync through Trino's REST protocol.
import { TrinoConfig, TrinoCredentials } from "./config";
import type { Connector } from "../connector";

export const trinoConnector: Connector<TrinoConfig, TrinoCredentials> = {
  kind: "TRINO",
  configSchema: TrinoConfig,
  credentialsSchema: TrinoCredentials,
  displayName: (path) => path.join("."),
  testConnection: async () => ({ ok: false, problem: { code: "UNREACHABLE", message: "not implemented yet" } }),
  crawl: async () => [],
};
