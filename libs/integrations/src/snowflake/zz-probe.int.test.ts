import { it } from "vitest";
import { snowflakeContractFixture } from "./testing/fixture";
it("x", async () => {
  const f = await snowflakeContractFixture();
  const r = await f.adapter.access!.apply(f.connection, { connectionId: "c", version: 1, objects: f.objects, accounts: f.accounts, access: [], settings: { unmanagedGrants: "REPORT" } });
  throw new Error("RESULT " + JSON.stringify(r));
});
