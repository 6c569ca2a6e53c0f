// PLACEHOLDER (helper trino-runtime replaces this file): catalog sync through Trino's REST protocol.

import type { Connector } from "../connector";
import { TrinoConfig, TrinoCredentials } from "./config";

export const trinoConnector: Connector<TrinoConfig, TrinoCredentials> = {
  kind: "TRINO",
  configSchema: TrinoConfig,
  credentialsSchema: TrinoCredentials,
  displayName: (path) => path.join("."),
  testConnection: async () => ({ ok: false, problem: { code: "UNREACHABLE", message: "not implemented yet" } }),
  crawl: async () => [],
};
