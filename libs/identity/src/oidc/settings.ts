import { z } from "zod";

/**
 * How claims become Steward groups and attributes. `groups.claim` names an array (or a single string)
 * claim; `attributes` maps a Steward attribute key to a claim path (dots reach into objects, e.g.
 * `address.country`). Keys listed here are owned by the mapping: a claim that disappears clears them.
 */
export const ClaimMappingSchema = z
  .object({
    groups: z
      .object({
        claim: z.string().min(1).max(200),
        /** Create a Steward group for a claimed name that has none; off by default (only existing groups). */
        createMissing: z.boolean().default(false),
        /** Provider group name → Steward group name, for names that differ. */
        rename: z.record(z.string().min(1).max(200), z.string().min(1).max(100)).default({}),
      })
      .strict()
      .optional(),
    attributes: z
      .record(
        z
          .string()
          .max(100)
          .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "attribute keys start with a letter and use letters, digits, '_', '.' or '-'"),
        z.string().min(1).max(200),
      )
      .default({}),
    /** Claims tried in order for the username of a user created on first sign-in. */
    username: z.array(z.string().min(1).max(200)).min(1).default(["preferred_username", "email"]),
  })
  .strict();

export type ClaimMapping = z.infer<typeof ClaimMappingSchema>;

/** One deployment's OpenID Provider; apps build it from their env (libraries never read env). */
export type OidcSettings = {
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string;
  /** Where the provider sends the browser back: the web app's `/auth/oidc/callback` (same origin). */
  redirectUri: URL;
  scopes: readonly string[];
  /** Shown on the login page: "Sign in with <providerName>". */
  providerName: string;
  /** Create users on first sign-in (otherwise unknown people are refused). */
  jit: boolean;
  /** Link a first sign-in to the existing user with the same email, when the provider says it is verified. */
  matchVerifiedEmail: boolean;
  mapping: ClaimMapping;
  /** Plain-HTTP issuers are refused unless this is set (local development and tests only). */
  allowInsecureHttp: boolean;
  /** Seconds for each request to the provider. */
  timeoutSeconds: number;
};
