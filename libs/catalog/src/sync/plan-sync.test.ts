import { describe, expect, it } from "vitest";
import { columnsHash, type ExistingNode, PATH_SEP, planSync } from "./plan-sync";

const obj = (schema: string, name: string, cols = [{ name: "id", dataType: "int", ordinal: 1, nullable: false }]) => ({
  path: ["db", schema, name],
  objectType: "TABLE" as const,
  columns: cols,
});

describe("planSync", () => {
  it("inserts the hierarchy for a first sync, parents before children", () => {
    const plan = planSync([obj("s", "a"), obj("s", "b")], []);
    expect(plan.inserts.map((n) => [n.kind, n.name])).toEqual([
      ["DATABASE", "db"],
      ["SCHEMA", "s"],
      ["OBJECT", "a"],
      ["OBJECT", "b"],
    ]);
    const schema = plan.inserts[1]!;
    expect(plan.inserts[2]!.parentId).toBe(schema.id);
    expect(plan.newObjectIds).toHaveLength(2);
  });

  it("does nothing when nothing changed", () => {
    const first = planSync([obj("s", "a")], []);
    const existing: ExistingNode[] = first.inserts.map((n) => ({
      id: n.id,
      pathKey: n.pathKey,
      present: true,
      columnsHash: n.columnsHash,
      objectType: n.objectType,
      kind: n.kind,
    }));
    expect(planSync([obj("s", "a")], existing)).toEqual({ inserts: [], updates: [], gone: [], newObjectIds: [] });
  });

  it("marks dropped objects (and emptied schemas) gone, and revives returning ones", () => {
    const first = planSync([obj("s", "a"), obj("t", "b")], []);
    const existing: ExistingNode[] = first.inserts.map((n) => ({
      id: n.id,
      pathKey: n.pathKey,
      present: true,
      columnsHash: n.columnsHash,
      objectType: n.objectType,
      kind: n.kind,
    }));
    const dropped = planSync([obj("s", "a")], existing);
    const idOf = (key: string[]) => existing.find((n) => n.pathKey === key.join(PATH_SEP))!.id;
    expect(dropped.gone.sort()).toEqual([idOf(["db", "t"]), idOf(["db", "t", "b"])].sort());
    const afterDrop = existing.map((n) => (dropped.gone.includes(n.id) ? { ...n, present: false } : n));
    const back = planSync([obj("s", "a"), obj("t", "b")], afterDrop);
    expect(back.inserts).toEqual([]);
    expect(
      back.updates
        .filter((u) => u.revived)
        .map((u) => u.id)
        .sort(),
    ).toEqual([idOf(["db", "t"]), idOf(["db", "t", "b"])].sort());
    expect(back.newObjectIds).toEqual([idOf(["db", "t", "b"])]);
  });

  it("updates objects whose columns changed", () => {
    const first = planSync([obj("s", "a")], []);
    const existing: ExistingNode[] = first.inserts.map((n) => ({
      id: n.id,
      pathKey: n.pathKey,
      present: true,
      columnsHash: n.columnsHash,
      objectType: n.objectType,
      kind: n.kind,
    }));
    const cols = [{ name: "id", dataType: "bigint", ordinal: 1, nullable: false }];
    const plan = planSync([obj("s", "a", cols)], existing);
    expect(plan.updates).toEqual([
      {
        id: first.inserts[2]!.id,
        objectType: "TABLE",
        columns: cols,
        columnsHash: columnsHash(cols),
        revived: false,
        columnsChanged: true,
      },
    ]);
  });

  it("keeps names with separators-like and hostile characters distinct", () => {
    const plan = planSync([obj('a"b', "c;d"), obj("a", 'b"c;d')], []);
    expect(new Set(plan.inserts.map((n) => n.pathKey)).size).toBe(plan.inserts.length);
  });
});
