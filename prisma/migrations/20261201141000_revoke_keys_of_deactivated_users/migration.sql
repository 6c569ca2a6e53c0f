-- Deactivation now revokes a user's API keys, so reactivation cannot bring them back. Keys of users who
-- are deactivated today were only refused while inactive: revoke them too.
UPDATE "ApiKey" k
SET "revokedAt" = COALESCE(u."deactivatedAt", now())
FROM "User" u
WHERE k."ownerId" = u."id" AND u."status" = 'DEACTIVATED' AND k."revokedAt" IS NULL;
