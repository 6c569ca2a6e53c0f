-- CreateEnum
CREATE TYPE "UnmanagedGrantsMode" AS ENUM ('REPORT', 'REVOKE');

-- AlterTable
ALTER TABLE "ConnectionAccessState" ADD COLUMN     "accountProblems" JSONB,
ADD COLUMN     "unmanagedGrants" "UnmanagedGrantsMode" NOT NULL DEFAULT 'REPORT';

-- AlterTable
ALTER TABLE "ReconcileRun" ADD COLUMN     "accountProblems" JSONB;
