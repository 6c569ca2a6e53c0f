import { describe, expect, it } from "vitest";
import { decisionRecordWhere, escapeLike } from "./decision-log";

const none = { connectionId: null, user: null, allowed: null, operation: null, text: null, from: null, to: null };

describe("escapeLike", () => {
  it("escapes exactly LIKE's metacharacters and the escape character", () => {
    expect(escapeLike("100%_off\\now")).toBe("100\\%\\_off\\\\now");
    expect(escapeLike(`'"ünï\u0301`)).toBe(`'"ünï\u0301`);
  });
});

describe("decisionRecordWhere", () => {
  it("searches resource and reason with the escaped text, case-insensitively", () => {
    expect(decisionRecordWhere({ ...none, text: "a%" }, null, null)).toEqual({
      AND: [{ OR: [{ resource: { contains: "a\\%", mode: "insensitive" } }, { reason: { contains: "a\\%", mode: "insensitive" } }] }],
    });
  });

  it("keeps a reader's scope even when the filter names a connection", () => {
    const where = decisionRecordWhere({ ...none, connectionId: "c2" }, ["c1"], null);
    expect(where.AND).toEqual([{ connectionId: { in: ["c1"] } }, { connectionId: "c2" }]);
  });

  it("continues after the cursor on (at, id)", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(decisionRecordWhere(none, null, { at, id: "x" }).AND).toEqual([{ OR: [{ at: { lt: at } }, { at, id: { lt: "x" } }] }]);
  });
});
