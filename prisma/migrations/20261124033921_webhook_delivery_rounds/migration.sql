-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "eventCreatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "round" INTEGER NOT NULL DEFAULT 1;

-- Wake the worker's outbox relay as soon as an event commits (NOTIFY is delivered at commit, and
-- identical notifications in one transaction collapse into one). The relay still polls, so a missed
-- notification only costs latency, never an event.
CREATE FUNCTION steward_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('steward_outbox', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_event_notify AFTER INSERT ON "OutboxEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION steward_outbox_notify();
