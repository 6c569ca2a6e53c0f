import type { Logger, SecretBox } from "@steward/core";
import type { Db } from "@steward/db";
import type { AdapterLookup } from "@steward/integrations";

/** What catalog use-cases need. `adapterFor` is injectable so tests can point at local fakes of cloud APIs. */
export type CatalogDeps = {
  db: Db;
  secretBox: SecretBox;
  adapterFor?: AdapterLookup;
  logger?: Logger;
};
