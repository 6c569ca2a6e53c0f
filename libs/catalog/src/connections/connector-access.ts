import { badInput, notFound, type SecretBox } from "@steward/core";
import type { Tx } from "@steward/db";
import { adapterFor, type Connector, ConnectorError, kindsWith, type PlatformKind } from "@steward/integrations";
import type { CatalogDeps } from "../deps";

export function resolveConnector(deps: CatalogDeps, kind: PlatformKind): Connector {
  const lookup = deps.adapterFor ?? adapterFor;
  const connector = lookup(kind).catalog;
  if (!connector) {
    const today = kindsWith("catalog").map((k) => lookup(k).label);
    throw badInput(`${kind} connections are not supported yet: Steward can register ${today.join(", ")} today`);
  }
  return connector;
}

/** Validates platform-specific config and credentials with the connector's own schemas. */
export function parseConnectorInput(connector: Connector, config: unknown, credentials: unknown) {
  const c = connector.configSchema.safeParse(config);
  if (!c.success)
    throw badInput(
      `Invalid ${connector.kind} connection details: ${c.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ")}`,
      c.error.issues.map((i) => ({ path: `config.${i.path.join(".")}`, message: i.message })),
    );
  const s = connector.credentialsSchema.safeParse(credentials ?? {});
  if (!s.success)
    throw badInput(
      "Invalid credentials",
      s.error.issues.map((i) => ({ path: `credentials.${i.path.join(".")}`, message: i.message })),
    );
  return { config: c.data, credentials: s.data };
}

/** Loads a live connection with its decrypted credentials, for sync and tests. */
export async function loadConnectionForUse(tx: Tx, secretBox: SecretBox, deps: CatalogDeps, connectionId: string) {
  const connection = await tx.connection.findUnique({ where: { id: connectionId } });
  if (!connection || connection.deletedAt) throw notFound("Connection");
  const connector = resolveConnector(deps, connection.kind);
  const credentials = connection.credentialsCiphertext ? JSON.parse(secretBox.open(connection.credentialsCiphertext)) : {};
  const parsed = parseConnectorInput(connector, connection.config, credentials);
  return { connection, connector, ...parsed };
}

/** Turns a failed connection test into a typed error the UI can show next to the form. */
export function connectionProblemError(err: ConnectorError | { code: string; message: string; privilege?: string }) {
  const problem = err instanceof ConnectorError ? err.problem : err;
  const detail = "privilege" in problem && problem.privilege ? ` (missing privilege: ${problem.privilege})` : "";
  return badInput(`Connection test failed: ${problem.message}${detail}`, [{ path: "config", message: problem.code }]);
}
