import { describe, expect, it } from "vitest";
import { ScimError } from "./errors";
import { applyPatch, parsePatchBody } from "./patch";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from "./schemas";

const ID = "2819c223-7f76-453a-919d-413861904646";
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
const user = () => ({
  schemas: [USER_SCHEMA],
  id: ID,
  userName: "bjensen",
  displayName: "Babs",
  active: true,
  emails: [{ value: "b@example.com", type: "work", primary: true }],
});
const group = () => ({ schemas: [GROUP_SCHEMA], id: "g", displayName: "Tour Guides", members: [{ value: "a" }, { value: "b" }] });
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ScimError ? `${err.status} ${err.scimType}` : String(err);
  }
  return "no error";
};

describe("SCIM PATCH", () => {
  it("applies add / replace / remove forms from RFC 7644 §3.5.2 and the IdPs' documented requests", () => {
    const ops = parsePatchBody(
      "User",
      body(
        { op: "Replace", path: "active", value: "False" }, // Entra ID: capitalised op, string boolean
        { op: "replace", value: { displayName: "Barbara", [`${ENTERPRISE_SCHEMA}:department`]: "Tours" } }, // Okta: no path
        { op: "add", path: `${ENTERPRISE_SCHEMA}:costCenter`, value: "4130" },
        { op: "replace", path: 'emails[type eq "work"].value', value: "babs@example.com" },
        { op: "remove", path: "title" },
      ),
      ID,
    );
    expect(ops.map((o) => o.op)).toEqual(["replace", "replace", "add", "replace", "remove"]);
    const out = applyPatch(user(), ops);
    expect(out).toMatchObject({ active: "False", displayName: "Barbara", emails: [{ value: "babs@example.com" }] });
    expect(out[ENTERPRISE_SCHEMA]).toEqual({ department: "Tours", costCenter: "4130" });
  });

  it("changes group membership both ways IdPs do it", () => {
    const okta = parsePatchBody(
      "Group",
      body({ op: "add", path: "members", value: [{ value: "c" }] }, { op: "remove", path: "members", value: [{ value: "a" }] }),
      "g",
    );
    expect((applyPatch(group(), okta).members as { value: string }[]).map((m) => m.value)).toEqual(["b", "c"]);
    const entra = parsePatchBody("Group", body({ op: "Remove", path: 'members[value eq "b"]' }), "g");
    expect((applyPatch(group(), entra).members as { value: string }[]).map((m) => m.value)).toEqual(["a"]);
    // Removing someone from an empty group is no change, not an error.
    expect(applyPatch({ ...group(), members: [] }, entra).members ?? []).toEqual([]);
    const rename = parsePatchBody("Group", body({ op: "replace", value: { id: "g", displayName: "Guides" } }), "g");
    expect(applyPatch(group(), rename).displayName).toBe("Guides");
  });

  it("refuses malformed bodies and paths with RFC-shaped errors", () => {
    expect(errorOf(() => parsePatchBody("User", { Operations: [] }, ID))).toBe("400 invalidSyntax");
    expect(errorOf(() => parsePatchBody("User", body(), ID))).toBe("400 invalidSyntax");
    expect(errorOf(() => parsePatchBody("User", body({ op: "move", path: "x" }), ID))).toBe("400 invalidSyntax");
    expect(errorOf(() => parsePatchBody("User", body({ op: "replace", path: "nickname.first", value: 1 }), ID))).toBe("400 invalidPath");
    expect(errorOf(() => parsePatchBody("User", body({ op: "replace", path: "favouriteColour", value: "x" }), ID))).toBe("400 invalidPath");
    expect(errorOf(() => parsePatchBody("User", body({ op: "add", path: `${ENTERPRISE_SCHEMA}:shoeSize`, value: "9" }), ID))).toBe(
      "400 invalidPath",
    );
    expect(errorOf(() => parsePatchBody("User", body({ op: "replace", path: "emails[type eq ]", value: "x" }), ID))).toBe(
      "400 invalidPath",
    );
    expect(errorOf(() => parsePatchBody("User", body({ op: "remove" }), ID))).toBe("400 noTarget");
    expect(errorOf(() => parsePatchBody("User", body({ op: "add", path: "displayName" }), ID))).toBe("400 invalidValue");
    expect(errorOf(() => parsePatchBody("User", body({ op: "replace", path: "id", value: "other" }), ID))).toBe("400 mutability");
    expect(errorOf(() => parsePatchBody("User", body({ op: "add", path: "groups", value: [{ value: "g" }] }), ID))).toBe("400 mutability");
    expect(errorOf(() => parsePatchBody("User", body({ op: "replace", value: { meta: {} } }), ID))).toBe("400 mutability");
    expect(errorOf(() => parsePatchBody("Group", body({ op: "replace", path: "userName", value: "x" }), "g"))).toBe("400 invalidPath");
  });

  it("lets other extension URNs through (their data is ignored unless mapped)", () => {
    const ops = parsePatchBody(
      "User",
      body({ op: "add", path: "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", value: "7" }),
      ID,
    );
    expect(applyPatch(user(), ops)["urn:ietf:params:scim:schemas:extension:acme:2.0:User"]).toEqual({ badge: "7" });
  });
});
