export { type UnityCatalogAdapterOptions, unityCatalogAdapter, unityCatalogAdapterWith } from "./adapter";
export { UcConfig, UcCredentials } from "./config";
export { memoryGrantLedger, type UcGrantLedger } from "./ledger";
