/**
 * Every operation Trino's `opa` access control sends (integrations.md §1.4) and what it needs from
 * Steward. Permissions follow the seed: READ (SELECT; SHOW on tables, views, columns), WRITE (INSERT,
 * UPDATE, DELETE, MERGE, TRUNCATE, REFRESH), OWN (ALTER, DROP, comments, properties, authorization),
 * CREATE (new catalogs, schemas, tables, views). An operation missing from this table is denied.
 */
import type { TrinoPermission } from "../config";

/** Which part of the request a permission or visibility check reads. */
export type ObjectLevel = "catalog" | "schema" | "table";

export type Requirement =
  /** Always allowed (for a known user). */
  | { kind: "allow" }
  /** Steward admins and Steward's own user only. */
  | { kind: "adminOnly" }
  /** ImpersonateUser: only as oneself; query owners: own queries. Admins: anyone's. */
  | { kind: "selfOrAdmin" }
  /**
   * A permission on the resource at `on`; `target` also needs a permission on `targetResource`
   * (renames: OWN the old name, CREATE the new one). `functionSchema`: the function's catalog/schema
   * under the unregistered setting (functions are never registered in Steward).
   */
  | { kind: "permission"; permission: TrinoPermission; on: ObjectLevel | "functionSchema"; target?: TrinoPermission }
  /** Visible: the user may READ it (a catalog/schema: something below it). */
  | { kind: "visible"; on: ObjectLevel }
  /** Row filters / column masks: answered on their own endpoints, never on allow. */
  | { kind: "rowFilters" }
  | { kind: "columnMask" };

export type OperationSpec = {
  requirement: Requirement;
  /** Sent to the batched uri when configured (`filterResources`), else one request per item. */
  filtering: boolean;
};

const op = (requirement: Requirement, filtering = false): OperationSpec => ({ requirement, filtering });
const perm = (permission: TrinoPermission, on: ObjectLevel | "functionSchema", target?: TrinoPermission): OperationSpec =>
  op(target ? { kind: "permission", permission, on, target } : { kind: "permission", permission, on });
const visible = (on: ObjectLevel, filtering = false) => op({ kind: "visible", on }, filtering);
const ALLOW = op({ kind: "allow" });

export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  // No resource.
  ExecuteQuery: ALLOW,
  ReadSystemInformation: op({ kind: "adminOnly" }),
  WriteSystemInformation: op({ kind: "adminOnly" }),
  // resource.user
  ImpersonateUser: op({ kind: "selfOrAdmin" }),
  ViewQueryOwnedBy: op({ kind: "selfOrAdmin" }),
  KillQueryOwnedBy: op({ kind: "selfOrAdmin" }),
  FilterViewQueryOwnedBy: op({ kind: "selfOrAdmin" }, true),
  // Session properties tune the caller's own session; they grant no data.
  SetSystemSessionProperty: ALLOW,
  SetCatalogSessionProperty: ALLOW,
  // resource.catalog
  AccessCatalog: visible("catalog"),
  CreateCatalog: perm("CREATE", "catalog"),
  DropCatalog: perm("OWN", "catalog"),
  FilterCatalogs: visible("catalog", true),
  ShowSchemas: visible("catalog"),
  // resource.schema
  CreateSchema: perm("CREATE", "schema"),
  DropSchema: perm("OWN", "schema"),
  RenameSchema: perm("OWN", "schema", "CREATE"),
  SetSchemaAuthorization: perm("OWN", "schema"),
  FilterSchemas: visible("schema", true),
  ShowCreateSchema: visible("schema"),
  ShowTables: visible("schema"),
  ShowFunctions: ALLOW,
  // resource.table: READ
  SelectFromColumns: perm("READ", "table"),
  ShowColumns: perm("READ", "table"),
  ShowCreateTable: perm("READ", "table"),
  CreateViewWithSelectFromColumns: perm("READ", "table"),
  FilterTables: visible("table", true),
  // FilterColumns: a readable table shows all its columns (masks, not hiding, protect values).
  FilterColumns: visible("table", true),
  // WRITE (MERGE is checked through Insert/Update/Delete).
  InsertIntoTable: perm("WRITE", "table"),
  DeleteFromTable: perm("WRITE", "table"),
  TruncateTable: perm("WRITE", "table"),
  UpdateTableColumns: perm("WRITE", "table"),
  RefreshMaterializedView: perm("WRITE", "table"),
  ExecuteTableProcedure: perm("WRITE", "table"),
  // OWN
  DropTable: perm("OWN", "table"),
  DropView: perm("OWN", "table"),
  DropMaterializedView: perm("OWN", "table"),
  SetTableComment: perm("OWN", "table"),
  SetViewComment: perm("OWN", "table"),
  SetColumnComment: perm("OWN", "table"),
  SetMaterializedViewComment: perm("OWN", "table"),
  AddColumn: perm("OWN", "table"),
  AlterColumn: perm("OWN", "table"),
  DropColumn: perm("OWN", "table"),
  RenameColumn: perm("OWN", "table"),
  SetTableProperties: perm("OWN", "table"),
  SetMaterializedViewProperties: perm("OWN", "table"),
  SetTableAuthorization: perm("OWN", "table"),
  SetViewAuthorization: perm("OWN", "table"),
  RenameTable: perm("OWN", "table", "CREATE"),
  RenameView: perm("OWN", "table", "CREATE"),
  RenameMaterializedView: perm("OWN", "table", "CREATE"),
  // CREATE
  CreateTable: perm("CREATE", "table"),
  CreateView: perm("CREATE", "table"),
  CreateMaterializedView: perm("CREATE", "table"),
  GetRowFilters: op({ kind: "rowFilters" }),
  // resource.function
  ExecuteFunction: ALLOW,
  CreateViewWithExecuteFunction: ALLOW,
  ShowCreateFunction: ALLOW,
  FilterFunctions: op({ kind: "allow" }, true),
  // Catalog procedures (system.*, register_table…) change the catalog: WRITE on their schema.
  ExecuteProcedure: perm("WRITE", "functionSchema"),
  CreateFunction: perm("CREATE", "functionSchema"),
  DropFunction: perm("OWN", "functionSchema"),
  // resource.column / filterResources[].column
  GetColumnMask: op({ kind: "columnMask" }),
};

/** The spec of an operation, or undefined for a name Trino does not send (denied and recorded). */
export function operationSpec(operation: string): OperationSpec | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
}
