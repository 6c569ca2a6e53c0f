import { describe, expect, it } from "vitest";
import { OPERATIONS, operationSpec, type Requirement } from "./operations";

/**
 * Every operation of integrations.md §1.4 (Trino's OpaAccessControl, newest version), written out
 * here on purpose: the table in operations.ts must cover each, with the expected requirement.
 */
const EXPECTED: Record<string, string> = {
  ExecuteQuery: "allow",
  ReadSystemInformation: "adminOnly",
  WriteSystemInformation: "adminOnly",
  ImpersonateUser: "selfOrAdmin",
  ViewQueryOwnedBy: "selfOrAdmin",
  KillQueryOwnedBy: "selfOrAdmin",
  FilterViewQueryOwnedBy: "selfOrAdmin",
  SetSystemSessionProperty: "allow",
  AccessCatalog: "visible catalog",
  CreateCatalog: "CREATE catalog",
  DropCatalog: "OWN catalog",
  FilterCatalogs: "visible catalog",
  ShowSchemas: "visible catalog",
  SetCatalogSessionProperty: "allow",
  CreateSchema: "CREATE schema",
  DropSchema: "OWN schema",
  RenameSchema: "OWN schema → CREATE",
  SetSchemaAuthorization: "OWN schema",
  FilterSchemas: "visible schema",
  ShowCreateSchema: "visible schema",
  ShowTables: "visible schema",
  ShowFunctions: "allow",
  ShowCreateTable: "READ table",
  DropTable: "OWN table",
  SetTableComment: "OWN table",
  SetViewComment: "OWN table",
  SetColumnComment: "OWN table",
  ShowColumns: "READ table",
  AddColumn: "OWN table",
  AlterColumn: "OWN table",
  DropColumn: "OWN table",
  RenameColumn: "OWN table",
  InsertIntoTable: "WRITE table",
  DeleteFromTable: "WRITE table",
  TruncateTable: "WRITE table",
  CreateView: "CREATE table",
  DropView: "OWN table",
  RefreshMaterializedView: "WRITE table",
  SetMaterializedViewComment: "OWN table",
  DropMaterializedView: "OWN table",
  GetRowFilters: "rowFilters",
  CreateTable: "CREATE table",
  SetTableProperties: "OWN table",
  CreateMaterializedView: "CREATE table",
  SetMaterializedViewProperties: "OWN table",
  SelectFromColumns: "READ table",
  UpdateTableColumns: "WRITE table",
  CreateViewWithSelectFromColumns: "READ table",
  FilterColumns: "visible table",
  RenameTable: "OWN table → CREATE",
  RenameView: "OWN table → CREATE",
  RenameMaterializedView: "OWN table → CREATE",
  SetTableAuthorization: "OWN table",
  SetViewAuthorization: "OWN table",
  FilterTables: "visible table",
  ExecuteTableProcedure: "WRITE table",
  ExecuteProcedure: "WRITE functionSchema",
  ExecuteFunction: "allow",
  CreateViewWithExecuteFunction: "allow",
  CreateFunction: "CREATE functionSchema",
  DropFunction: "OWN functionSchema",
  ShowCreateFunction: "allow",
  FilterFunctions: "allow",
  GetColumnMask: "columnMask",
};

const FILTERING = ["FilterViewQueryOwnedBy", "FilterCatalogs", "FilterSchemas", "FilterTables", "FilterColumns", "FilterFunctions"];

function describeRequirement(r: Requirement): string {
  switch (r.kind) {
    case "permission":
      return `${r.permission} ${r.on}${r.target ? ` → ${r.target}` : ""}`;
    case "visible":
      return `visible ${r.on}`;
    default:
      return r.kind;
  }
}

describe("Trino OPA operations", () => {
  it.each(Object.entries(EXPECTED))("%s needs %s", (operation, expected) => {
    const spec = operationSpec(operation);
    expect(spec, `${operation} is missing from OPERATIONS`).toBeDefined();
    expect(describeRequirement(spec!.requirement)).toBe(expected);
    expect(spec!.filtering).toBe(FILTERING.includes(operation));
  });

  it("maps nothing beyond the reference list (a typo would otherwise go unnoticed)", () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("knows no operation by a prototype name", () => {
    expect(operationSpec("toString")).toBeUndefined();
    expect(operationSpec("__proto__")).toBeUndefined();
    expect(operationSpec("selectfromcolumns")).toBeUndefined();
  });
});
