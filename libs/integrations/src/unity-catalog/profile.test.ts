import { describe, expect, it } from "vitest";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { planProfiles, type StoredProfile, saltStatements, storedProfile } from "./profile";
import { lexDatabricks } from "./testing/databricks-lexer";

const row = (account: string, groups: string[] = []): StoredProfile => ({
  account,
  userId: `id-${account}`,
  username: account,
  groups,
  attributes: [],
  purposes: [],
  sources: [],
  projectId: null,
});

describe("Databricks profile and salt statements", () => {
  it("the salt is written only when the table does not hold exactly the desired one, always through :salt", () => {
    expect(saltStatements("gov", { stored: 1, matching: 1 })).toEqual([]);
    for (const check of [
      { stored: 0, matching: 0 },
      { stored: 1, matching: 0 },
      { stored: 2, matching: 1 },
    ])
      expect(saltStatements("gov", check)).toEqual(["INSERT OVERWRITE `gov`.`steward_system`.`hash_salt` (`salt`) VALUES (:salt)"]);
  });

  it("unchanged rows plan nothing; a scoped plan never deletes other accounts' rows", () => {
    const now = [row("a", ["x"]), row("b")];
    expect(planProfiles("gov", [row("b"), row("a", ["x"])], now, false)).toEqual({ statements: [], upserted: 0, deleted: 0 });
    expect(planProfiles("gov", [row("a", ["y"])], [row("a", ["x"])], true).deleted).toBe(0);
    const full = planProfiles("gov", [row("a", ["x"])], now, false);
    expect(full).toEqual({
      statements: ["DELETE FROM `gov`.`steward_system`.`profile` WHERE `account` IN ('b')"],
      upserted: 0,
      deleted: 1,
    });
  });

  it("hostile account names and set values stay one literal each in the MERGE", () => {
    const rows = HOSTILE_NAMES.map((n) =>
      storedProfile({
        accountName: n,
        userId: n,
        username: n,
        groups: [n],
        attributes: { [n]: [n] },
        purposes: [],
        sources: [],
        projectId: null,
      }),
    );
    const [merge] = planProfiles("gov", rows, [], false).statements;
    const literals = lexDatabricks(merge!)
      .filter((t) => t.t === "string")
      .map((t) => t.v);
    for (const n of HOSTILE_NAMES) expect(literals).toContain(n);
    expect(lexDatabricks(merge!).filter((t) => t.t === "word" && !t.quoted && t.v === "DROP")).toEqual([]);
  });
});
