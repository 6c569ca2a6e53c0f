import { getOperationAST, parse } from "graphql";

export type ForwardOptions = {
  /** The API's base URL, e.g. http://127.0.0.1:4000. */
  apiUrl: string;
};

// Per-hop headers describe this connection, not the request; fetch manages its own. The upstream body
// arrives decompressed, so its encoding and length headers would be wrong downstream.
const REQUEST_SKIP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "expect"]);
const RESPONSE_SKIP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "set-cookie"]);

/**
 * True only when every operation in the body is a query: those may be sent twice without effect.
 * Anything not understood (a persisted-query hash without its text, a parse error) counts as a
 * possible write and is never repeated.
 */
export function isIdempotentGraphql(method: string, body: string | null): boolean {
  if (method === "GET" || method === "HEAD") return true;
  if (!body) return false;
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return false;
  }
  const operations = Array.isArray(payload) ? payload : [payload];
  return operations.length > 0 && operations.every(isQueryOperation);
}

function isQueryOperation(op: unknown): boolean {
  if (typeof op !== "object" || op === null) return false;
  const { query, operationName } = op as { query?: unknown; operationName?: unknown };
  if (typeof query !== "string") return false;
  try {
    const ast = getOperationAST(parse(query), typeof operationName === "string" ? operationName : undefined);
    return ast?.operation === "query";
  } catch {
    return false;
  }
}

/**
 * A connection the API dropped without answering: typically a pooled keep-alive socket the API
 * closed just as we reused it, or an API process restarting. fetch reports it as "fetch failed" with
 * the socket error as its cause.
 */
export function isConnectionReset(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return true;
  }
  return false;
}

/**
 * Forwards one GraphQL request to the API and streams its answer back. A query whose connection is
 * reset is sent once more (a query has no effect to repeat); a mutation never is, because the API may
 * have applied it before the connection broke. A second failure answers 502 in GraphQL's error shape.
 */
export async function forwardGraphql(request: Request, opts: ForwardOptions): Promise<Response> {
  const search = new URL(request.url).search;
  const target = `${opts.apiUrl.replace(/\/+$/, "")}/graphql${search}`;
  const body = request.method === "GET" || request.method === "HEAD" ? null : await request.text();
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!REQUEST_SKIP.has(key)) headers.set(key, value);
  });
  const send = () => fetch(target, { method: request.method, headers, body, redirect: "manual" });

  let upstream: Response;
  try {
    try {
      upstream = await send();
    } catch (err) {
      if (!isConnectionReset(err) || !isIdempotentGraphql(request.method, body)) throw err;
      upstream = await send();
    }
  } catch {
    return Response.json(
      { errors: [{ message: "The Steward API is not reachable. Try again in a moment.", extensions: { code: "API_UNREACHABLE" } }] },
      { status: 502 },
    );
  }
  const out = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!RESPONSE_SKIP.has(key)) out.set(key, value);
  });
  // Several cookies must stay several headers; joining them with commas would break their dates.
  for (const cookie of upstream.headers.getSetCookie()) out.append("set-cookie", cookie);
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
}
