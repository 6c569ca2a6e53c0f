import { describe, expect, it } from "vitest";
import { scopeOfEvent } from "./delta-scope";

const u1 = "00000000-0000-4000-8000-000000000001";
const u2 = "00000000-0000-4000-8000-000000000002";

describe("scopeOfEvent", () => {
  it("names the one user of a user-level change", () => {
    expect(scopeOfEvent({ type: "group.membership.changed", payload: { groupId: u2, userId: u1, member: true } })).toEqual({
      userIds: [u1],
    });
    expect(scopeOfEvent({ type: "user.attributes.changed", payload: { userId: u1, key: "region" } })).toEqual({ userIds: [u1] });
  });

  it("is full when a user's login role itself changes (activation, platform account)", () => {
    for (const type of ["user.deactivated", "user.reactivated", "user.platform_accounts.changed"])
      expect(scopeOfEvent({ type, payload: { userId: u1 } })).toBe("full");
  });

  it("names a deleted group's former members", () => {
    expect(scopeOfEvent({ type: "group.deleted", payload: { groupId: u2, name: "g", memberIds: [u1, u2] } })).toEqual({
      userIds: [u1, u2],
    });
  });

  it("is full for policy, source, request and unknown events, and for malformed payloads", () => {
    for (const type of [
      "policy.changed",
      "data_source.tags_changed",
      "access_request.decided",
      "subscription.changed",
      "policy_settings.changed",
      "nope",
    ])
      expect(scopeOfEvent({ type, payload: { userId: u1 } })).toBe("full");
    expect(scopeOfEvent({ type: "group.membership.changed", payload: {} })).toBe("full");
    expect(scopeOfEvent({ type: "group.deleted", payload: { memberIds: [1] } })).toBe("full");
  });

  it("names the one user of a project switch, membership change or acknowledgement", () => {
    expect(scopeOfEvent({ type: "user.project.switched", payload: { userId: u1, projectId: null } })).toEqual({ userIds: [u1] });
    for (const change of ["added", "removed", "role", "acknowledged"])
      expect(scopeOfEvent({ type: "project.membership.changed", payload: { projectId: u2, userId: u1, change } })).toEqual({
        userIds: [u1],
      });
  });

  it("names the users acting under a project whose purposes changed; full when its sources changed", () => {
    expect(scopeOfEvent({ type: "project.changed", payload: { projectId: u2, actingUserIds: [u1], sourcesChanged: false } })).toEqual({
      userIds: [u1],
    });
    expect(scopeOfEvent({ type: "project.changed", payload: { projectId: u2, actingUserIds: [u1], sourcesChanged: true } })).toBe("full");
    expect(scopeOfEvent({ type: "project.changed", payload: { projectId: u2 } })).toBe("full");
  });

  it("is full for data policy and purpose changes (views or every profile may change)", () => {
    expect(scopeOfEvent({ type: "data_policy.changed", payload: { dataPolicyId: u1, version: 2 } })).toBe("full");
    expect(scopeOfEvent({ type: "purpose.changed", payload: { purposeId: u1 } })).toBe("full");
  });
});
