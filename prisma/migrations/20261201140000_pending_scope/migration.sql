-- CreateTable
CREATE TABLE "ConnectionPendingScope" (
    "id" BIGSERIAL NOT NULL,
    "connectionId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "userIds" UUID[],
    "full" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConnectionPendingScope_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConnectionPendingScope_connectionId_version_idx" ON "ConnectionPendingScope"("connectionId", "version");
