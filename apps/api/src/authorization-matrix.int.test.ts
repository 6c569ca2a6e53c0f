/**
 * Every mutation × every role → allowed or FORBIDDEN, through the real API. A mutation added to the
 * schema without a row here fails the coverage test, so the matrix cannot silently fall behind.
 */

import { randomBytes } from "node:crypto";
import { createConnection, registerDataSources, runSync } from "@steward/catalog";
import { systemActor } from "@steward/core";
import { createGroup, createUser } from "@steward/identity";
import { createWebhookEndpoint } from "@steward/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "./schema";
import { type Auth, startTestApi, type TestApi } from "./testing/api-harness";

type RoleCase = "ADMIN" | "GOVERNOR" | "DATA_OWNER" | "CONSUMER";
const ROLES: RoleCase[] = ["ADMIN", "GOVERNOR", "DATA_OWNER", "CONSUMER"];

type Actor = { id: string; auth: Auth };
type Case = {
  mutation: string;
  label?: string;
  allowed: RoleCase[];
  /** Builds a fresh target for each call (so allowed calls succeed on their own data). */
  prepare: (caller: Actor) => Promise<{ query: string; variables?: Record<string, unknown> }>;
};

let api: TestApi;
const actors = new Map<RoleCase, Actor>();
const system = systemActor("matrix-setup");
const uid = () => randomBytes(4).toString("hex");

async function freshUser() {
  const name = `target-${uid()}`;
  return createUser({ db: api.testDb.db }, system, {
    username: name,
    displayName: name,
    email: `${name}@example.com`,
    password: "steward-demo",
  });
}
async function freshGroup() {
  return createGroup({ db: api.testDb.db }, system, { name: `group-${uid()}` });
}
async function freshWebhook() {
  const admin = actors.get("ADMIN")!;
  const created = await createWebhookEndpoint(
    api.deps,
    { kind: "USER", userId: admin.id, username: "matrix-admin", roles: new Set(["ADMIN"]) },
    {
      url: "http://127.0.0.1:9/hook",
      eventTypes: ["*"],
    },
  );
  return created.endpoint;
}

function warehouseConfig() {
  return { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] };
}
/** A connection on which the DATA_OWNER actor is assigned, synced, with one registered source. */
async function freshSource() {
  const { connection, syncRun } = await createConnection(api.deps, system, {
    name: `conn-${uid()}`,
    kind: "POSTGRES",
    config: warehouseConfig(),
    dataOwnerIds: [actors.get("DATA_OWNER")!.id],
  });
  await runSync(api.deps, syncRun.id);
  const node = await api.testDb.db.catalogNode.findFirstOrThrow({ where: { connectionId: connection.id, kind: "OBJECT", name: "User" } });
  const { registeredIds } = await registerDataSources(api.deps, system, { connectionId: connection.id, nodeIds: [node.id] });
  return { connectionId: connection.id, sourceId: registeredIds[0]! };
}

const POLICY = (sourceId: string) => ({ restriction: { anyone: true }, scope: { sources: [sourceId] } });
async function freshPolicy() {
  const { sourceId } = await freshSource();
  const gov = actors.get("GOVERNOR")!;
  const res = await api.gql<{ createPolicy: { policy: { id: string } } }>(
    `mutation($d: PolicyDefinitionInput!, $n: String!) { createPolicy(input: {name: $n, accessType: READ, definition: $d}) { policy { id } } }`,
    { d: POLICY(sourceId), n: `p-${uid()}` },
    gov.auth,
  );
  return { policyId: res.data!.createPolicy.policy.id, sourceId };
}

/** A data policy hashing the `username` column of a fresh source (the metadata DB's own User table). */
const DATA_POLICY = (sourceId: string) => ({
  scope: { sources: [sourceId] },
  rule: { mask: { columns: { names: ["username"] }, mask: { hash: true } } },
});
async function freshDataPolicy() {
  const { sourceId } = await freshSource();
  const res = await api.gql<{ createDataPolicy: { policy: { id: string } } }>(
    `mutation($d: DataPolicyDefinitionInput!, $n: String!) { createDataPolicy(input: {name: $n, definition: $d}) { policy { id } } }`,
    { d: DATA_POLICY(sourceId), n: `dp-${uid()}` },
    actors.get("GOVERNOR")!.auth,
  );
  return { policyId: res.data!.createDataPolicy.policy.id, sourceId };
}
async function freshPurpose() {
  return api.testDb.db.purpose.create({ data: { name: `purpose-${uid()}`, acknowledgement: "I agree." } });
}
/** A project owned by a fresh user, with the caller as a plain member (purpose acknowledged when `acked`). */
async function freshProject(caller: Actor, opts: { acked?: boolean } = {}) {
  const owner = await freshUser();
  const purpose = await freshPurpose();
  const project = await api.testDb.db.project.create({
    data: {
      name: `project-${uid()}`,
      ownerId: owner.id,
      purposes: { create: [{ purposeId: purpose.id }] },
      members: {
        create: [
          { userId: owner.id, role: "OWNER" },
          { userId: caller.id, role: "MEMBER" },
        ],
      },
    },
  });
  if (opts.acked)
    await api.testDb.db.purposeAcknowledgement.create({
      data: { projectId: project.id, userId: caller.id, purposeId: purpose.id, version: 1 },
    });
  return project;
}

/** A pending request on a source owned by the DATA_OWNER actor. */
async function freshRequest() {
  const { sourceId } = await freshSource();
  await api.testDb.db.dataSourceOwner.create({ data: { dataSourceId: sourceId, userId: actors.get("DATA_OWNER")!.id } });
  const requester = await api.userWithRoles([]);
  const res = await api.gql<{ requestAccess: { id: string } }>(
    `mutation($d: ID!) { requestAccess(input: {dataSourceId: $d, reason: "need it"}) { id } }`,
    { d: sourceId },
    requester.auth,
  );
  return res.data!.requestAccess.id;
}

const ALL: RoleCase[] = [...ROLES];
const GOVERNORS: RoleCase[] = ["GOVERNOR"];
const DECIDERS: RoleCase[] = ["GOVERNOR", "DATA_OWNER"];
const OWNERS: RoleCase[] = ["ADMIN", "DATA_OWNER"];
const TAGGERS: RoleCase[] = ["ADMIN", "GOVERNOR", "DATA_OWNER"];
const SESSION_ENDING = new Set(["logout", "changePassword"]);
const ADMIN_ONLY: RoleCase[] = ["ADMIN"];

const cases: Case[] = [
  {
    mutation: "login",
    allowed: ALL,
    prepare: async () => {
      const u = await freshUser();
      return {
        query: `mutation($u: String!) { login(input: {username: $u, password: "steward-demo"}) { roles } }`,
        variables: { u: u.username },
      };
    },
  },
  { mutation: "logout", allowed: ALL, prepare: async () => ({ query: `mutation { logout }` }) },
  {
    mutation: "changePassword",
    allowed: ALL,
    prepare: async () => ({ query: `mutation { changePassword(currentPassword: "steward-demo", newPassword: "steward-demo") }` }),
  },
  {
    mutation: "createUser",
    allowed: ADMIN_ONLY,
    prepare: async () => {
      const n = `new-${uid()}`;
      return {
        query: `mutation($n: String!, $e: String!) { createUser(input: {username: $n, displayName: $n, email: $e}) { id } }`,
        variables: { n, e: `${n}@example.com` },
      };
    },
  },
  {
    mutation: "updateUser",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { updateUser(input: {id: $id, displayName: "Renamed"}) { id } }`,
      variables: { id: (await freshUser()).id },
    }),
  },
  {
    mutation: "deactivateUser",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($id: ID!) { deactivateUser(id: $id) { id } }`, variables: { id: (await freshUser()).id } }),
  },
  {
    mutation: "reactivateUser",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($id: ID!) { reactivateUser(id: $id) { id } }`, variables: { id: (await freshUser()).id } }),
  },
  {
    mutation: "setUserAttribute",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { setUserAttribute(input: {userId: $id, key: "region", values: ["EU"]}) { id } }`,
      variables: { id: (await freshUser()).id },
    }),
  },
  {
    mutation: "removeUserAttribute",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { removeUserAttribute(userId: $id, key: "region") { id } }`,
      variables: { id: (await freshUser()).id },
    }),
  },
  {
    mutation: "grantRole",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { grantRole(userId: $id, role: GOVERNOR) { id } }`,
      variables: { id: (await freshUser()).id },
    }),
  },
  {
    mutation: "revokeRole",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { revokeRole(userId: $id, role: GOVERNOR) { id } }`,
      variables: { id: (await freshUser()).id },
    }),
  },
  {
    mutation: "setPlatformAccount",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!, $a: String!) { setPlatformAccount(input: {userId: $id, platform: POSTGRES, accountName: $a}) { id } }`,
      variables: { id: (await freshUser()).id, a: `acct_${uid()}` },
    }),
  },
  {
    mutation: "createGroup",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($n: String!) { createGroup(input: {name: $n}) { id } }`, variables: { n: `g-${uid()}` } }),
  },
  {
    mutation: "updateGroup",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { updateGroup(input: {id: $id, description: "d"}) { id } }`,
      variables: { id: (await freshGroup()).id },
    }),
  },
  {
    mutation: "deleteGroup",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($id: ID!) { deleteGroup(id: $id) }`, variables: { id: (await freshGroup()).id } }),
  },
  {
    mutation: "addGroupMember",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($g: ID!, $u: ID!) { addGroupMember(groupId: $g, userId: $u) { id } }`,
      variables: { g: (await freshGroup()).id, u: (await freshUser()).id },
    }),
  },
  {
    mutation: "removeGroupMember",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }`,
      variables: { g: (await freshGroup()).id, u: (await freshUser()).id },
    }),
  },
  {
    mutation: "createApiKey",
    label: "own key",
    allowed: ALL,
    prepare: async () => ({ query: `mutation { createApiKey(input: {name: "k", roles: []}) { secret } }` }),
  },
  {
    mutation: "createApiKey",
    label: "for another user",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($o: ID!) { createApiKey(input: {name: "k", ownerId: $o, roles: []}) { secret } }`,
      variables: { o: (await freshUser()).id },
    }),
  },
  {
    mutation: "createApiKey",
    label: "SCIM key",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation { createApiKey(input: {name: "idp", scope: SCIM}) { secret } }` }),
  },
  {
    mutation: "setScimAttributeMappings",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation { setScimAttributeMappings(mappings: [{scimPath: "title", attributeKey: "job_title"}]) { scimPath } }`,
    }),
  },
  {
    mutation: "revokeApiKey",
    label: "own key",
    allowed: ALL,
    prepare: async (caller) => {
      const key = await api.gql<{ createApiKey: { apiKey: { id: string } } }>(
        `mutation { createApiKey(input: {name: "mine", roles: []}) { apiKey { id } } }`,
        {},
        caller.auth,
      );
      return { query: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, variables: { id: key.data!.createApiKey.apiKey.id } };
    },
  },
  {
    mutation: "revokeApiKey",
    label: "another user's key",
    allowed: ADMIN_ONLY,
    prepare: async () => {
      const owner = await freshUser();
      const key = await api.gql<{ createApiKey: { apiKey: { id: string } } }>(
        `mutation($o: ID!) { createApiKey(input: {name: "theirs", ownerId: $o, roles: []}) { apiKey { id } } }`,
        { o: owner.id },
        actors.get("ADMIN")!.auth,
      );
      return { query: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, variables: { id: key.data!.createApiKey.apiKey.id } };
    },
  },
  {
    mutation: "createWebhookEndpoint",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation { createWebhookEndpoint(input: {url: "http://127.0.0.1:9/x", eventTypes: ["user.created"]}) { secret } }`,
    }),
  },
  {
    mutation: "updateWebhookEndpoint",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, description: "d"}) { id } }`,
      variables: { id: (await freshWebhook()).id },
    }),
  },
  {
    mutation: "deleteWebhookEndpoint",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, variables: { id: (await freshWebhook()).id } }),
  },
  {
    mutation: "rotateWebhookSecret",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      variables: { id: (await freshWebhook()).id },
    }),
  },
  {
    mutation: "pingWebhookEndpoint",
    allowed: ADMIN_ONLY,
    prepare: async () => ({ query: `mutation($id: ID!) { pingWebhookEndpoint(id: $id) }`, variables: { id: (await freshWebhook()).id } }),
  },
  {
    mutation: "redeliverWebhook",
    allowed: ADMIN_ONLY,
    prepare: async () => {
      const endpoint = await freshWebhook();
      const event = await api.testDb.db.outboxEvent.create({
        data: { type: "webhook.ping", aggregateType: "WebhookEndpoint", aggregateId: endpoint.id, payload: { endpointId: endpoint.id } },
      });
      const delivery = await api.testDb.db.webhookDelivery.create({
        data: {
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          payload: event.payload as object,
          status: "FAILED",
          attempts: 8,
        },
      });
      return { query: `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, variables: { id: delivery.id } };
    },
  },
  {
    mutation: "testConnection",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($c: JSON!) { testConnection(input: {kind: POSTGRES, config: $c}) { ok } }`,
      variables: { c: warehouseConfig() },
    }),
  },
  {
    mutation: "createConnection",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($n: String!, $c: JSON!) { createConnection(input: {name: $n, kind: POSTGRES, config: $c}) { inboundSecret } }`,
      variables: { n: `c-${uid()}`, c: warehouseConfig() },
    }),
  },
  {
    mutation: "updateConnection",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { updateConnection(input: {id: $id, description: "d"}) { id } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "deleteConnection",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { deleteConnection(id: $id) }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "rotateConnectionInboundSecret",
    allowed: ADMIN_ONLY,
    prepare: async () => ({
      query: `mutation($id: ID!) { rotateConnectionInboundSecret(id: $id) { inboundSecret } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "issueDecisionToken",
    allowed: ADMIN_ONLY,
    prepare: async () => {
      // A Trino connection written directly: creating one through the API tests a live cluster. The
      // DATA_OWNER actor is assigned to it, and still may not issue its token.
      const connection = await api.testDb.db.connection.create({
        data: {
          name: `trino-${uid()}`,
          kind: "TRINO",
          config: {},
          inboundSecretCiphertext: "x",
          dataOwners: { create: [{ userId: actors.get("DATA_OWNER")!.id }] },
        },
      });
      return { query: `mutation($id: ID!) { issueDecisionToken(connectionId: $id) { token } }`, variables: { id: connection.id } };
    },
  },
  {
    mutation: "syncConnection",
    allowed: OWNERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { syncConnection(id: $id) { id } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "registerDataSources",
    allowed: OWNERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { registerDataSources(input: {connectionId: $id, wholeConnection: true}) { registeredCount } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "setDataSourceOwners",
    allowed: OWNERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { setDataSourceOwners(input: {dataSourceId: $id, userIds: []}) { id } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "disableDataSource",
    allowed: OWNERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { disableDataSource(id: $id) { status } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "enableDataSource",
    allowed: OWNERS,
    prepare: async () => {
      const { sourceId } = await freshSource();
      await api.testDb.db.dataSource.update({ where: { id: sourceId }, data: { status: "DISABLED", disabledReason: "MANUAL" } });
      return { query: `mutation($id: ID!) { enableDataSource(id: $id) { status } }`, variables: { id: sourceId } };
    },
  },
  {
    mutation: "tagDataSource",
    allowed: TAGGERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { tagDataSource(dataSourceId: $id, tag: "PII") { id } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "untagDataSource",
    allowed: TAGGERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { untagDataSource(dataSourceId: $id, tag: "PII") { id } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "tagColumn",
    allowed: TAGGERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { tagColumn(dataSourceId: $id, column: "email", tag: "PII.Email") { id } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "untagColumn",
    allowed: TAGGERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { untagColumn(dataSourceId: $id, column: "email", tag: "PII.Email") { id } }`,
      variables: { id: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "createPolicy",
    allowed: GOVERNORS,
    prepare: async () => {
      const { sourceId } = await freshSource();
      return {
        query: `mutation($d: PolicyDefinitionInput!, $n: String!) { createPolicy(input: {name: $n, accessType: READ, definition: $d}) { policy { id } } }`,
        variables: { d: POLICY(sourceId), n: `p-${uid()}` },
      };
    },
  },
  {
    mutation: "updatePolicy",
    allowed: GOVERNORS,
    prepare: async () => {
      const { policyId, sourceId } = await freshPolicy();
      return {
        query: `mutation($id: ID!, $d: PolicyDefinitionInput!, $n: String!) { updatePolicy(input: {id: $id, name: $n, accessType: WRITE, definition: $d}) { policy { version } } }`,
        variables: { id: policyId, d: POLICY(sourceId), n: `p-${uid()}` },
      };
    },
  },
  {
    mutation: "deletePolicy",
    allowed: GOVERNORS,
    prepare: async () => ({ query: `mutation($id: ID!) { deletePolicy(id: $id) }`, variables: { id: (await freshPolicy()).policyId } }),
  },
  {
    mutation: "setDriftEnforcement",
    allowed: ["ADMIN", "GOVERNOR"],
    prepare: async () => ({
      query: `mutation($id: ID!) { setDriftEnforcement(connectionId: $id, enforce: false) { id } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "setUnmanagedGrants",
    allowed: ["ADMIN", "GOVERNOR"],
    prepare: async () => ({
      query: `mutation($id: ID!) { setUnmanagedGrants(connectionId: $id, mode: REVOKE) { id } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "subscribeUser",
    allowed: DECIDERS,
    prepare: async () => {
      const { sourceId } = await freshSource();
      await api.testDb.db.dataSourceOwner.create({ data: { dataSourceId: sourceId, userId: actors.get("DATA_OWNER")!.id } });
      return {
        query: `mutation($d: ID!, $u: ID!) { subscribeUser(input: {dataSourceId: $d, userId: $u}) { id } }`,
        variables: { d: sourceId, u: (await freshUser()).id },
      };
    },
  },
  {
    mutation: "unsubscribeUser",
    allowed: DECIDERS,
    prepare: async () => {
      const { sourceId } = await freshSource();
      await api.testDb.db.dataSourceOwner.create({ data: { dataSourceId: sourceId, userId: actors.get("DATA_OWNER")!.id } });
      const user = await freshUser();
      await api.testDb.db.manualSubscription.create({ data: { dataSourceId: sourceId, userId: user.id, accessType: "READ" } });
      return {
        query: `mutation($d: ID!, $u: ID!) { unsubscribeUser(dataSourceId: $d, userId: $u) }`,
        variables: { d: sourceId, u: user.id },
      };
    },
  },
  {
    mutation: "requestAccess",
    allowed: ALL,
    prepare: async () => ({
      query: `mutation($d: ID!) { requestAccess(input: {dataSourceId: $d, reason: "for the report"}) { id } }`,
      variables: { d: (await freshSource()).sourceId },
    }),
  },
  {
    mutation: "approveAccessRequest",
    allowed: DECIDERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { approveAccessRequest(input: {requestId: $id}) { status } }`,
      variables: { id: await freshRequest() },
    }),
  },
  {
    mutation: "denyAccessRequest",
    allowed: DECIDERS,
    prepare: async () => ({
      query: `mutation($id: ID!) { denyAccessRequest(input: {requestId: $id, reason: "no"}) { status } }`,
      variables: { id: await freshRequest() },
    }),
  },
  {
    // Everyone may withdraw their own pending request (someone else's is NOT_FOUND, see policies tests).
    mutation: "cancelAccessRequest",
    allowed: ALL,
    prepare: async (caller) => {
      const { sourceId } = await freshSource();
      const request = await api.testDb.db.accessRequest.create({
        data: { userId: caller.id, dataSourceId: sourceId, accessType: "READ", reason: "changed my mind" },
      });
      return { query: `mutation($id: ID!) { cancelAccessRequest(id: $id) { status } }`, variables: { id: request.id } };
    },
  },
  {
    mutation: "createDataPolicy",
    allowed: GOVERNORS,
    prepare: async () => ({
      query: `mutation($d: DataPolicyDefinitionInput!, $n: String!) { createDataPolicy(input: {name: $n, definition: $d}) { policy { id } } }`,
      variables: { d: DATA_POLICY((await freshSource()).sourceId), n: `dp-${uid()}` },
    }),
  },
  {
    mutation: "updateDataPolicy",
    allowed: GOVERNORS,
    prepare: async () => {
      const { policyId, sourceId } = await freshDataPolicy();
      return {
        query: `mutation($id: ID!, $d: DataPolicyDefinitionInput!, $n: String!) { updateDataPolicy(input: {id: $id, name: $n, definition: $d}) { policy { version } } }`,
        variables: { id: policyId, d: DATA_POLICY(sourceId), n: `dp-${uid()}` },
      };
    },
  },
  {
    mutation: "deleteDataPolicy",
    allowed: GOVERNORS,
    prepare: async () => ({
      query: `mutation($id: ID!) { deleteDataPolicy(id: $id) }`,
      variables: { id: (await freshDataPolicy()).policyId },
    }),
  },
  {
    mutation: "setViewsForEverything",
    allowed: ["ADMIN", "GOVERNOR"],
    prepare: async () => ({
      query: `mutation($id: ID!) { setViewsForEverything(connectionId: $id, enabled: true) { id } }`,
      variables: { id: (await freshSource()).connectionId },
    }),
  },
  {
    mutation: "createPurpose",
    allowed: GOVERNORS,
    prepare: async () => ({
      query: `mutation($n: String!) { createPurpose(input: {name: $n, acknowledgement: "I agree."}) { id } }`,
      variables: { n: `purpose-${uid()}` },
    }),
  },
  {
    mutation: "updatePurpose",
    allowed: GOVERNORS,
    prepare: async () => ({
      query: `mutation($id: ID!, $n: String!) { updatePurpose(input: {id: $id, name: $n, acknowledgement: "Changed."}) { acknowledgementVersion } }`,
      variables: { id: (await freshPurpose()).id, n: `purpose-${uid()}` },
    }),
  },
  {
    mutation: "applyPolicies",
    label: "a new tag",
    allowed: GOVERNORS,
    prepare: async () => {
      const tags = (await api.testDb.db.tag.findMany({ select: { name: true, description: true } })).map((t) => ({
        name: t.name,
        description: t.description,
      }));
      const document = JSON.stringify({ apiVersion: "steward/v1", tags: [...tags, { name: `t-${uid()}` }] });
      return { query: "mutation($d: String!) { applyPolicies(document: $d) { created } }", variables: { d: document } };
    },
  },
  {
    mutation: "applyPolicies",
    label: "connection settings",
    allowed: ADMIN_ONLY,
    prepare: async () => {
      const connection = await api.testDb.db.connection.findUniqueOrThrow({ where: { id: (await freshSource()).connectionId } });
      const document = JSON.stringify({ apiVersion: "steward/v1", connections: [{ name: connection.name, description: `d-${uid()}` }] });
      return { query: "mutation($d: String!) { applyPolicies(document: $d) { updated } }", variables: { d: document } };
    },
  },
  {
    mutation: "deletePurpose",
    allowed: GOVERNORS,
    prepare: async () => ({ query: `mutation($id: ID!) { deletePurpose(id: $id) }`, variables: { id: (await freshPurpose()).id } }),
  },
  {
    mutation: "createProject",
    allowed: ALL,
    prepare: async () => ({
      query: `mutation($n: String!) { createProject(input: {name: $n}) { id } }`,
      variables: { n: `project-${uid()}` },
    }),
  },
  {
    // The caller is a plain member: only governors (and the project's owners) manage it.
    mutation: "updateProject",
    allowed: GOVERNORS,
    prepare: async (caller) => {
      const p = await freshProject(caller);
      return {
        query: `mutation($id: ID!, $n: String!) { updateProject(input: {id: $id, name: $n, purposeIds: [], dataSourceIds: []}) { id } }`,
        variables: { id: p.id, n: `project-${uid()}` },
      };
    },
  },
  {
    mutation: "archiveProject",
    allowed: GOVERNORS,
    prepare: async (caller) => ({
      query: `mutation($id: ID!) { archiveProject(id: $id) { status } }`,
      variables: { id: (await freshProject(caller)).id },
    }),
  },
  {
    mutation: "addProjectMember",
    allowed: GOVERNORS,
    prepare: async (caller) => ({
      query: `mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { id } }`,
      variables: { p: (await freshProject(caller)).id, u: (await freshUser()).id },
    }),
  },
  {
    mutation: "removeProjectMember",
    label: "another member",
    allowed: GOVERNORS,
    prepare: async (caller) => {
      const p = await freshProject(caller);
      const other = await freshUser();
      await api.testDb.db.projectMember.create({ data: { projectId: p.id, userId: other.id } });
      return {
        query: `mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { id } }`,
        variables: { p: p.id, u: other.id },
      };
    },
  },
  {
    mutation: "removeProjectMember",
    label: "leaving",
    allowed: ALL,
    prepare: async (caller) => ({
      query: `mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { id } }`,
      variables: { p: (await freshProject(caller)).id, u: caller.id },
    }),
  },
  {
    mutation: "acknowledgeProjectPurposes",
    allowed: ALL,
    prepare: async (caller) => ({
      query: `mutation($p: ID!) { acknowledgeProjectPurposes(projectId: $p) { id } }`,
      variables: { p: (await freshProject(caller)).id },
    }),
  },
  {
    mutation: "switchProject",
    allowed: ALL,
    prepare: async (caller) => ({
      query: `mutation($p: ID) { switchProject(projectId: $p) { currentProject { id } } }`,
      variables: { p: (await freshProject(caller, { acked: true })).id },
    }),
  },
];

beforeAll(async () => {
  api = await startTestApi();
  for (const role of ROLES) {
    const u = await api.userWithRoles(role === "CONSUMER" ? [] : [role]);
    actors.set(role, u);
  }
});
afterAll(() => api.close());

describe("authorization matrix", () => {
  it("covers every mutation in the schema", () => {
    const mutationType = buildSchema().getMutationType()!;
    const inSchema = Object.keys(mutationType.getFields())
      .filter((f) => f !== "_noop")
      .sort();
    expect([...new Set(cases.map((c) => c.mutation))].sort()).toEqual(inSchema);
  });

  for (const c of cases) {
    for (const role of ROLES) {
      const expected = c.allowed.includes(role) ? "allowed" : "FORBIDDEN";
      it(`${c.mutation}${c.label ? ` (${c.label})` : ""} as ${role} → ${expected}`, async () => {
        // logout and changePassword end sessions: they run as a fresh user holding the same role.
        const caller = SESSION_ENDING.has(c.mutation) ? await api.userWithRoles(role === "CONSUMER" ? [] : [role]) : actors.get(role)!;
        const { query, variables } = await c.prepare(caller);
        const res = await api.gql(query, variables, caller.auth);
        if (expected === "allowed") {
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
        } else {
          const code = res.errors?.[0]?.extensions?.code;
          // Another user's key is invisible rather than forbidden, so its id leaks nothing.
          expect(c.label === "another user's key" ? ["NOT_FOUND"] : ["FORBIDDEN"]).toContain(code);
        }
      });
    }
  }

  it("answers every mutation but login with UNAUTHENTICATED when nobody is logged in", async () => {
    for (const c of cases.filter((c) => !["login", "logout"].includes(c.mutation))) {
      const { query, variables } = await c.prepare(actors.get("ADMIN")!);
      const res = await api.gql(query, variables);
      expect(res.errors?.[0]?.extensions?.code, c.mutation).toBe("UNAUTHENTICATED");
    }
  });
});
