import { describe, expect, it } from "vitest";
import { compileSnapshot } from "./compile";
import { evaluateAll, evaluateCompiled } from "./evaluate";
import { explainAccess } from "./explain";
import { recomputeForUser } from "./incremental";
import { levelOf } from "./result";
import { policy, source, user } from "./testing";
import { fromTypedDefinition } from "./typed-definition";
import type { PolicySnapshot } from "./types";
import { validatePolicy } from "./validate";

const NOW = new Date("2026-11-24T12:00:00Z");

/** "Only when acting under purpose Research (id pr-research)", or as a member of hr. */
const snapshot = (): PolicySnapshot => ({
  users: [
    user("alice", { purposes: ["pr-research"] }),
    user("bob", { purposes: ["pr-marketing"] }),
    user("carol"),
    user("dave", { groups: ["hr"] }),
  ],
  sources: [source("s1"), source("s2")],
  policies: [
    policy("p", {
      scope: { kind: "sources", sourceIds: ["s1"] },
      restriction: {
        kind: "conditions",
        condition: {
          kind: "or",
          conditions: [
            { kind: "purpose", purpose: "pr-research" },
            { kind: "group", group: "hr" },
          ],
        },
      },
    }),
  ],
});

describe("purpose conditions", () => {
  it("admit exactly the users whose current project acts under the purpose", () => {
    const snap = snapshot();
    const result = evaluateAll(snap, NOW);
    expect(["alice", "bob", "carol", "dave"].map((u) => levelOf(result, u, "s1"))).toEqual(["READ", "NONE", "NONE", "READ"]);
  });

  it("are traced by explain with the purposes the user acts under", () => {
    const e = explainAccess(snapshot(), "bob", "s1", NOW);
    expect(e.level).toBe("NONE");
    expect(e.policies[0]?.condition).toEqual({
      kind: "or",
      satisfied: false,
      children: [
        { kind: "purpose", purpose: "pr-research", userPurposes: ["pr-marketing"], satisfied: false },
        { kind: "group", group: "hr", satisfied: false },
      ],
    });
  });

  it("follow a project switch incrementally (no re-compile)", () => {
    const c = compileSnapshot(snapshot());
    evaluateCompiled(c, NOW);
    expect(recomputeForUser(c, user("bob", { purposes: ["pr-research"] }), NOW)).toEqual([
      { sourceId: "s1", before: "NONE", after: "READ" },
    ]);
    expect(recomputeForUser(c, user("alice", { purposes: [] }), NOW)).toEqual([{ sourceId: "s1", before: "READ", after: "NONE" }]);
    // A group and a purpose with the same id are different terms.
    expect(recomputeForUser(c, user("carol", { groups: ["pr-research"] }), NOW)).toEqual([]);
  });

  it("are validated, with a warning for an unknown purpose id", () => {
    const input = {
      id: "p",
      name: "research",
      accessType: "READ",
      restriction: { kind: "conditions", condition: { kind: "purpose", purpose: "Research" } },
      scope: { kind: "sources", sourceIds: ["s1"] },
    };
    expect(validatePolicy(input, { purposeIds: ["pr-research"] }).warnings).toEqual([
      {
        severity: "warning",
        code: "UNKNOWN_PURPOSE",
        path: "restriction.condition",
        message: "no purpose has the id Research; nobody acts under it (purposes are referenced by id, not by name)",
      },
    ]);
    expect(validatePolicy(input, {}).warnings).toEqual([]);
    expect(() => validatePolicy({ ...input, restriction: { kind: "conditions", condition: { kind: "purpose", purpose: " " } } })).toThrow(
      /purpose must not be empty/,
    );
  });

  it("have a typed form", () => {
    expect(
      fromTypedDefinition({ restriction: { conditions: { purpose: "pr-1" } }, scope: { sources: ["s1"] } }).definition.restriction,
    ).toEqual({
      kind: "conditions",
      condition: { kind: "purpose", purpose: "pr-1" },
    });
  });
});
