import { describe, expect, it } from "vitest";
import { ScimError } from "./errors";
import { filterToWhere } from "./filter";

const scimTypeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ScimError ? `${err.status} ${err.scimType}` : String(err);
  }
  return "no error";
};

describe("SCIM filters → Prisma where", () => {
  it("translates the filters IdPs send (RFC 7644 §3.4.2.2 examples)", () => {
    expect(filterToWhere("User", 'userName eq "bjensen"')).toEqual({ scimUserName: { equals: "bjensen", mode: "insensitive" } });
    expect(filterToWhere("User", 'externalId eq "00u1"')).toEqual({ externalId: { equals: "00u1" } });
    expect(filterToWhere("User", 'displayName co "Jen"')).toEqual({ displayName: { contains: "Jen", mode: "insensitive" } });
    expect(filterToWhere("User", 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual({
      scimUserName: { startsWith: "J", mode: "insensitive" },
    });
    expect(filterToWhere("User", 'emails[value ew "@example.com"]')).toEqual({ email: { endsWith: "@example.com", mode: "insensitive" } });
    expect(filterToWhere("User", "active eq false")).toEqual({ status: "DEACTIVATED" });
    expect(filterToWhere("User", 'userName eq "a" and not (displayName co "b")')).toEqual({
      AND: [{ scimUserName: { equals: "a", mode: "insensitive" } }, { NOT: { displayName: { contains: "b", mode: "insensitive" } } }],
    });
    expect(filterToWhere("Group", 'displayName eq "Tour Guides"')).toEqual({ name: { equals: "Tour Guides", mode: "insensitive" } });
    const id = "2819c223-7f76-453a-919d-413861904646";
    expect(filterToWhere("Group", `members[value eq "${id}"]`)).toEqual({ members: { some: { userId: id } } });
  });

  it("keeps hostile values as data: they only ever become query parameters", () => {
    const hostile = `x" or "1"="1'; DROP TABLE "User"; --`;
    expect(filterToWhere("User", `userName eq ${JSON.stringify(hostile)}`)).toEqual({
      scimUserName: { equals: hostile, mode: "insensitive" },
    });
    expect(filterToWhere("User", 'id eq "not-a-uuid\'--"')).toEqual({ id: { in: [] } });
  });

  it("refuses what it cannot answer with invalidFilter", () => {
    expect(scimTypeOf(() => filterToWhere("User", 'userName eq "x" or 1=1'))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", "userName eq"))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", 'password eq "x"'))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", "userName eq 42"))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", 'active eq "yes"'))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", 'emails[type eq "work"]'))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("Group", 'userName eq "x"'))).toBe("400 invalidFilter");
    expect(scimTypeOf(() => filterToWhere("User", `userName eq "${"a".repeat(1001)}"`))).toBe("400 invalidFilter");
    const deep = `${"not (".repeat(12)}userName eq "x"${")".repeat(12)}`;
    expect(scimTypeOf(() => filterToWhere("User", deep))).toBe("400 invalidFilter");
  });
});
