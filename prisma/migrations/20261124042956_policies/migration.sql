-- CreateEnum
CREATE TYPE "AccessLevel" AS ENUM ('READ', 'WRITE');

-- CreateEnum
CREATE TYPE "MergeRule" AS ENUM ('ALL', 'ANY');

-- CreateEnum
CREATE TYPE "PolicyChange" AS ENUM ('CREATED', 'UPDATED', 'DELETED');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('PENDING', 'APPROVED', 'DENIED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ReconcileStatus" AS ENUM ('RUNNING', 'APPLIED', 'UNCHANGED', 'FAILED', 'SKIPPED');

-- AlterTable
ALTER TABLE "DataSource" ADD COLUMN     "mergeRule" "MergeRule";

-- CreateTable
CREATE TABLE "SubscriptionPolicy" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "accessType" "AccessLevel" NOT NULL,
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "deletedAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SubscriptionPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicyVersion" (
    "id" UUID NOT NULL,
    "policyId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "change" "PolicyChange" NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "accessType" "AccessLevel" NOT NULL,
    "definition" JSONB NOT NULL,
    "changedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicySettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "defaultMergeRule" "MergeRule" NOT NULL DEFAULT 'ALL',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PolicySettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRequest" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "dataSourceId" UUID NOT NULL,
    "accessType" "AccessLevel" NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "RequestStatus" NOT NULL DEFAULT 'PENDING',
    "decidedById" UUID,
    "decidedAt" TIMESTAMP(3),
    "decisionReason" TEXT,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ManualSubscription" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "dataSourceId" UUID NOT NULL,
    "accessType" "AccessLevel" NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "grantedById" UUID,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ManualSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionAccessState" (
    "connectionId" UUID NOT NULL,
    "desiredVersion" INTEGER NOT NULL DEFAULT 0,
    "appliedVersion" INTEGER NOT NULL DEFAULT 0,
    "lastReconciledAt" TIMESTAMP(3),
    "drift" JSONB,
    "driftCheckedAt" TIMESTAMP(3),
    "enforce" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "ConnectionAccessState_pkey" PRIMARY KEY ("connectionId")
);

-- CreateTable
CREATE TABLE "ReconcileRun" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "desiredVersion" INTEGER NOT NULL,
    "status" "ReconcileStatus" NOT NULL DEFAULT 'RUNNING',
    "statementCount" INTEGER NOT NULL DEFAULT 0,
    "statements" TEXT[],
    "durationMs" INTEGER,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ReconcileRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SubscriptionPolicy_name_key" ON "SubscriptionPolicy"("name");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyVersion_policyId_version_key" ON "PolicyVersion"("policyId", "version");

-- CreateIndex
CREATE INDEX "AccessRequest_dataSourceId_status_idx" ON "AccessRequest"("dataSourceId", "status");

-- CreateIndex
CREATE INDEX "AccessRequest_userId_status_idx" ON "AccessRequest"("userId", "status");

-- CreateIndex
CREATE INDEX "ManualSubscription_dataSourceId_idx" ON "ManualSubscription"("dataSourceId");

-- CreateIndex
CREATE INDEX "ManualSubscription_userId_idx" ON "ManualSubscription"("userId");

-- CreateIndex
CREATE INDEX "ReconcileRun_connectionId_startedAt_idx" ON "ReconcileRun"("connectionId", "startedAt");

-- AddForeignKey
ALTER TABLE "PolicyVersion" ADD CONSTRAINT "PolicyVersion_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "SubscriptionPolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;
