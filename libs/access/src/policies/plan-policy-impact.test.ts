import { describe, expect, it } from "vitest";
import { countGainsAndLosses } from "./plan-policy-impact";

describe("countGainsAndLosses", () => {
  it("counts raised and lowered (user, source) pairs; READ→WRITE is a gain, WRITE→READ a loss", () => {
    const c = (before: "NONE" | "READ" | "WRITE", after: "NONE" | "READ" | "WRITE") => ({ dataSourceId: "s", userId: "u", before, after });
    expect(countGainsAndLosses([c("NONE", "READ"), c("READ", "WRITE"), c("WRITE", "READ"), c("READ", "NONE"), c("READ", "READ")])).toEqual({
      gainedCount: 2,
      lostCount: 2,
    });
    expect(countGainsAndLosses([])).toEqual({ gainedCount: 0, lostCount: 0 });
  });
});
