import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffDocument, hasChanges } from "./diff";
import type { LiveState } from "./live-state";
import { parsePolicyDocument } from "./parse";

/**
 * Golden plans: each fixtures/*.yaml diffed against fixtures/live.json must equal its
 * fixtures/*.plan.json. After an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff.
 */

const dir = new URL("./fixtures/", import.meta.url);
const raw = JSON.parse(readFileSync(new URL("live.json", dir), "utf8"));
const live: LiveState = {
  document: raw.document,
  syncTags: new Set(raw.syncTags),
  names: { users: new Map(), groups: new Map(), purposes: new Map(), connections: new Map(), sources: new Map() },
};
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

describe("golden plans", () => {
  it.each(files)("%s", (file) => {
    const parsed = parsePolicyDocument(readFileSync(new URL(file, dir), "utf8"));
    const plan = diffDocument(parsed.document, live).map(({ section, name, action, fields }) => ({ section, name, action, fields }));
    const text = `${JSON.stringify(plan, null, 2)}\n`;
    const golden = new URL(file.replace(/\.yaml$/, ".plan.json"), dir);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  it("finds no change when the file is the live state itself", () => {
    const parsed = parsePolicyDocument(JSON.stringify(raw.document));
    expect(hasChanges(diffDocument(parsed.document, live))).toBe(false);
  });
});
