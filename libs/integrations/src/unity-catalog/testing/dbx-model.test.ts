/**
 * The emulated warehouse refuses what the integration tests rely on it to refuse: if it accepted
 * everything, a wrong order or a wrong signature in Steward's statements would pass unnoticed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { DbxSqlError } from "./dbx-cursor";
import { DbxModel } from "./dbx-model";

let m: DbxModel;
const T = "`main`.`s`.`t`";
const F = (name: string) => `\`gov\`.\`sys\`.\`${name}\``;

beforeEach(() => {
  m = new DbxModel();
  m.addTable(
    ["main", "s", "t"],
    [
      { name: "email", type: "STRING" },
      { name: "n", type: "INT" },
    ],
  );
  m.addTable(["main", "s", "v"], [{ name: "email", type: "STRING" }], "VIEW");
  m.addCatalog("gov");
  m.execute("CREATE SCHEMA IF NOT EXISTS `gov`.`sys`");
  m.execute(`CREATE OR REPLACE FUNCTION ${F("mask_s")}(\`email\` STRING)\nRETURNS STRING\nRETURN sha2(\`email\`, 256)`);
  m.execute(`CREATE OR REPLACE FUNCTION ${F("mask_i")}(\`email\` STRING)\nRETURNS INT\nRETURN 1`);
  m.execute(`CREATE OR REPLACE FUNCTION ${F("rf")}(\`n\` INT)\nRETURNS BOOLEAN\nRETURN \`n\` > 0`);
  m.execute(`CREATE OR REPLACE FUNCTION ${F("rf2")}(\`n\` INT)\nRETURNS BOOLEAN\nRETURN \`n\` < 9`);
});

const errorClass = (sql: string, params?: Record<string, string>) => {
  try {
    m.execute(sql, params);
    return "accepted";
  } catch (err) {
    return err instanceof DbxSqlError ? err.errorClass : `other: ${String(err)}`;
  }
};

describe("emulated Databricks warehouse", () => {
  it("a mask must return its column's type and take it as its first parameter", () => {
    expect(errorClass(`ALTER TABLE ${T} ALTER COLUMN \`email\` SET MASK ${F("mask_i")}`)).toBe("MASK_RETURN_TYPE_MISMATCH");
    expect(errorClass(`ALTER TABLE ${T} ALTER COLUMN \`n\` SET MASK ${F("mask_s")}`)).toBe("DATATYPE_MISMATCH");
    expect(errorClass(`ALTER TABLE ${T} ALTER COLUMN \`email\` SET MASK ${F("mask_s")} USING COLUMNS (\`n\`)`)).toBe("WRONG_NUM_ARGS");
    expect(errorClass(`ALTER TABLE ${T} ALTER COLUMN \`email\` SET MASK ${F("mask_s")}`)).toBe("accepted");
    expect(m.maskOf(["main", "s", "t"], "email")).toBe("mask_s");
  });

  it("a table has one row filter: SET replaces it; a non-BOOLEAN filter or a wrong argument count is refused", () => {
    expect(errorClass(`ALTER TABLE ${T} SET ROW FILTER ${F("rf")} ON (\`n\`)`)).toBe("accepted");
    expect(errorClass(`ALTER TABLE ${T} SET ROW FILTER ${F("rf2")} ON (\`n\`)`)).toBe("accepted");
    expect(m.filters.size).toBe(1);
    expect(m.rowFilterOf(["main", "s", "t"])).toBe("rf2");
    expect(errorClass(`ALTER TABLE ${T} SET ROW FILTER ${F("mask_s")} ON (\`email\`)`)).toBe("ROW_FILTER_NOT_BOOLEAN");
    expect(errorClass(`ALTER TABLE ${T} SET ROW FILTER ${F("rf")} ON ()`)).toBe("WRONG_NUM_ARGS");
    expect(errorClass(`ALTER TABLE \`main\`.\`s\`.\`v\` SET ROW FILTER ${F("rf")} ON (\`email\`)`)).toBe("EXPECT_TABLE_NOT_VIEW");
  });

  it("a function still attached cannot be dropped; once detached it can", () => {
    m.execute(`ALTER TABLE ${T} SET ROW FILTER ${F("rf")} ON (\`n\`)`);
    expect(errorClass(`DROP FUNCTION IF EXISTS ${F("rf")}`)).toBe("ROUTINE_IN_USE");
    m.execute(`ALTER TABLE ${T} DROP ROW FILTER`);
    expect(errorClass(`DROP FUNCTION IF EXISTS ${F("rf")}`)).toBe("accepted");
    expect(errorClass(`DROP FUNCTION ${F("rf")}`)).toBe("ROUTINE_NOT_FOUND");
  });

  it("a function body must name existing tables and its own parameters", () => {
    expect(
      errorClass(
        `CREATE OR REPLACE FUNCTION ${F("x")}(\`a\` STRING)\nRETURNS STRING\nRETURN (SELECT \`salt\` FROM \`gov\`.\`sys\`.\`nope\`)`,
      ),
    ).toBe("TABLE_OR_VIEW_NOT_FOUND");
    expect(errorClass(`CREATE OR REPLACE FUNCTION ${F("x")}(\`a\` STRING)\nRETURNS STRING\nRETURN \`b\``)).toBe("UNRESOLVED_COLUMN");
    expect(errorClass(`CREATE OR REPLACE FUNCTION \`gov\`.\`nope\`.\`x\`(\`a\` STRING)\nRETURNS STRING\nRETURN \`a\``)).toBe(
      "SCHEMA_NOT_FOUND",
    );
  });

  it("unquoted or broken names, separators and unbound parameters are refused", () => {
    expect(errorClass("ALTER TABLE main.s.t; DROP TABLE x SET ROW FILTER f ON (n)")).toBe("PARSE_SYNTAX_ERROR");
    expect(errorClass(`ALTER TABLE ${T} ALTER COLUMN \`email\` SET MASK ${F("mask_s")} -- x`)).toBe("PARSE_SYNTAX_ERROR");
    expect(errorClass("ALTER TABLE `main`.`s`.`t` ALTER COLUMN `e`mail` DROP MASK")).toBe("PARSE_SYNTAX_ERROR");
    m.execute("CREATE TABLE IF NOT EXISTS `gov`.`sys`.`salt` (`salt` STRING NOT NULL)");
    expect(errorClass("INSERT OVERWRITE `gov`.`sys`.`salt` (`salt`) VALUES (:salt)")).toBe("UNBOUND_SQL_PARAMETER");
    expect(errorClass("INSERT OVERWRITE `gov`.`sys`.`salt` (`salt`) VALUES (NULL)")).toBe("DELTA_NOT_NULL_CONSTRAINT_VIOLATED");
    expect(errorClass("INSERT OVERWRITE `gov`.`sys`.`salt` (`salt`) VALUES (:salt)", { salt: "s" })).toBe("accepted");
  });
});
