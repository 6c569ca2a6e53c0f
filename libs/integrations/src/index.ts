export * from "./connector";
export * from "./registry";
export * from "./sql/quote";
export { PostgresConfig, PostgresCredentials } from "./postgres/config";
export { postgresConnector } from "./postgres/postgres.connector";
export { type AccountRules, postgresAccountRules, postgresAccountRulesFor } from "./postgres/accounts";
