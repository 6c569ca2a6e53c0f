/**
 * One OAuth client-credentials request to a Databricks workspace (M2M for service principals):
 * `POST <workspace>/oidc/v1/token` with `grant_type=client_credentials&scope=all-apis`, the client id
 * and secret as HTTP Basic. Plain `fetch` with a zod-checked answer rather than an OAuth library: it is
 * one fixed request to a documented endpoint (no discovery, no refresh tokens, no redirects), and
 * what Steward needs beyond it — mapping every failure onto its own problem vocabulary without ever
 * echoing the secret or the token — is the part a general client would not do for us.
 */
import { z } from "zod";
import { PasswordUnavailableError } from "../postgres/password";

/** Databricks answers with more fields (scope, token_type); only these are needed. */
const TokenAnswer = z.object({
  access_token: z.string().min(1).max(16_384),
  expires_in: z.coerce.number().int().positive().max(86_400),
});
/** RFC 6749 §5.2 error answer; only the code is kept (descriptions may quote input back). */
const ErrorAnswer = z.object({ error: z.string().regex(/^[\w.-]{1,64}$/) });

export type IssuedToken = { token: string; expiresInMs: number };
export type TokenRequest = { workspaceUrl: string; clientId: string; clientSecret: string; timeoutMs?: number };

export const tokenEndpoint = (workspaceUrl: string) => new URL("/oidc/v1/token", new URL(workspaceUrl).origin).toString();

/** Throws PasswordUnavailableError with AUTH_FAILED, UNREACHABLE or INVALID_CONFIG; never includes the secret. */
export async function requestToken(req: TokenRequest): Promise<IssuedToken> {
  const url = tokenEndpoint(req.workspaceUrl);
  const where = new URL(url).origin;
  const send = () =>
    fetch(url, {
      method: "POST",
      headers: {
        // Raw id:secret as Databricks' own clients send it; application ids are UUIDs (no ':').
        authorization: `Basic ${Buffer.from(`${req.clientId}:${req.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "all-apis" }).toString(),
      // The secret must not follow a redirect to another host.
      redirect: "error",
      signal: AbortSignal.timeout(req.timeoutMs ?? 10_000),
    });
  let res: Response;
  try {
    res = await send().catch((err: unknown) => {
      // A kept-alive connection the server closed while idle fails at once with ECONNRESET; the request
      // never reached it, and asking for a token again is harmless, so one fresh attempt is due.
      if (causeOf(err)?.code !== "ECONNRESET") throw err;
      return send();
    });
  } catch (err) {
    const cause = causeOf(err);
    const why = cause?.code ?? cause?.message ?? (err as Error).name;
    throw unavailable("UNREACHABLE", `Cannot reach the Databricks token endpoint at ${where} (${why})`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success)
      throw unavailable("INVALID_CONFIG", `${where} did not answer like a Databricks token endpoint; check the workspace URL`);
    return { token: answer.data.access_token, expiresInMs: answer.data.expires_in * 1000 };
  }
  const code = ErrorAnswer.safeParse(body).data?.error;
  if (res.status === 401 || res.status === 403 || code === "invalid_client" || code === "unauthorized_client")
    throw unavailable(
      "AUTH_FAILED",
      `Databricks refused the service principal's client id or secret at ${where} (HTTP ${res.status}${code ? `, ${code}` : ""}); check the OAuth secret`,
    );
  if (res.status === 429 || res.status >= 500)
    throw unavailable("UNREACHABLE", `The Databricks token endpoint at ${where} is unavailable (HTTP ${res.status}); will retry`);
  throw unavailable(
    "INVALID_CONFIG",
    `The Databricks token endpoint at ${where} refused the request (HTTP ${res.status}${code ? `, ${code}` : ""})`,
  );
}

const causeOf = (err: unknown) => (err as { cause?: { code?: string; message?: string } }).cause;

function unavailable(code: "AUTH_FAILED" | "UNREACHABLE" | "INVALID_CONFIG", message: string) {
  return new PasswordUnavailableError({ code, message });
}
