import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../api/src/testing/api-harness";

/** The real `steward` bin, spawned as CI would run it, against the real API over HTTP. */

const BIN = fileURLToPath(new URL("../bin/steward.mjs", import.meta.url));
let api: TestApi;
let env: Record<string, string>;
let dir: string;

function steward(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, ...extra }, cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  api = await startTestApi();
  const governor = await api.userWithRoles(["GOVERNOR"]);
  const key = await api.gql<{ createApiKey: { secret: string } }>(
    `mutation { createApiKey(input: {name: "ci", roles: [GOVERNOR]}) { secret } }`,
    {},
    governor.auth,
  );
  env = { STEWARD_URL: api.url, STEWARD_API_KEY: key.data!.createApiKey.secret };
  dir = await mkdtemp(path.join(tmpdir(), "steward-cli-"));
});

afterAll(async () => {
  await api?.close();
});

describe("steward CLI", () => {
  it("plan exits 2 on drift, apply applies, then plan exits 0; export round-trips", async () => {
    const file = path.join(dir, "policies.yaml");
    await writeFile(
      file,
      "apiVersion: steward/v1\npurposes:\n  - name: Research\n    acknowledgement: Research only.\n  - name: Billing\n    acknowledgement: Billing only.\n",
    );
    const drift = await steward(["plan", "-f", file]);
    expect(drift).toMatchObject({ code: 2 });
    expect(drift.stdout).toContain('+ purposes "Research"');
    expect(drift.stdout).toContain("2 to create, 0 to update, 0 to delete");

    const json = await steward(["plan", "-f", file, "--json"]);
    expect(json.code).toBe(2);
    const digest = JSON.parse(json.stdout).digest as string;

    const applied = await steward(["apply", "-f", file, "--expect-digest", digest]);
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain(`Applied ${digest}`);
    expect(await api.testDb.db.purpose.count({ where: { deletedAt: null } })).toBe(2);

    const clean = await steward(["plan", "-f", file]);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toContain("No changes");

    const exported = path.join(dir, "live.yaml");
    expect((await steward(["export", "-o", exported])).code).toBe(0);
    expect(await readFile(exported, "utf8")).toContain("name: Billing");
    expect((await steward(["plan", "-f", exported])).code).toBe(0);
  });

  it("exits 1 with the line and field of a bad file, a bad key or a missing file", async () => {
    const bad = path.join(dir, "bad.yaml");
    await writeFile(
      bad,
      "apiVersion: steward/v1\npurposes:\n  - name: Research\n    acknowledgement: Research only.\n    parnet: Science\n",
    );
    const res = await steward(["apply", "-f", bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('line 5:5 purposes[0].parnet: unknown key "parnet"');
    expect((await steward(["plan", "-f", bad], { STEWARD_API_KEY: "stw_invalid0_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" })).code).toBe(
      1,
    );
    expect((await steward(["plan", "-f", path.join(dir, "missing.yaml")])).stderr).toContain("cannot read");
    expect((await steward(["frobnicate"])).code).toBe(1);
  });
});
