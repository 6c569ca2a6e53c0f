-- CreateTable
CREATE TABLE "PlatformGrantRecord" (
    "connectionId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlatformGrantRecord_pkey" PRIMARY KEY ("connectionId","key")
);

-- AddForeignKey
ALTER TABLE "PlatformGrantRecord" ADD CONSTRAINT "PlatformGrantRecord_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "Connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
