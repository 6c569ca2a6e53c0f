import { badInput } from "./errors";

/** Relay-style connection arguments, validated and normalised for keyset pagination. */
export type PageArgs = { first?: number | null; after?: string | null };
export type Page<T> = { nodes: T[]; hasNextPage: boolean; endCursor: string | null; totalCount?: number };

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, [{ path: "first", message: "out of range" }]);
  }
  return first;
}

/** Cursors are opaque to clients: base64url of a JSON array of the sort key values. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined, arity: number): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === "string" || typeof v === "number")) {
      return parsed as (string | number)[];
    }
  } catch {
    // fall through to the typed error
  }
  throw badInput("after is not a valid cursor", [{ path: "after", message: "invalid cursor" }]);
}

/** Given rows fetched with `take: size + 1`, builds the page and its end cursor. */
export function toPage<T>(rows: T[], size: number, cursorOf: (row: T) => (string | number)[]): Page<T> {
  const hasNextPage = rows.length > size;
  const nodes = hasNextPage ? rows.slice(0, size) : rows;
  const last = nodes.at(-1);
  return { nodes, hasNextPage, endCursor: last ? encodeCursor(cursorOf(last)) : null };
}
