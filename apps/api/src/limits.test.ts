import { buildSchema, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { depthLimitRule, MAX_DEPTH } from "./limits";

// A small schema of the same shape as the API's (built here: the app's schema comes from graphql's other
// module build, which `validate` from this one refuses).
const schema = buildSchema(`
  type Query { me: Viewer users: UserPage }
  type Viewer { authMethod: String }
  type UserPage { nodes: [User!]! }
  type User { username: String groups: [Group!]! }
  type Group { members: UserPage }
`);
const check = (query: string) => validate(schema, parse(query), [...specifiedRules, depthLimitRule]).map((e) => e.message);

describe("depthLimitRule", () => {
  it("counts depth through fragments", () => {
    let selection = "username";
    for (let i = 0; i < MAX_DEPTH; i++) selection = `groups { members { nodes { ${selection} } } }`;
    const errors = check(`{ users { nodes { ...Deep } } } fragment Deep on User { ${selection} }`);
    expect(errors.some((m) => /exceeds maximum operation depth/.test(m))).toBe(true);
    expect(check(`{ users { nodes { ...Shallow } } } fragment Shallow on User { username }`)).toEqual([]);
  });

  it("reports a fragment cycle instead of recursing without end", () => {
    const errors = check(`{ me { ...A } } fragment A on Viewer { authMethod ...B } fragment B on Viewer { ...A }`);
    expect(errors.some((m) => /Cannot spread fragment/.test(m))).toBe(true);
  });

  it("visits each fragment once, however often it is spread", () => {
    let fragments = "";
    for (let i = 0; i < 40; i++) fragments += `fragment F${i} on Viewer { authMethod ${i < 39 ? `...F${i + 1} ...F${i + 1}` : ""} }\n`;
    const started = performance.now();
    check(`{ me { ...F0 } }\n${fragments}`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("ignores meta fields, which the complexity limit prices instead", () => {
    let types = "name";
    for (let i = 0; i < MAX_DEPTH + 2; i++) types = `ofType { ${types} }`;
    expect(check(`{ __schema { types { ${types} } } }`)).toEqual([]);
  });
});
