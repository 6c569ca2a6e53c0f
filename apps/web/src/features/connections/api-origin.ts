import { connection } from "next/server";

/**
 * The API's origin as callers outside the browser reach it (inbound webhooks go straight to the API,
 * not through the web app's /graphql proxy). Read per request, like the proxy, so one build serves any API.
 */
export async function apiOrigin(): Promise<string> {
  await connection();
  return (process.env.STEWARD_PUBLIC_API_URL ?? process.env.STEWARD_API_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
}
