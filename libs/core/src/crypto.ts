import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Encrypts secrets at rest with AES-256-GCM. The envelope names the key id so keys can rotate:
 * new writes use the active key, old rows stay readable while their key is still in the keyring.
 * Envelope: `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
export type Keyring = { activeKeyId: string; keys: Record<string, Buffer> };

export function parseKeyring(spec: string): Keyring {
  // "id1:base64key,id2:base64key" — the first is active.
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error("encryption keyring is empty");
  const keys: Record<string, Buffer> = {};
  for (const entry of entries) {
    const idx = entry.indexOf(":");
    if (idx <= 0) throw new Error("each keyring entry must be <keyId>:<base64 32-byte key>");
    const id = entry.slice(0, idx);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`invalid key id '${id}'`);
    const key = Buffer.from(entry.slice(idx + 1), "base64");
    if (key.length !== 32) throw new Error(`key '${id}' must decode to 32 bytes, got ${key.length}`);
    keys[id] = key;
  }
  return { activeKeyId: entries[0]!.slice(0, entries[0]!.indexOf(":")), keys };
}

export class SecretBox {
  constructor(private readonly keyring: Keyring) {}

  seal(plaintext: string): string {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys[keyId]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(keyId));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
  }

  open(envelope: string): string {
    const [version, keyId, iv, tag, ct] = envelope.split(".");
    if (version !== "v1" || !keyId || !iv || !tag || ct === undefined) throw new Error("malformed secret envelope");
    const key = this.keyring.keys[keyId];
    if (!key) throw new Error(`secret was sealed with unknown key '${keyId}'`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  }

  /**
   * A deterministic secret derived from the active key for one purpose (HMAC-SHA256 of the label),
   * e.g. the per-deployment hash-mask salt: nothing extra to store, never the key itself. Rotating the
   * active key changes every derived value.
   */
  derive(label: string): string {
    return createHmac("sha256", this.keyring.keys[this.keyring.activeKeyId]!).update(`steward:${label}`).digest("hex");
  }

  keyIdOf(envelope: string): string | undefined {
    return envelope.split(".")[1];
  }
}

export function sha256Hex(input: string): string {
  return createHash("sha256").update(input).digest("hex");
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
