import { randomUUID } from "node:crypto";
import type http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import { handleInboundSyncWebhook } from "@steward/catalog";
import { type AddressList, AppError, operatorRequestAllowed, parseAddressList } from "@steward/core";
import { type Refusal, recordRefusedAction } from "@steward/events";
import { authenticateApiKey, authenticateSession } from "@steward/identity";
import { parseCookie } from "cookie";
import express from "express";
import { GraphQLError } from "graphql";
import type { Redis } from "ioredis";
import { type ApiContext, type ApiDeps, buildContext } from "./context";
import { httpStatusOf, makeFormatError } from "./errors";
import { complexityLimitPlugin, depthLimitRule, MAX_TOKENS, nulByteGuardPlugin } from "./limits";
import type { Metrics } from "./metrics";
import { mountOidcRoutes } from "./oidc-routes";
import { buildSchema } from "./schema";
import { SESSION_COOKIE } from "./schema/auth/resolvers";
import { scimRouter } from "./scim";

/**
 * Who the HTTP layer believes: `trustedProxies` may set X-Forwarded-For (none by default, so the socket
 * address is the client); `/metrics` answers clients in `metricsAllow` or bearing `metricsToken`.
 */
export type HttpOptions = { trustedProxies: AddressList; metricsAllow: AddressList; metricsToken?: string };

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { trustedProxies: parseAddressList(""), metricsAllow: parseAddressList("loopback") };

export type ServerParts = { deps: ApiDeps; redis: Redis; metrics: Metrics; httpServer: http.Server; http?: HttpOptions };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Builds the express app: GraphQL at /graphql, probes, and metrics. Transport only. */
export async function createApp({ deps, redis, metrics, httpServer, http: options = DEFAULT_HTTP_OPTIONS }: ServerParts) {
  const schema = buildSchema();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    validationRules: [depthLimitRule],
    formatError: makeFormatError(deps.logger),
    includeStacktraceInErrorResponses: false,
    // No client sends persisted queries; with APQ off, any persistedQuery extension is a typed 400.
    persistedQueries: false,
    // Parsing stops at this many tokens, before validation sees the document: legitimate operations use a
    // few hundred (a full introspection about 1,000), while abusive ones (thousands of aliases) cost at
    // every later stage.
    parseOptions: { maxTokens: MAX_TOKENS },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      nulByteGuardPlugin(),
      complexityLimitPlugin(schema),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ operationName, operation, errors }) {
              metrics.graphqlOperations.inc({
                operation: operationName ?? "anonymous",
                type: operation?.operation ?? "unknown",
                outcome: errors?.length ? "error" : "ok",
              });
            },
            async didEncounterErrors({ errors, contextValue, operationName, operation }) {
              const refusals: Refusal[] = [];
              for (const e of errors) {
                const code = e.originalError instanceof AppError ? e.originalError.code : String(e.extensions?.code ?? "INTERNAL");
                metrics.graphqlErrors.inc({ code });
                if (e.originalError instanceof AppError && code === "FORBIDDEN") {
                  refusals.push({ path: e.path?.join(".") ?? "", reason: e.originalError.userMessage });
                }
              }
              // Refusals are audited here, once for every use-case; a failed audit write must not fail the response.
              const actor = contextValue.actor;
              const actorKey = !actor
                ? "anonymous"
                : actor.kind === "API_KEY"
                  ? actor.apiKeyId
                  : actor.kind === "USER"
                    ? actor.userId
                    : actor.label;
              if (refusals.length && (await deps.refusalAudit.allow(actorKey))) {
                await recordRefusedAction(deps.db, contextValue.actor, {
                  operation: operationName ?? null,
                  type: operation?.operation ?? null,
                  refusals,
                }).catch((err: unknown) => contextValue.logger.error({ err }, "could not audit a refused action"));
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  // X-Forwarded-For is anyone's to write: only configured proxies (e.g. the web app's same-origin proxy,
  // `TRUSTED_PROXIES=loopback`) may name the client; otherwise req.ip is the socket's address.
  app.set("trust proxy", (address: string) => options.trustedProxies.contains(address));

  app.use((req, res, next) => {
    const incoming = req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader("x-request-id", requestId);
    const end = metrics.httpDuration.startTimer({
      // SCIM paths carry resource ids: one metrics label per endpoint, not per user.
      route:
        req.path === "/graphql"
          ? "/graphql"
          : req.path.startsWith("/scim/v2/")
            ? `/scim/v2/${req.path.split("/")[3] ?? ""}`
            : req.path.slice(0, 32),
      method: req.method,
    });
    res.on("finish", () => end({ status: String(res.statusCode) }));
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const [dbOk, redisOk] = await Promise.all([
      deps.db.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      ),
      redis.ping().then(
        (r) => r === "PONG",
        () => false,
      ),
    ]);
    res.status(dbOk && redisOk ? 200 : 503).json({ status: dbOk && redisOk ? "ready" : "unavailable", database: dbOk, redis: redisOk });
  });
  app.get("/metrics", async (req, res) => {
    if (!operatorRequestAllowed({ allow: options.metricsAllow, token: options.metricsToken }, req.ip, req.header("authorization"))) {
      res.status(403).json({ error: { code: "FORBIDDEN", message: "Metrics are not served to this client" } });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  mountOidcRoutes(app, deps);

  // Inbound "objects changed" webhook per connection: signed with the connection's own secret.
  app.post("/webhooks/connections/:id/sync", express.text({ type: "*/*", limit: "256kb" }), async (req, res) => {
    try {
      const body = typeof req.body === "string" ? req.body : "";
      const run = await handleInboundSyncWebhook(deps, String(req.params.id), req.header("steward-signature"), body);
      res.status(202).json({ syncRunId: run.id, status: run.status });
    } catch (err) {
      if (err instanceof AppError) {
        res.status(httpStatusOf(err.code)).json({ error: { code: err.code, message: err.userMessage } });
        return;
      }
      deps.logger.error({ err }, "inbound webhook failed");
      res.status(500).json({ error: { code: "INTERNAL", message: "Internal server error" } });
    }
  });

  // SCIM 2.0 for identity providers: its own auth (SCIM-scoped keys only), body parsing and error shape.
  app.use("/scim/v2", scimRouter(deps, deps.scimLimiter));

  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(res.locals.requestId);
        const logger = deps.logger.child({ requestId });
        const cookies = parseCookie(req.headers.cookie ?? "");
        const sessionToken = cookies[SESSION_COOKIE];
        const authorization = req.header("authorization");
        let actor: ApiContext["actor"] = null;
        let authMethod: ApiContext["authMethod"] = null;
        if (authorization) {
          const match = /^Bearer\s+(\S+)$/i.exec(authorization);
          try {
            if (!match?.[1]) throw new AppError("UNAUTHENTICATED", "Authorization must be 'Bearer <API key>'");
            actor = await authenticateApiKey(deps, match[1], requestId, "GRAPHQL");
            authMethod = "API_KEY";
          } catch (err) {
            // A bad key is refused outright rather than silently treated as anonymous.
            const message = err instanceof AppError ? err.userMessage : "Invalid API key";
            throw new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
          }
        } else if (sessionToken) {
          actor = await authenticateSession(deps, sessionToken, requestId);
          authMethod = actor ? "SESSION" : null;
        }
        return buildContext({
          deps,
          actor,
          authMethod,
          sessionToken,
          requestId,
          ip: req.ip ?? "unknown",
          userAgent: req.header("user-agent"),
          logger,
          res,
          req,
        });
      },
    }),
  );

  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 500;
    if (status >= 500) deps.logger.error({ err }, "unhandled HTTP error");
    res.status(status).json({
      errors: [
        {
          message: status === 413 ? "Request body too large" : status < 500 ? "Bad request" : "Internal server error",
          extensions: { code: status < 500 ? "BAD_USER_INPUT" : "INTERNAL" },
        },
      ],
    });
  });

  return { app, apollo };
}
