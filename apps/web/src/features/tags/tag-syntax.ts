/** Mirrors the API's tag names: dot-separated segments of letters, digits, '_' or '-' (e.g. PII.Email). */
export const TAG_PATTERN = /^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)*$/u;

export const TAG_HINT = "Dot-separated segments of letters, digits, '_' or '-', e.g. PII.Email";

export function isValidTag(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && v.length <= 200 && TAG_PATTERN.test(v);
}

export const TAG_SOURCE_HINT = { MANUAL: "Added by a person", SYNC: "Found by the connector during sync" } as const;
