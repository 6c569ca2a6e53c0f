import type { Db } from "@steward/db";

/** What identity use-cases need; transports build it once and pass it in. */
export type IdentityDeps = { db: Db };
