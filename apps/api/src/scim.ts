import { AppError } from "@steward/core";
import {
  authenticateApiKey,
  createScimGroup,
  createScimUser,
  deleteScimGroup,
  deleteScimUser,
  errorBody,
  getScimGroup,
  getScimUser,
  type IdentityDeps,
  invalidSyntax,
  listScimGroups,
  listScimUsers,
  patchScimGroup,
  patchScimUser,
  replaceScimGroup,
  replaceScimUser,
  resourceTypes,
  ScimError,
  type ScimRequest,
  type ScimResource,
  schemaResources,
  serviceProviderConfig,
  toScimError,
} from "@steward/identity";
import express, { type NextFunction, type Request, type Response } from "express";
import type { ApiDeps } from "./context";
import type { ScimRateLimiter } from "./rate-limit";

export const SCIM_CONTENT_TYPE = "application/scim+json";
const DOCS_URL = "https://github.com/steward/steward/blob/main/docs/identity/scim.md";

type Locals = { scim: ScimRequest };

function send(res: Response, status: number, body: unknown, etag?: string) {
  res.status(status).type(SCIM_CONTENT_TYPE);
  if (etag) res.setHeader("ETag", etag);
  res.send(JSON.stringify(body));
}

function sendResource(res: Response, status: number, resource: ScimResource) {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (status === 201 && meta?.location) res.setHeader("Location", meta.location);
  send(res, status, resource, meta?.version);
}

function sendError(res: Response, err: ScimError) {
  if (err.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="steward-scim"');
  send(res, err.status, errorBody(err));
}

const listQuery = (req: Request) => ({
  filter: typeof req.query.filter === "string" ? req.query.filter : undefined,
  startIndex: req.query.startIndex,
  count: req.query.count,
});

/**
 * The SCIM 2.0 service provider (RFC 7644) at /scim/v2: transport only. Authenticates a SCIM-scoped
 * API key, rate-limits, and hands each request to the identity lib's SCIM use-cases.
 */
export function scimRouter(deps: ApiDeps, limiter: ScimRateLimiter) {
  const router = express.Router();
  const identity: IdentityDeps = deps;

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const ip = req.ip ?? "unknown";
    await limiter.checkAddress(ip);
    const match = /^Bearer\s+(\S+)$/i.exec(req.header("authorization") ?? "");
    let actor: ScimRequest["actor"];
    try {
      if (!match?.[1]) throw new AppError("UNAUTHENTICATED", "Send 'Authorization: Bearer <SCIM API key>'");
      actor = await authenticateApiKey(identity, match[1], String(res.locals.requestId), "SCIM");
    } catch (err) {
      if (err instanceof AppError && err.code === "UNAUTHENTICATED") await limiter.failedAuth(ip);
      throw err;
    }
    if (actor.kind === "API_KEY") await limiter.request(actor.apiKeyId);
    (res.locals as Locals).scim = { actor, baseUrl: `${req.protocol}://${req.get("host")}${req.baseUrl}` };
    next();
  });
  router.use(express.json({ type: [SCIM_CONTENT_TYPE, "application/json"], limit: "1mb", strict: false }));

  const ctx = (res: Response) => (res.locals as Locals).scim;
  const ifMatch = (req: Request) => req.header("if-match") ?? undefined;
  const getOne = async (req: Request, res: Response, resource: ScimResource) => {
    const etag = (resource.meta as { version?: string }).version;
    if (
      etag &&
      req
        .header("if-none-match")
        ?.split(",")
        .map((t) => t.trim())
        .includes(etag)
    ) {
      res.status(304).setHeader("ETag", etag).end();
      return;
    }
    sendResource(res, 200, resource);
  };
  const id = (req: Request) => String(req.params.id);

  router.get("/ServiceProviderConfig", (_req, res) => send(res, 200, serviceProviderConfig(ctx(res).baseUrl, DOCS_URL)));
  /** The discovery lists (RFC 7644 §4): every resource on one page. */
  const wholeList = (all: unknown[]) => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    totalResults: all.length,
    startIndex: 1,
    itemsPerPage: all.length,
    Resources: all,
  });
  router.get("/ResourceTypes", (_req, res) => send(res, 200, wholeList(resourceTypes(ctx(res).baseUrl))));
  router.get("/ResourceTypes/:id", (req, res) => {
    const one = resourceTypes(ctx(res).baseUrl).find((r) => r.id === id(req));
    if (!one) throw new ScimError(404, `ResourceType ${id(req)} not found`);
    send(res, 200, one);
  });
  router.get("/Schemas", (_req, res) => send(res, 200, wholeList(schemaResources(ctx(res).baseUrl))));
  router.get("/Schemas/:id", (req, res) => {
    const one = schemaResources(ctx(res).baseUrl).find((s) => s.id === id(req));
    if (!one) throw new ScimError(404, `Schema ${id(req)} not found`);
    send(res, 200, one);
  });

  router.get("/Users", async (req, res) => send(res, 200, await listScimUsers(identity, ctx(res), listQuery(req))));
  router.post("/Users", async (req, res) => sendResource(res, 201, await createScimUser(identity, ctx(res), req.body)));
  router.get("/Users/:id", async (req, res) => getOne(req, res, await getScimUser(identity, ctx(res), id(req))));
  router.put("/Users/:id", async (req, res) =>
    sendResource(res, 200, await replaceScimUser(identity, ctx(res), id(req), req.body, ifMatch(req))),
  );
  router.patch("/Users/:id", async (req, res) =>
    sendResource(res, 200, await patchScimUser(identity, ctx(res), id(req), req.body, ifMatch(req))),
  );
  router.delete("/Users/:id", async (req, res) => {
    await deleteScimUser(identity, ctx(res), id(req), ifMatch(req));
    res.status(204).end();
  });

  router.get("/Groups", async (req, res) => send(res, 200, await listScimGroups(identity, ctx(res), listQuery(req))));
  router.post("/Groups", async (req, res) => sendResource(res, 201, await createScimGroup(identity, ctx(res), req.body)));
  router.get("/Groups/:id", async (req, res) => getOne(req, res, await getScimGroup(identity, ctx(res), id(req))));
  router.put("/Groups/:id", async (req, res) =>
    sendResource(res, 200, await replaceScimGroup(identity, ctx(res), id(req), req.body, ifMatch(req))),
  );
  router.patch("/Groups/:id", async (req, res) =>
    sendResource(res, 200, await patchScimGroup(identity, ctx(res), id(req), req.body, ifMatch(req))),
  );
  router.delete("/Groups/:id", async (req, res) => {
    await deleteScimGroup(identity, ctx(res), id(req), ifMatch(req));
    res.status(204).end();
  });

  router.use((req: Request) => {
    throw new ScimError(404, `No SCIM endpoint ${req.method} ${req.path.slice(0, 100)}`);
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 0;
    // body-parser's errors (malformed JSON, wrong size) carry a `type`; they are the client's syntax errors.
    if (!(err instanceof ScimError) && typeof (err as { type?: unknown }).type === "string" && status >= 400 && status < 500) {
      sendError(res, status === 413 ? new ScimError(413, "Request body too large") : invalidSyntax("The request body is not valid JSON"));
      return;
    }
    const scimErr = toScimError(err);
    if (scimErr.status >= 500) deps.logger.error({ err }, "SCIM request failed");
    sendError(res, scimErr);
  });
  return router;
}
