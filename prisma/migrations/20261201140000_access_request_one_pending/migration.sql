-- At most one PENDING request per (user, data source): parallel requestAccess calls used to race past
-- the application's check and create duplicates. Partial, so decided requests keep their history.
-- Written by hand (Prisma's schema has no partial indexes without a preview feature).
-- Older duplicates are cancelled first so the index can be built; the newest pending request stays.
UPDATE "AccessRequest" r
SET "status" = 'CANCELLED', "decidedAt" = now(), "decisionReason" = 'duplicate pending request'
WHERE r."status" = 'PENDING'
  AND EXISTS (
    SELECT 1 FROM "AccessRequest" n
    WHERE n."userId" = r."userId" AND n."dataSourceId" = r."dataSourceId" AND n."status" = 'PENDING'
      AND (n."createdAt", n."id") > (r."createdAt", r."id")
  );

CREATE UNIQUE INDEX "AccessRequest_one_pending_per_user_source"
  ON "AccessRequest" ("userId", "dataSourceId") WHERE "status" = 'PENDING';
