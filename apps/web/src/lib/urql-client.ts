import { Client, cacheExchange, fetchExchange, mapExchange } from "urql";
import { toApiError } from "./api-error";

/** Operations that are expected to answer UNAUTHENTICATED without meaning "your session ended". */
const AUTH_PROBES = new Set(["Me", "Login", "Logout"]);

export function createApiClient(onSessionEnded: () => void): Client {
  return new Client({
    // Same-origin: Next rewrites /graphql to the API so the session cookie stays first-party.
    url: "/graphql",
    fetchOptions: { credentials: "same-origin" },
    // urql sends queries as GET by default; the API's CSRF protection only accepts JSON POSTs (or a
    // preflight header), and POST keeps variables out of proxy access logs.
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const name = operation.query.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value ?? "";
          if (toApiError(error)?.code === "UNAUTHENTICATED" && !AUTH_PROBES.has(name)) onSessionEnded();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
