import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const refusals = (actorId: string) =>
  api.testDb.db.auditEvent.findMany({ where: { action: "access.refused", actorId }, orderBy: { id: "asc" } });

describe("refused actions are audited", () => {
  it("records who tried what and why", async () => {
    const consumer = await api.userWithRoles([]);
    const res = await api.gql(`mutation Try { a: createGroup(input: {name: "nope-1"}) { id } }`, {}, consumer.auth);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    await api.gql(`mutation { createGroup(input: {name: "nope-2"}) { id } }`, {}, consumer.auth);
    const rows = await refusals(consumer.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ actorType: "USER", actorLabel: consumer.username, targetType: "Operation", targetId: "Try" });
    expect(rows[0]?.after).toMatchObject({
      operation: "Try",
      type: "mutation",
      refused: [{ path: "a", reason: "This needs the ADMIN role" }],
    });
    expect(rows[1]).toMatchObject({ targetId: "anonymous" });
    expect(rows[1]?.after).toMatchObject({ refused: [{ path: "createGroup" }] });
  });

  it("names the API key that was refused", async () => {
    const admin = await api.userWithRoles(["ADMIN"]);
    const created = await api.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: {name: "plain", roles: []}) { secret } }`,
      {},
      admin.auth,
    );
    const res = await api.gql(`{ apiKeys { id } }`, {}, { bearer: created.data!.createApiKey.secret });
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const rows = await refusals(admin.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: "API_KEY", targetId: "anonymous" });
    expect(rows[0]?.after).toMatchObject({ refused: [{ path: "apiKeys" }] });
  });

  it("does not audit allowed requests or other errors", async () => {
    const consumer = await api.userWithRoles([]);
    await api.gql(`{ me { roles } }`, {}, consumer.auth);
    await api.gql(
      `mutation { requestAccess(input: {dataSourceId: "00000000-0000-0000-0000-000000000000", reason: "why not"}) { id } }`,
      {},
      consumer.auth,
    );
    expect(await refusals(consumer.id)).toEqual([]);
  });

  it("caps the rows one actor's refusals can add to the audit log", async () => {
    const consumer = await api.userWithRoles([]);
    for (let i = 0; i < 40; i++) {
      const res = await api.gql(`{ apiKeys { id } }`, {}, consumer.auth);
      expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    expect(await refusals(consumer.id)).toHaveLength(30);
  });
});
