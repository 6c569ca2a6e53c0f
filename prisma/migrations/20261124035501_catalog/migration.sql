-- CreateEnum
CREATE TYPE "CatalogNodeKind" AS ENUM ('DATABASE', 'SCHEMA', 'OBJECT', 'BUCKET', 'PREFIX');

-- CreateEnum
CREATE TYPE "DataSourceStatus" AS ENUM ('ACTIVE', 'DISABLED');

-- CreateEnum
CREATE TYPE "DisabledReason" AS ENUM ('DROPPED', 'MANUAL', 'CONNECTION_DELETED');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "SyncTrigger" AS ENUM ('MANUAL', 'SCHEDULE', 'WEBHOOK', 'CREATED');

-- CreateEnum
CREATE TYPE "TagSource" AS ENUM ('MANUAL', 'SYNC');

-- CreateTable
CREATE TABLE "Connection" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "PlatformKind" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "config" JSONB NOT NULL,
    "credentialsCiphertext" TEXT,
    "inboundSecretCiphertext" TEXT NOT NULL,
    "syncIntervalMinutes" INTEGER,
    "autoRegister" BOOLEAN NOT NULL DEFAULT false,
    "nextSyncAt" TIMESTAMP(3),
    "lastSyncedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionDataOwner" (
    "connectionId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectionDataOwner_pkey" PRIMARY KEY ("connectionId","userId")
);

-- CreateTable
CREATE TABLE "CatalogNode" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "parentId" UUID,
    "kind" "CatalogNodeKind" NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT[],
    "pathKey" TEXT NOT NULL,
    "objectType" TEXT,
    "columns" JSONB,
    "columnsHash" TEXT,
    "present" BOOLEAN NOT NULL DEFAULT true,
    "autoRegister" BOOLEAN NOT NULL DEFAULT false,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "goneAt" TIMESTAMP(3),

    CONSTRAINT "CatalogNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataSource" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "catalogNodeId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "status" "DataSourceStatus" NOT NULL DEFAULT 'ACTIVE',
    "disabledReason" "DisabledReason",
    "disabledAt" TIMESTAMP(3),
    "registeredById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DataSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataSourceColumn" (
    "id" UUID NOT NULL,
    "dataSourceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "dataType" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "nullable" BOOLEAN NOT NULL,
    "present" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "DataSourceColumn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataSourceOwner" (
    "id" UUID NOT NULL,
    "dataSourceId" UUID NOT NULL,
    "userId" UUID,
    "groupId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataSourceOwner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataSourceTag" (
    "dataSourceId" UUID NOT NULL,
    "tagId" UUID NOT NULL,
    "source" "TagSource" NOT NULL DEFAULT 'MANUAL',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DataSourceTag_pkey" PRIMARY KEY ("dataSourceId","tagId")
);

-- CreateTable
CREATE TABLE "ColumnTag" (
    "columnId" UUID NOT NULL,
    "tagId" UUID NOT NULL,
    "source" "TagSource" NOT NULL DEFAULT 'MANUAL',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ColumnTag_pkey" PRIMARY KEY ("columnId","tagId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "trigger" "SyncTrigger" NOT NULL,
    "status" "SyncStatus" NOT NULL DEFAULT 'QUEUED',
    "objectsSeen" INTEGER NOT NULL DEFAULT 0,
    "objectsTotal" INTEGER,
    "added" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "disabled" INTEGER NOT NULL DEFAULT 0,
    "reenabled" INTEGER NOT NULL DEFAULT 0,
    "registered" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "requestedById" UUID,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Connection_name_key" ON "Connection"("name");

-- CreateIndex
CREATE INDEX "Connection_nextSyncAt_idx" ON "Connection"("nextSyncAt");

-- CreateIndex
CREATE INDEX "ConnectionDataOwner_userId_idx" ON "ConnectionDataOwner"("userId");

-- CreateIndex
CREATE INDEX "CatalogNode_connectionId_parentId_name_idx" ON "CatalogNode"("connectionId", "parentId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogNode_connectionId_pathKey_key" ON "CatalogNode"("connectionId", "pathKey");

-- CreateIndex
CREATE UNIQUE INDEX "DataSource_catalogNodeId_key" ON "DataSource"("catalogNodeId");

-- CreateIndex
CREATE INDEX "DataSource_connectionId_name_idx" ON "DataSource"("connectionId", "name");

-- CreateIndex
CREATE INDEX "DataSource_name_idx" ON "DataSource"("name");

-- CreateIndex
CREATE INDEX "DataSource_status_idx" ON "DataSource"("status");

-- CreateIndex
CREATE UNIQUE INDEX "DataSourceColumn_dataSourceId_name_key" ON "DataSourceColumn"("dataSourceId", "name");

-- CreateIndex
CREATE INDEX "DataSourceOwner_userId_idx" ON "DataSourceOwner"("userId");

-- CreateIndex
CREATE INDEX "DataSourceOwner_groupId_idx" ON "DataSourceOwner"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "DataSourceOwner_dataSourceId_userId_key" ON "DataSourceOwner"("dataSourceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "DataSourceOwner_dataSourceId_groupId_key" ON "DataSourceOwner"("dataSourceId", "groupId");

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");

-- CreateIndex
CREATE INDEX "DataSourceTag_tagId_idx" ON "DataSourceTag"("tagId");

-- CreateIndex
CREATE INDEX "ColumnTag_tagId_idx" ON "ColumnTag"("tagId");

-- CreateIndex
CREATE INDEX "SyncRun_connectionId_requestedAt_idx" ON "SyncRun"("connectionId", "requestedAt");

-- CreateIndex
CREATE INDEX "SyncRun_status_idx" ON "SyncRun"("status");

-- AddForeignKey
ALTER TABLE "ConnectionDataOwner" ADD CONSTRAINT "ConnectionDataOwner_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionDataOwner" ADD CONSTRAINT "ConnectionDataOwner_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogNode" ADD CONSTRAINT "CatalogNode_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogNode" ADD CONSTRAINT "CatalogNode_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "CatalogNode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSource" ADD CONSTRAINT "DataSource_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSource" ADD CONSTRAINT "DataSource_catalogNodeId_fkey" FOREIGN KEY ("catalogNodeId") REFERENCES "CatalogNode"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceColumn" ADD CONSTRAINT "DataSourceColumn_dataSourceId_fkey" FOREIGN KEY ("dataSourceId") REFERENCES "DataSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceOwner" ADD CONSTRAINT "DataSourceOwner_dataSourceId_fkey" FOREIGN KEY ("dataSourceId") REFERENCES "DataSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceOwner" ADD CONSTRAINT "DataSourceOwner_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceOwner" ADD CONSTRAINT "DataSourceOwner_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceTag" ADD CONSTRAINT "DataSourceTag_dataSourceId_fkey" FOREIGN KEY ("dataSourceId") REFERENCES "DataSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSourceTag" ADD CONSTRAINT "DataSourceTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ColumnTag" ADD CONSTRAINT "ColumnTag_columnId_fkey" FOREIGN KEY ("columnId") REFERENCES "DataSourceColumn"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ColumnTag" ADD CONSTRAINT "ColumnTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
