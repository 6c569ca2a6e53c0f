-- AlterTable
ALTER TABLE "ConnectionAccessState" ADD COLUMN     "lastErrorClass" TEXT;

-- AlterTable
ALTER TABLE "ReconcileRun" ADD COLUMN     "errorClass" TEXT;
