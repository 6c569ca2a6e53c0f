/**
 * Single sign-on against a real OpenID Provider (oidc-provider, started here): the whole browser flow
 * over HTTP through the API's /auth/oidc routes, the provider's login page and back.
 */
import { systemActor } from "@steward/core";
import { createGroup, createRelyingParty, createUser, type OidcSettings } from "@steward/identity";
import { startTestProvider, type TestProvider } from "@steward/identity/oidc/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing/api-harness";
import { TestBrowser } from "./testing/oidc-browser";

let api: TestApi;
let provider: TestProvider;

const ME = `{ me { authMethod user { username email groups { name } attributes { key values } } } }`;
type Me = {
  me: {
    authMethod: string;
    user: { username: string; email: string; groups: { name: string }[]; attributes: { key: string; values: string[] }[] };
  } | null;
};

function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: new URL(provider.issuer),
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: new URL(`${api.url}/auth/oidc/callback`),
    scopes: ["openid", "profile", "email", "groups"],
    providerName: "Test IdP",
    jit: true,
    matchVerifiedEmail: true,
    mapping: {
      groups: { claim: "groups", createMissing: false, rename: {} },
      attributes: { department: "department" },
      username: ["preferred_username", "email"],
    },
    allowInsecureHttp: true,
    timeoutSeconds: 5,
    ...overrides,
  };
}

function configure(overrides: Partial<OidcSettings> = {}, localPasswords = true) {
  api.deps.auth = { localPasswords, oidc: createRelyingParty(settings(overrides), api.deps.secretBox) };
}

let n = 0;
function account(claims: Record<string, unknown> = {}) {
  const sub = `sub-${++n}-${Date.now().toString(36)}`;
  const user = `person${n}`;
  provider.setAccount(sub, {
    claims: { email: `${user}@idp.example.com`, email_verified: true, name: `Person ${n}`, preferred_username: user, ...claims },
  });
  return { sub, user };
}

/** Starts at Steward, signs in at the provider, stops before the callback reaches Steward. */
async function toCallback(browser: TestBrowser, sub: string, next = "/users") {
  const start = await browser.request(`${api.url}/auth/oidc/login?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(302);
  expect(start.location?.startsWith(provider.issuer)).toBe(true);
  const loginPage = await browser.follow(start.location as string);
  const submitted = await browser.submitProviderLogin(loginPage, sub);
  const last = await browser.follow(submitted.location as string, (next) => next.startsWith(`${api.url}/auth/oidc/callback`));
  const callback = last.location as string;
  expect(callback.startsWith(`${api.url}/auth/oidc/callback?`)).toBe(true);
  return { start, callback };
}

async function signIn(sub: string, next = "/users") {
  const browser = new TestBrowser();
  const { callback } = await toCallback(browser, sub, next);
  const landed = await browser.request(callback);
  const session = browser.cookie(api.url, "steward_session");
  return { browser, landed, session, auth: { cookie: session ? `steward_session=${session}` : undefined } };
}

beforeAll(async () => {
  api = await startTestApi();
  provider = await startTestProvider({ redirectUris: [`${api.url}/auth/oidc/callback`], accounts: {} });
  await createGroup({ db: api.testDb.db }, systemActor("test"), { name: "analysts" });
  await createGroup({ db: api.testDb.db }, systemActor("test"), { name: "hr" });
});
afterAll(async () => {
  await provider?.close();
  await api?.close();
});
beforeEach(() => configure());

describe("OIDC sign-in against a real provider", () => {
  it("creates the user just in time, maps groups and attributes, and the session works for GraphQL", async () => {
    const { sub, user } = account({ groups: ["analysts", "not-in-steward"], department: "Finance" });
    const { landed, session, auth } = await signIn(sub);
    expect(landed.status).toBe(302);
    expect(landed.location).toBe(`${api.url}/users`);
    expect(session).toBeTruthy();
    const me = await api.gql<Me>(ME, {}, auth);
    expect(me.data?.me).toEqual({
      authMethod: "SESSION",
      user: {
        username: user,
        email: `${user}@idp.example.com`,
        groups: [{ name: "analysts" }],
        attributes: [{ key: "department", values: ["Finance"] }],
      },
    });
    // Groups missing in Steward are not created by default.
    expect(await api.testDb.db.group.findUnique({ where: { name: "not-in-steward" } })).toBeNull();
  });
});

async function counts() {
  const db = api.testDb.db;
  const [users, links, sessions, groups] = await Promise.all([
    db.user.count(),
    db.externalIdentity.count(),
    db.session.count(),
    db.group.count(),
  ]);
  return { users, links, sessions, groups };
}

function expectRefused(hop: { status: number; location: string | null }, browser: TestBrowser, reason: string) {
  expect(hop.status).toBe(302);
  expect(hop.location).toBe(`${api.url}/login?sso_error=${reason}`);
  expect(browser.cookie(api.url, "steward_session")).toBeUndefined();
  // The flow is over either way: its cookie is cleared.
  expect(browser.cookie(api.url, "steward_oidc_flow")).toBeUndefined();
}

describe("claim mapping on later sign-ins", () => {
  it("follows the claims: adds and removes what they grant, leaves memberships given by hand, through audited outbox events", async () => {
    const { sub, user } = account({ groups: ["analysts"], department: "Finance" });
    await signIn(sub);
    const db = api.testDb.db;
    const u = await db.user.findUniqueOrThrow({ where: { username: user } });
    const hr = await db.group.findUniqueOrThrow({ where: { name: "hr" } });
    // An admin adds the person to hr by hand.
    await db.groupMembership.create({ data: { groupId: hr.id, userId: u.id } });
    const eventsBefore = await db.outboxEvent.count({ where: { type: "group.membership.changed" } });

    provider.setAccount(sub, { claims: { email: `${user}@idp.example.com`, email_verified: true, preferred_username: user, groups: [] } });
    const { auth } = await signIn(sub);
    const me = await api.gql<Me>(ME, {}, auth);
    expect(me.data?.me?.user.groups).toEqual([{ name: "hr" }]);
    // The department claim is gone, so the mapped key is cleared.
    expect(me.data?.me?.user.attributes).toEqual([]);
    expect(await db.outboxEvent.count({ where: { type: "group.membership.changed" } })).toBe(eventsBefore + 1);
    const removed = await db.auditEvent.findFirst({
      where: { action: "group.member.removed", targetId: (await db.group.findUniqueOrThrow({ where: { name: "analysts" } })).id },
      orderBy: { createdAt: "desc" },
    });
    expect(removed?.actorType).toBe("SYSTEM");
    expect(await db.user.count({ where: { username: user } })).toBe(1);
  });

  it("creates missing groups when the mapping says so", async () => {
    configure({
      mapping: {
        groups: { claim: "groups", createMissing: true, rename: { "IdP Admins": "idp-admins" } },
        attributes: {},
        username: ["preferred_username"],
      },
    });
    const { sub } = account({ groups: ["IdP Admins", "bad\u0000name"] });
    const { auth } = await signIn(sub);
    const me = await api.gql<Me>(ME, {}, auth);
    expect(me.data?.me?.user.groups).toEqual([{ name: "idp-admins" }]);
  });
});

describe("matching existing users", () => {
  it("links the existing user with the same verified email instead of creating one", async () => {
    await createUser({ db: api.testDb.db }, systemActor("test"), {
      username: "existing-ann",
      displayName: "Ann",
      email: "ann@corp.example.com",
    });
    const { sub } = account({ email: "ann@corp.example.com", preferred_username: "ann" });
    const before = await counts();
    const { auth } = await signIn(sub);
    const me = await api.gql<Me>(ME, {}, auth);
    expect(me.data?.me?.user.username).toBe("existing-ann");
    const after = await counts();
    expect(after.users).toBe(before.users);
    expect(after.links).toBe(before.links + 1);
  });

  it("refuses an unverified email that an existing user holds, creating nothing", async () => {
    await createUser({ db: api.testDb.db }, systemActor("test"), {
      username: "existing-bob",
      displayName: "Bob",
      email: "bob@corp.example.com",
    });
    const { sub } = account({ email: "bob@corp.example.com", email_verified: false });
    const before = await counts();
    const { browser, landed } = await signIn(sub);
    expectRefused(landed, browser, "ACCOUNT_CONFLICT");
    expect(await counts()).toEqual(before);
  });

  it("gives a taken username a suffix", async () => {
    await createUser({ db: api.testDb.db }, systemActor("test"), {
      username: "carol",
      displayName: "Carol",
      email: "carol@other.example.com",
    });
    const { sub } = account({ email: "carol@idp.example.com", preferred_username: "Carol" });
    const { auth } = await signIn(sub);
    expect((await api.gql<Me>(ME, {}, auth)).data?.me?.user.username).toBe("carol-2");
  });
});

describe("refusals change nothing", () => {
  it("refuses an unknown person when just-in-time creation is off, with an audit row", async () => {
    configure({ jit: false });
    const { sub } = account();
    const before = await counts();
    const { browser, landed } = await signIn(sub);
    expectRefused(landed, browser, "USER_UNKNOWN");
    expect(await counts()).toEqual(before);
    const audit = await api.testDb.db.auditEvent.findFirst({ where: { action: "session.login_failed" }, orderBy: { createdAt: "desc" } });
    expect(audit?.after).toMatchObject({ method: "OIDC", subject: sub, reason: "USER_UNKNOWN" });
  });

  it("refuses a callback whose state is not the one this browser started", async () => {
    const { sub } = account();
    const browser = new TestBrowser();
    const { callback } = await toCallback(browser, sub);
    const url = new URL(callback);
    url.searchParams.set("state", "x".repeat(43));
    const before = await counts();
    expectRefused(await browser.request(url.href), browser, "STATE_MISMATCH");
    expect(await counts()).toEqual(before);
  });

  it("refuses a callback arriving in a browser that did not start the sign-in", async () => {
    const { sub } = account();
    const { callback } = await toCallback(new TestBrowser(), sub);
    const other = new TestBrowser();
    expectRefused(await other.request(callback), other, "FLOW_EXPIRED");
  });

  it("refuses a replayed authorization code", async () => {
    const { sub } = account();
    const browser = new TestBrowser();
    const { callback } = await toCallback(browser, sub);
    const flow = browser.cookie(api.url, "steward_oidc_flow") as string;
    const first = await browser.request(callback);
    expect(first.location).toBe(`${api.url}/users`);
    // An attacker who captured both the callback URL and the flow cookie replays them.
    const attacker = new TestBrowser();
    attacker.setCookie(api.url, "steward_oidc_flow", flow);
    const before = await counts();
    expectRefused(await attacker.request(callback), attacker, "CODE_REJECTED");
    expect((await counts()).sessions).toBe(before.sessions);
  });

  it("refuses an ID token whose nonce is not the one this sign-in sent", async () => {
    const { sub } = account();
    const browser = new TestBrowser();
    const start = await browser.request(`${api.url}/auth/oidc/login`);
    const tampered = new URL(start.location as string);
    tampered.searchParams.set("nonce", "a-different-nonce-than-steward-sent");
    const loginPage = await browser.follow(tampered.href);
    const submitted = await browser.submitProviderLogin(loginPage, sub);
    const last = await browser.follow(submitted.location as string, (next) => next.startsWith(`${api.url}/auth/oidc/callback`));
    const before = await counts();
    expectRefused(await browser.request(last.location as string), browser, "NONCE_MISMATCH");
    expect(await counts()).toEqual(before);
  });

  it("refuses a deactivated user", async () => {
    const { sub, user } = account();
    await signIn(sub);
    await api.testDb.db.user.update({ where: { username: user }, data: { status: "DEACTIVATED" } });
    const { browser, landed } = await signIn(sub);
    expectRefused(landed, browser, "USER_INACTIVE");
  });

  it("says the provider is unavailable when it cannot be reached, at the start and at the callback", async () => {
    configure({ issuer: new URL("http://127.0.0.1:9") });
    const browser = new TestBrowser();
    expectRefused(await browser.request(`${api.url}/auth/oidc/login`), browser, "PROVIDER_UNAVAILABLE");

    // Discovery worked, then the provider went away before the code could be exchanged.
    const down = await startTestProvider({
      redirectUris: [`${api.url}/auth/oidc/callback`],
      accounts: { gone: { claims: { email: "g@x.example.com" } } },
    });
    api.deps.auth = {
      localPasswords: true,
      oidc: createRelyingParty(
        { ...settings(), issuer: new URL(down.issuer), clientId: down.clientId, clientSecret: down.clientSecret },
        api.deps.secretBox,
      ),
    };
    const b2 = new TestBrowser();
    const start = await b2.request(`${api.url}/auth/oidc/login`);
    const page = await b2.follow(start.location as string);
    const submitted = await b2.submitProviderLogin(page, "gone");
    const last = await b2.follow(submitted.location as string, (next) => next.startsWith(`${api.url}/auth/oidc/callback`));
    await down.close();
    expectRefused(await b2.request(last.location as string), b2, "PROVIDER_UNAVAILABLE");
  });

  it("answers NOT_CONFIGURED when the deployment has no single sign-on", async () => {
    api.deps.auth = { localPasswords: true, oidc: null };
    const browser = new TestBrowser();
    expectRefused(await browser.request(`${api.url}/auth/oidc/login`), browser, "NOT_CONFIGURED");
  });
});

describe("local passwords off", () => {
  const AUTH_OPTIONS = `{ authOptions { localPasswords singleSignOn { providerName loginPath } } }`;

  it("tells the login page what to show", async () => {
    configure({}, false);
    expect((await api.gql(AUTH_OPTIONS)).data).toEqual({
      authOptions: { localPasswords: false, singleSignOn: { providerName: "Test IdP", loginPath: "/auth/oidc/login" } },
    });
    api.deps.auth = undefined;
    expect((await api.gql(AUTH_OPTIONS)).data).toEqual({ authOptions: { localPasswords: true, singleSignOn: null } });
    const failure = await api.gql(
      `{ authOptions { known: singleSignOnFailure(reason: "FLOW_EXPIRED") unknown: singleSignOnFailure(reason: "<script>") } }`,
    );
    expect(failure.data).toEqual({
      authOptions: { known: "The sign-in took too long or was started in another browser. Start again.", unknown: null },
    });
  });

  it("refuses password login and password change with a typed error, while single sign-on works", async () => {
    const { username } = await api.userWithRoles([]);
    configure({}, false);
    const login = await api.gql(`mutation { login(input: {username: "${username}", password: "steward-demo"}) { user { id } } }`);
    expect(login.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "LOCAL_PASSWORDS_DISABLED" });
    expect(login.headers.get("set-cookie")).toBeNull();
    const { sub } = account();
    const { auth } = await signIn(sub);
    const change = await api.gql(`mutation { changePassword(currentPassword: "x", newPassword: "long-enough-password") }`, {}, auth);
    expect(change.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "LOCAL_PASSWORDS_DISABLED" });
  });
});
