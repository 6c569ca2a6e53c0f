-- SCIM 2.0 provisioning (issue #11): IdP ids on users and groups, the IdP userName, API key scopes and the
-- SCIM-path -> Steward-attribute mapping. Additive only.
/*
  Warnings:

  - A unique constraint covering the columns `[scimUserName]` on the table `User` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('GRAPHQL', 'SCIM');

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "scope" "ApiKeyScope" NOT NULL DEFAULT 'GRAPHQL';

-- AlterTable
ALTER TABLE "Group" ADD COLUMN     "externalId" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "externalId" TEXT,
ADD COLUMN     "scimUserName" TEXT;

-- CreateTable
CREATE TABLE "ScimAttributeMapping" (
    "scimPath" TEXT NOT NULL,
    "attributeKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScimAttributeMapping_pkey" PRIMARY KEY ("scimPath")
);

-- CreateIndex
CREATE INDEX "Group_externalId_idx" ON "Group"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "User_scimUserName_key" ON "User"("scimUserName");

-- CreateIndex
CREATE INDEX "User_externalId_idx" ON "User"("externalId");
