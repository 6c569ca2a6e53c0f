import type { DataPolicySourceImpact } from "@steward/access";
import type { Actor, Logger, SecretBox } from "@steward/core";
import type { AuditEvent, CatalogNode, DataSource, DataSourceStatus, Db, DecisionRecord, Group, User, WebhookDelivery } from "@steward/db";
import type { OidcRelyingParty } from "@steward/identity";
import type { AdapterLookup } from "@steward/integrations";
import type { PolicyViewSpec } from "@steward/policy";
import type { Request, Response } from "express";
import { createLoaders, type Loaders } from "./loaders";
import type { AuditThrottle, LoginRateLimiter, ScimRateLimiter } from "./rate-limit";

export type ApiDeps = {
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
  loginLimiter: LoginRateLimiter;
  /** Per-key request budget and per-address failed-authentication budget at /scim/v2. */
  scimLimiter: ScimRateLimiter;
  /** Bounds the audit rows one actor's refused requests can write. */
  refusalAudit: AuditThrottle;
  cookieSecure: boolean;
  /** See `AccessSettings` in libs/access: off unless the deployment turns it on. */
  allowSelfApproval?: boolean;
  /** Where platforms reach the decision service (DECISIONS_PUBLIC_URL), shown in their generated config. */
  decisionsPublicUrl?: string;
  /** Sign-in options of this deployment; absent means passwords on and no single sign-on. */
  auth?: ApiAuth;
  /** Injectable like in the libs, so tests can register adapters of their own. */
  adapterFor?: AdapterLookup;
};

export type ApiAuth = { localPasswords: boolean; oidc: OidcRelyingParty | null };

export type ApiContext = {
  deps: ApiDeps;
  actor: Actor | null;
  authMethod: "SESSION" | "API_KEY" | null;
  sessionToken: string | undefined;
  requestId: string;
  ip: string;
  userAgent: string | undefined;
  logger: Logger;
  loaders: Loaders;
  res: Response;
  req: Request;
};

/** The GraphQL `Viewer`: an authenticated person (via session or API key). */
export type ViewerModel = { actor: Extract<Actor, { kind: "USER" | "API_KEY" }>; authMethod: "SESSION" | "API_KEY" };

/** Relay connection as resolvers return it; edges are derived from nodes. */
export type ConnectionModel<T> = {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
  cursorOf: (node: T) => string;
};

export function buildContext(base: Omit<ApiContext, "loaders">): ApiContext {
  return { ...base, loaders: createLoaders(base.deps.db, base.actor) };
}

export type UserConnectionModel = ConnectionModel<User>;
export type GroupConnectionModel = ConnectionModel<Group>;
export type AuditEventConnectionModel = ConnectionModel<AuditEvent>;
export type DecisionRecordConnectionModel = ConnectionModel<DecisionRecord>;
export type WebhookDeliveryConnectionModel = ConnectionModel<WebhookDelivery>;
export type CatalogNodeModel = CatalogNode & { dataSource: { id: string; status: DataSourceStatus } | null };
export type CatalogNodeConnectionModel = ConnectionModel<CatalogNodeModel>;
export type DataSourceConnectionModel = ConnectionModel<DataSource>;
export type DataSourceOwnerModel = { userId: string | null; groupId: string | null };
export type RegisterResultModel = { registeredIds: string[] };
export type MySubscriptionModel = { dataSourceId: string; level: "NONE" | "READ" | "WRITE" };
export type ConnectionStatementPlanModel = { connectionId: string; statements: string[]; error: string | null };
/** A policy view as resolved; `candidate` names an unsaved policy it may reference (plans, previews). */
export type PolicyViewSummaryModel = PolicyViewSpec & { candidate?: { id: string; name: string } | null };
export type DataPolicySourceImpactModel = DataPolicySourceImpact & { candidate: { id: string; name: string } | null };
