import type { TestApi } from "./api-harness";

export type ScimResponse = { status: number; body: Record<string, unknown> & { [k: string]: unknown }; headers: Headers };

/** A SCIM client for tests: sends application/scim+json with a bearer key, as IdPs do. */
export function scimClient(api: TestApi, key: string) {
  return async function scim(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    bearer = key,
  ): Promise<ScimResponse> {
    const res = await fetch(`${api.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/scim+json", accept: "application/scim+json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as ScimResponse["body"]) : {}, headers: res.headers };
  };
}

/** Creates an ADMIN user and a SCIM key for them through the GraphQL API. */
export async function scimKey(api: TestApi): Promise<{ secret: string; adminId: string; adminAuth: { cookie?: string } }> {
  const admin = await api.userWithRoles(["ADMIN"]);
  const res = await api.gql<{ createApiKey: { secret: string; apiKey: { scope: string; roles: string[] } } }>(
    `mutation { createApiKey(input: {name: "idp", scope: SCIM}) { secret apiKey { scope roles } } }`,
    {},
    admin.auth,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return { secret: res.data.createApiKey.secret, adminId: admin.id, adminAuth: admin.auth };
}
