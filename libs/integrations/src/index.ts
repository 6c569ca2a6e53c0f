export * from "./access-types";
export * from "./adapter";
export * from "./connector";
export * from "./error-class";
export { PostgresConfig, PostgresCredentials } from "./postgres/config";
export { postgresConnector } from "./postgres/postgres.connector";
export { type AccountRules, postgresAccountRules, postgresAccountRulesFor } from "./postgres/accounts";
export * from "./registry";
export * from "./sql/quote";
