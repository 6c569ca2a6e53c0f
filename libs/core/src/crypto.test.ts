import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKeyring, SecretBox } from "./crypto";

const key = () => randomBytes(32).toString("base64");

describe("SecretBox", () => {
  it("seals and opens, never storing the plaintext", () => {
    const box = new SecretBox(parseKeyring(`k1:${key()}`));
    const sealed = box.seal("hunter2");
    expect(sealed).not.toContain("hunter2");
    expect(box.open(sealed)).toBe("hunter2");
  });
  it("keeps old envelopes readable after rotating the active key", () => {
    const k1 = key();
    const old = new SecretBox(parseKeyring(`k1:${k1}`)).seal("s");
    const rotated = new SecretBox(parseKeyring(`k2:${key()},k1:${k1}`));
    expect(rotated.open(old)).toBe("s");
    expect(rotated.keyIdOf(rotated.seal("t"))).toBe("k2");
  });
  it("detects tampering", () => {
    const box = new SecretBox(parseKeyring(`k1:${key()}`));
    const parts = box.seal("secret").split(".");
    parts[4] = Buffer.from("other").toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
  });
  it("rejects malformed keyrings", () => {
    expect(() => parseKeyring("")).toThrow();
    expect(() => parseKeyring("k1:short")).toThrow(/32 bytes/);
  });
});
