import { randomBytes } from "node:crypto";
import { type APIRequestContext, expect, type Locator, type Page, request } from "@playwright/test";
import { API_URL } from "../src/stack";

export const DEMO_PASSWORD = "steward-demo";

/** Unique per call, valid as a username or group name (starts with a letter; a-z, 0-9, '-'). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

type GraphQLError = { message: string; extensions?: { code?: string } };
export type GqlResult<T> = { data: T | null; errors?: GraphQLError[] };

/** A GraphQL client straight to the API, signed in with a session cookie (or a Bearer API key). */
export class ApiClient {
  private constructor(private readonly ctx: APIRequestContext) {}

  static async signIn(username: string, password = DEMO_PASSWORD): Promise<ApiClient> {
    const client = new ApiClient(await request.newContext({ baseURL: API_URL }));
    await client.gql(`mutation ($input: LoginInput!) { login(input: $input) { user { id } } }`, { input: { username, password } });
    return client;
  }

  static async withApiKey(secret: string): Promise<ApiClient> {
    return new ApiClient(await request.newContext({ baseURL: API_URL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } }));
  }

  async raw<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResult<T>> {
    const res = await this.ctx.post("/graphql", { data: { query, variables }, headers: { "content-type": "application/json" } });
    return (await res.json()) as GqlResult<T>;
  }

  async gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.raw<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  async createUser(opts: { username?: string; password?: string; roles?: string[] } = {}): Promise<{ id: string; username: string }> {
    const username = opts.username ?? uniqueName("user");
    const data = await this.gql<{ createUser: { id: string; username: string } }>(
      `mutation ($input: CreateUserInput!) { createUser(input: $input) { id username } }`,
      {
        input: {
          username,
          displayName: `Test ${username}`,
          email: `${username}@example.test`,
          password: opts.password ?? null,
          roles: opts.roles ?? [],
        },
      },
    );
    return data.createUser;
  }

  async createGroup(name = uniqueName("team")): Promise<{ id: string; name: string }> {
    const data = await this.gql<{ createGroup: { id: string; name: string } }>(
      `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id name } }`,
      {
        input: { name, description: "Created by an e2e test" },
      },
    );
    return data.createGroup;
  }

  async setAttribute(userId: string, key: string, values: string[]): Promise<void> {
    await this.gql(`mutation ($input: SetUserAttributeInput!) { setUserAttribute(input: $input) { id } }`, {
      input: { userId, key, values },
    });
  }

  async dispose(): Promise<void> {
    await this.ctx.dispose();
  }
}

/**
 * Picks an option in an antd Select by typing into its combobox. antd renders a visually hidden,
 * accessible copy of the options beside the visible list: once the wanted option is there (remote
 * searches have answered), Enter selects the active, first matching one.
 */
export async function chooseOption(
  page: Page,
  comboboxName: string,
  optionName: string,
  scope: Page | Locator = page,
  /** What a person types when the server searches a field the label only contains (users: the username). */
  search = optionName,
): Promise<void> {
  const combobox = scope.getByRole("combobox", { name: comboboxName });
  await combobox.fill(search);
  await expect(page.getByRole("option", { name: optionName, exact: true }).first()).toBeAttached();
  // The unfiltered list may already hold the option while the server search is still running (or list
  // a sibling first, e.g. PII.Email before PII.Email.X): wait until the option Enter would pick — the
  // combobox's active descendant — is the wanted one, instead of silently picking another.
  await expect(async () => {
    const active = await combobox.getAttribute("aria-activedescendant");
    expect(active).toBeTruthy();
    await expect(page.locator(`[id="${active}"]`)).toHaveAccessibleName(optionName, { timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await combobox.press("Enter");
}
