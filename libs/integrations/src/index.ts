export * from "./connector";
export { type AccountRules, postgresAccountRules, postgresAccountRulesFor } from "./postgres/accounts";
export { PostgresConfig, PostgresCredentials } from "./postgres/config";
export { postgresConnector } from "./postgres/postgres.connector";
export * from "./registry";
export * from "./sql/quote";
