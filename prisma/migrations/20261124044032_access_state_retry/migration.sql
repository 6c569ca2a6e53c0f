-- AlterTable
ALTER TABLE "ConnectionAccessState" ADD COLUMN     "failureStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ADD COLUMN     "nextExpiryAt" TIMESTAMP(3);
