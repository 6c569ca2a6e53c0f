/**
 * Where a PostgreSQL session's password comes from. A PostgreSQL connection signs in with the fixed
 * password an admin typed; Databricks Lakebase signs in with a short-lived OAuth token that has to be
 * fetched, and fetched again before it expires. Every place of the PostgreSQL family that opens a
 * session (connection test, crawl, the grant reconciler's pool, previews) goes through this seam, so
 * a new kind of short-lived credential is one provider, not four call sites.
 */
import type { ConnectionProblem } from "../connector";

export type PasswordProvider = {
  /**
   * Who signs in, as a digest that never contains the secret. Pooled sessions are kept per identity:
   * two connections with the same host and user but different secrets must not share sessions.
   */
  readonly identity: string;
  /** The password for the next session; cached by the provider until shortly before it expires. */
  current(): Promise<string>;
  /** The server refused a session: forget the cached password so the next `current()` fetches anew. */
  refused(): void;
};

/** A fixed password (PostgreSQL) or a provider of short-lived ones (Lakebase). */
export type Password = string | PasswordProvider;

/** The provider could not produce a password; `problem` says why in the connection-test vocabulary. */
export class PasswordUnavailableError extends Error {
  constructor(readonly problem: ConnectionProblem) {
    super(problem.message);
    this.name = "PasswordUnavailableError";
  }
}

const isProvider = (p: Password | undefined): p is PasswordProvider => typeof p === "object" && p !== null;

/**
 * The `password` option of a pg Client or Pool. node-postgres calls a function once per new session,
 * when the server asks for a password, so a pool keeps handing out current tokens on its own.
 */
export function passwordOption(p: Password | undefined): string | (() => Promise<string>) {
  return isProvider(p) ? () => p.current() : (p ?? "");
}

/** What identifies a password in a pool key: the provider's digest, or the fixed password itself (hashed by the caller). */
export function passwordIdentity(p: Password | undefined): string {
  return isProvider(p) ? `provider:${p.identity}` : `fixed:${p ?? ""}`;
}

/**
 * Opens a session (`open` must create a new client each call) with a provider's password. The
 * password is asked for first, before any socket opens, so a token endpoint that is down or refuses
 * the secret is its own typed problem rather than a login timeout. When the server refuses the
 * password (28P01: a token revoked or expired early), the provider forgets it and `open` runs once
 * more with a fresh one; a second refusal is the answer. Fixed passwords are never retried.
 */
export async function openWithPassword<T>(p: Password | undefined, open: () => Promise<T>): Promise<T> {
  if (!isProvider(p)) return open();
  await p.current();
  try {
    return await open();
  } catch (err) {
    if ((err as { code?: string } | undefined)?.code !== "28P01") throw err;
    p.refused();
    // Fetched before the socket opens again, for the same reason as above (and the server reads
    // the role's credential when the login starts, not when the password arrives).
    await p.current();
    return open();
  }
}
