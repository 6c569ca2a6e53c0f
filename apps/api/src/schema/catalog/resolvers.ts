import {
  browseCatalog,
  createConnection,
  deleteConnection,
  getConnection,
  getDataSource,
  getSyncRun,
  listConnections,
  listSyncRuns,
  listTags,
  readConnectionInternal,
  registerDataSources,
  requestSync,
  rotateInboundSecret,
  searchDataSources,
  setDataSourceEnabled,
  setDataSourceOwners,
  tagColumn,
  tagDataSource,
  testConnection,
  updateConnection,
} from "@steward/catalog";
import { notFound } from "@steward/core";
import { countedConnectionFields, toConnection } from "../../connection";
import type { Resolvers } from "../resolvers-types.gen";

export const catalogResolvers: Resolvers = {
  Query: {
    connections: (_p, _a, ctx) => listConnections(ctx.deps, ctx.actor),
    connection: (_p, { id }, ctx) => getConnection(ctx.deps, ctx.actor, id),
    syncRun: (_p, { id }, ctx) => getSyncRun(ctx.deps, ctx.actor, id),
    catalog: async (_p, { connectionId, parentId, includeGone, first, after }, ctx) =>
      toConnection(await browseCatalog(ctx.deps, ctx.actor, connectionId, parentId, { first, after, includeGone }), (n) => [n.name]),
    dataSources: async (_p, { filter, first, after }, ctx) =>
      toConnection(await searchDataSources(ctx.deps, ctx.actor, filter, { first, after }), (d) => [d.name, d.id]),
    dataSource: (_p, { id }, ctx) => getDataSource(ctx.deps, ctx.actor, id),
    tags: (_p, { search }, ctx) => listTags(ctx.deps, ctx.actor, search),
  },
  Mutation: {
    testConnection: async (_p, { input }, ctx) => {
      const result = await testConnection(ctx.deps, ctx.actor, input);
      return result.ok ? { ...result, problem: null } : { ok: false, warnings: [], problem: result.problem };
    },
    createConnection: async (_p, { input }, ctx) => {
      const created = await createConnection(ctx.deps, ctx.actor, input);
      return {
        connection: created.connection,
        inboundSecret: created.inboundSecret,
        firstSync: created.syncRun,
        warnings: created.warnings,
      };
    },
    updateConnection: (_p, { input }, ctx) => updateConnection(ctx.deps, ctx.actor, input),
    deleteConnection: (_p, { id }, ctx) => deleteConnection(ctx.deps, ctx.actor, id),
    rotateConnectionInboundSecret: (_p, { id }, ctx) => rotateInboundSecret(ctx.deps, ctx.actor, id),
    syncConnection: (_p, { id }, ctx) => requestSync(ctx.deps, ctx.actor, id),
    registerDataSources: (_p, { input }, ctx) => registerDataSources(ctx.deps, ctx.actor, input),
    setDataSourceOwners: (_p, { input }, ctx) => setDataSourceOwners(ctx.deps, ctx.actor, input),
    disableDataSource: (_p, { id }, ctx) => setDataSourceEnabled(ctx.deps, ctx.actor, id, false),
    enableDataSource: (_p, { id }, ctx) => setDataSourceEnabled(ctx.deps, ctx.actor, id, true),
    tagDataSource: (_p, args, ctx) => tagDataSource(ctx.deps, ctx.actor, args, true),
    untagDataSource: (_p, args, ctx) => tagDataSource(ctx.deps, ctx.actor, args, false),
    tagColumn: (_p, args, ctx) => tagColumn(ctx.deps, ctx.actor, args, true),
    untagColumn: (_p, args, ctx) => tagColumn(ctx.deps, ctx.actor, args, false),
  },
  Connection: {
    // A connection can be reached through a data source a plain user asked about: beyond its name
    // and kind, everything is for those who may see the connection itself.
    description: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.description),
    config: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.config),
    hasCredentials: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.credentialsCiphertext !== null),
    syncIntervalMinutes: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.syncIntervalMinutes),
    autoRegister: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.autoRegister),
    nextSyncAt: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.nextSyncAt),
    lastSyncedAt: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.lastSyncedAt),
    dataOwners: (c, _a, ctx) =>
      readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => ctx.loaders.connectionDataOwners.load(c.id)),
    latestSyncRun: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => ctx.loaders.latestSyncRun.load(c.id)),
    syncRuns: (c, { first }, ctx) =>
      readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => listSyncRuns(ctx.deps, ctx.actor, c.id, first ?? 20)),
    inboundWebhookPath: (c, _a, ctx) =>
      readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => `/webhooks/connections/${c.id}/sync`),
    dataSourceCount: (c, _a, ctx) =>
      readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => ctx.loaders.dataSourceCount.load(c.id)),
    createdAt: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.createdAt),
    updatedAt: (c, _a, ctx) => readConnectionInternal(ctx.loaders.connectionVisible, c.id, () => c.updatedAt),
  },
  SyncRun: {
    percent: (r) =>
      r.objectsTotal ? Math.min(100, Math.round((r.objectsSeen / r.objectsTotal) * 1000) / 10) : r.status === "SUCCEEDED" ? 100 : null,
  },
  CatalogNode: {
    hasChildren: (n, _a, ctx) => (n.kind === "OBJECT" ? false : ctx.loaders.hasChildren.load(n.id)),
    dataSource: (n, _a, ctx) => (n.dataSource ? getDataSource(ctx.deps, ctx.actor, n.dataSource.id) : null),
  },
  DataSource: {
    path: async (d, _a, ctx) =>
      (await ctx.deps.db.catalogNode.findUnique({ where: { id: d.catalogNodeId }, select: { path: true } }))?.path ?? d.name.split("."),
    connection: async (d, _a, ctx) => {
      const c = await ctx.loaders.connection.load(d.connectionId);
      if (!c) throw notFound("Connection");
      return c;
    },
    columns: (d, _a, ctx) => ctx.loaders.columns.load(d.id),
    owners: (d, _a, ctx) => ctx.loaders.owners.load(d.id),
    tags: (d, _a, ctx) => ctx.loaders.sourceTags.load(d.id),
  },
  DataSourceColumn: {
    tags: (c, _a, ctx) => ctx.loaders.columnTags.load(c.id),
  },
  Tag: {
    dataSourceCount: (t, _a, ctx) => ctx.loaders.tagSourceCount.load(t.id),
  },
  DataSourceOwner: {
    user: (o, _a, ctx) => (o.userId ? ctx.loaders.user.load(o.userId) : null),
    group: async (o, _a, ctx) => (o.groupId ? ctx.deps.db.group.findUnique({ where: { id: o.groupId } }) : null),
  },
  RegisterResult: {
    registeredCount: (r) => r.registeredIds.length,
    dataSources: (r, _a, ctx) =>
      ctx.deps.db.dataSource.findMany({ where: { id: { in: r.registeredIds.slice(0, 500) } }, orderBy: { name: "asc" } }),
  },
  CatalogNodeConnection: countedConnectionFields,
  DataSourceConnection: countedConnectionFields,
};
