import type { Logger, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { Connector, PlatformKind } from "@steward/integrations";

/** What catalog use-cases need. `connectorFor` is injectable so tests can point at local fakes of cloud APIs. */
export type CatalogDeps = {
  db: Db;
  secretBox: SecretBox;
  connectorFor?: (kind: PlatformKind) => Connector | null;
  logger?: Logger;
};
