-- AlterTable
ALTER TABLE "Connection" ADD COLUMN     "decisionTokenHash" TEXT,
ADD COLUMN     "decisionTokenIssuedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "DecisionSnapshot" (
    "connectionId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecisionSnapshot_pkey" PRIMARY KEY ("connectionId")
);

-- CreateTable
CREATE TABLE "DecisionRecord" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connectionId" UUID NOT NULL,
    "snapshotVersion" INTEGER NOT NULL,
    "user" TEXT NOT NULL,
    "userId" UUID,
    "operation" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,
    "policyIds" TEXT[],
    "queryId" TEXT,

    CONSTRAINT "DecisionRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DecisionRecord_connectionId_at_idx" ON "DecisionRecord"("connectionId", "at");

-- CreateIndex
CREATE INDEX "DecisionRecord_user_at_idx" ON "DecisionRecord"("user", "at");

-- CreateIndex
CREATE INDEX "DecisionRecord_at_idx" ON "DecisionRecord"("at");

-- AddForeignKey
ALTER TABLE "DecisionSnapshot" ADD CONSTRAINT "DecisionSnapshot_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
