import { adapterFor, PLATFORM_KINDS } from "@steward/integrations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api-harness";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

type Kind = {
  kind: string;
  label: string;
  supported: boolean;
  capabilities: { catalog: boolean; access: boolean; revokeUnmanaged: boolean };
  connectionFields: { name: string; type: string; required: boolean; default: unknown; options: string[] | null }[];
  reservedAccountNames: string[];
};
const QUERY = `{ platformKinds { kind label supported capabilities { catalog access drift decisions dataPolicies revokeUnmanaged }
  connectionFields { name label type required default help placeholder options min max } reservedAccountNames } }`;

describe("platformKinds", () => {
  it("describes every kind from the adapter registry, in its order, for any signed-in user", async () => {
    const consumer = await api.userWithRoles([]);
    const res = await api.gql<{ platformKinds: Kind[] }>(QUERY, {}, consumer.auth);
    expect(res.errors).toBeUndefined();
    const kinds = res.data!.platformKinds;
    expect(kinds.map((k) => k.kind)).toEqual([...PLATFORM_KINDS]);
    expect(kinds.map((k) => k.label)).toEqual(PLATFORM_KINDS.map((k) => adapterFor(k).label));
    const pg = kinds.find((k) => k.kind === "POSTGRES")!;
    expect(pg).toMatchObject({ supported: true, capabilities: { catalog: true, access: true } });
    expect(pg.connectionFields.find((f) => f.name === "password")).toMatchObject({ type: "SECRET", required: false });
    expect(pg.connectionFields.find((f) => f.name === "port")).toMatchObject({ type: "INT", default: 5432 });
    expect(pg.connectionFields.find((f) => f.name === "databases")).toMatchObject({ type: "STRING_LIST", required: true });
    expect(pg.connectionFields.find((f) => f.name === "sslMode")?.options).toEqual(["disable", "require", "verify-full"]);
    expect(pg.reservedAccountNames).toContain("public");
    expect(kinds.find((k) => k.kind === "BIGQUERY")).toMatchObject({ supported: false, connectionFields: [] });
    const uc = kinds.find((k) => k.kind === "DATABRICKS_UC")!;
    expect(uc).toMatchObject({ supported: true, capabilities: { catalog: true, access: true, revokeUnmanaged: true } });
    expect(uc.connectionFields.find((f) => f.name === "token")).toMatchObject({ type: "SECRET", required: true });
    expect(uc.connectionFields.find((f) => f.name === "flavor")?.options).toEqual(["DATABRICKS", "OSS"]);
    expect(uc.connectionFields.find((f) => f.name === "catalogs")).toMatchObject({ type: "STRING_LIST", required: false });
  });

  it("is refused without a session or key", async () => {
    const res = await api.gql(QUERY, {});
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("the schema's PlatformKind enum matches the registry", async () => {
    const consumer = await api.userWithRoles([]);
    const res = await api.gql<{ __type: { enumValues: { name: string }[] } }>(
      `{ __type(name: "PlatformKind") { enumValues { name } } }`,
      {},
      consumer.auth,
    );
    expect(res.data!.__type.enumValues.map((v) => v.name).sort()).toEqual([...PLATFORM_KINDS].sort());
  });
});
