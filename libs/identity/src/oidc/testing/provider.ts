/**
 * A real OpenID Provider for tests: `oidc-provider` (a certified implementation) in-process on a local
 * port, with one confidential client that must use PKCE, its development login page, and consent given
 * automatically to that client (first-party). Accounts and their claims are the test's own.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

/** The login typed on the provider's page is the account's subject (`sub`). */
export type TestAccount = { claims: Record<string, unknown> };

export type TestProviderOptions = {
  /** Fixed port (e2e); 0 or absent for a free one. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  redirectUris: string[];
  /** Keyed by subject, which is also the login typed on the provider's page. */
  accounts: Record<string, TestAccount>;
};

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces an account (e.g. to change someone's groups between two sign-ins). */
  setAccount(sub: string, account: TestAccount): void;
  close(): Promise<void>;
};

export async function startTestProvider(opts: TestProviderOptions): Promise<TestProvider> {
  const accounts = new Map(Object.entries(opts.accounts));
  const clientId = opts.clientId ?? "steward";
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString("base64url");
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    pkce: { required: () => true },
    scopes: ["openid", "profile", "email", "groups"],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username", "department", "org"],
      groups: ["groups"],
    },
    features: { devInteractions: { enabled: true } },
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    // The login page takes any login; the account must exist here to sign in.
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account.claims, sub: id }) };
    },
    // First-party client: consent is implied, so the only page a person sees is the login page.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) {
        const existing = await oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope(String(oidc.params?.scope ?? "openid"));
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    setAccount(sub, account) {
      accounts.set(sub, account);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
