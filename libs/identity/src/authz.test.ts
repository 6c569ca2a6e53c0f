import type { Actor, RoleName } from "@steward/core";
import { describe, expect, it } from "vitest";
import { canReadAllUsers, requireAuditReader, requireRole, requireUserReader } from "./authz";

const user = (...roles: RoleName[]): Actor => ({ kind: "USER", userId: "u1", username: "u", roles: new Set(roles) });

describe("identity authorisation rules", () => {
  it("requires authentication before roles", () => {
    expect(() => requireRole(null, "ADMIN")).toThrow(expect.objectContaining({ code: "UNAUTHENTICATED" }));
    expect(() => requireRole(user("GOVERNOR"), "ADMIN")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    expect(requireRole(user("ADMIN"), "ADMIN")).toBeTruthy();
  });

  it("lets admins and governors read every user, others only themselves", () => {
    expect(canReadAllUsers(user("ADMIN"))).toBe(true);
    expect(canReadAllUsers(user("GOVERNOR"))).toBe(true);
    expect(canReadAllUsers(user("DATA_OWNER"))).toBe(false);
    expect(requireUserReader(user(), "u1")).toBeTruthy();
    expect(() => requireUserReader(user("DATA_OWNER"), "someone-else")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
  });

  it("limits the audit log to admins and governors", () => {
    expect(() => requireAuditReader(user("DATA_OWNER"))).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    expect(requireAuditReader(user("GOVERNOR"))).toBeTruthy();
  });

  it("treats the system actor as holding every role", () => {
    expect(requireRole({ kind: "SYSTEM", label: "seed" }, "ADMIN")).toBeTruthy();
  });
});
