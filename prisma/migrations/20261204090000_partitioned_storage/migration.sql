-- Events, deliveries and attempts become tables range-partitioned by id, one partition per UTC day,
-- so retention drops whole days instead of deleting rows (docs/decisions/partitioned-storage.md).
-- Ids are ULIDs behind a kind prefix (`evt_`, `dlv_`, `att_`): they sort by creation time, so a day
-- is one id range and the primary key on id stays a valid unique constraint of the partitioned table.
--
-- The existing rows are kept where they are: each old table is renamed to `<table>_legacy` and
-- attached, as it is, as the partition of every id below tomorrow's. Attaching reads the table once
-- to check its ids fit that range, and its indexes and foreign keys are adopted by the new parent's
-- instead of being built again. Days from tomorrow on get partitions of their own.

-- The lowest id of a kind made at `at`: a partition bound. Mirrors idFloorAt() in libs/ids.
CREATE FUNCTION "hookline_id_floor"("prefix" text, "at" timestamptz) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  alphabet CONSTANT text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  ms bigint := floor(extract(epoch FROM "at") * 1000);
  result text := "prefix" || '_';
BEGIN
  FOR i IN REVERSE 9..0 LOOP
    result := result || substr(alphabet, ((ms >> (5 * i)) & 31)::int + 1, 1);
  END LOOP;
  RETURN result || '0000000000000000';
END
$$;

-- Dropping a day of events must not have to find (or cascade to) the deliveries that point at it,
-- nor a day of deliveries the attempts made on later days: these two foreign keys go. Each table
-- ages out by its own ids; readers reach attempts through their delivery, and deliveries through
-- their tenant, so a row whose parent has gone is never shown.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_event_id_fkey";
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_delivery_id_fkey";

-- A unique index of a partitioned table must contain the partition key, so `seq` is no longer
-- unique by index; its sequence alone hands out every value once. Nothing looks an event up by seq.
DROP INDEX "events_seq_key";

-- A partition may not carry a trigger with a transition table: the feed's trigger and the delivery
-- status counters' triggers move to the parents (the counters' after the rows are in place, so the
-- rows moved below from a legacy table into their day are not counted a second time).
DROP TRIGGER "events_notify_feed" ON "events";
DROP TRIGGER "deliveries_count_inserts" ON "deliveries";
DROP TRIGGER "deliveries_count_updates" ON "deliveries";
DROP TRIGGER "deliveries_count_deletes" ON "deliveries";
DROP TRIGGER "deliveries_count_truncate" ON "deliveries";

-- The old tables and their index names (schema-wide in Postgres) step aside for the parents.
ALTER TABLE "events" RENAME TO "events_legacy";
ALTER INDEX "events_pkey" RENAME TO "events_legacy_pkey";
ALTER INDEX "events_created_at_idx" RENAME TO "events_legacy_created_at_idx";
ALTER INDEX "events_tenant_id_id_idx" RENAME TO "events_legacy_tenant_id_id_idx";
ALTER INDEX "events_tenant_id_type_id_idx" RENAME TO "events_legacy_tenant_id_type_id_idx";
ALTER INDEX "events_tenant_id_xact_id_seq_idx" RENAME TO "events_legacy_tenant_id_xact_id_seq_idx";
ALTER TABLE "events_legacy" RENAME CONSTRAINT "events_tenant_id_fkey" TO "events_legacy_tenant_id_fkey";

ALTER TABLE "deliveries" RENAME TO "deliveries_legacy";
ALTER INDEX "deliveries_pkey" RENAME TO "deliveries_legacy_pkey";
ALTER INDEX "deliveries_created_at_idx" RENAME TO "deliveries_legacy_created_at_idx";
ALTER INDEX "deliveries_event_id_idx" RENAME TO "deliveries_legacy_event_id_idx";
ALTER INDEX "deliveries_replay_id_status_idx" RENAME TO "deliveries_legacy_replay_id_status_idx";
ALTER INDEX "deliveries_status_id_idx" RENAME TO "deliveries_legacy_status_id_idx";
ALTER INDEX "deliveries_status_next_attempt_at_idx" RENAME TO "deliveries_legacy_status_next_attempt_at_idx";
ALTER INDEX "deliveries_subscription_id_id_idx" RENAME TO "deliveries_legacy_subscription_id_id_idx";
ALTER INDEX "deliveries_tenant_id_event_type_id_idx" RENAME TO "deliveries_legacy_tenant_id_event_type_id_idx";
ALTER INDEX "deliveries_tenant_id_id_idx" RENAME TO "deliveries_legacy_tenant_id_id_idx";
ALTER INDEX "deliveries_tenant_id_status_id_idx" RENAME TO "deliveries_legacy_tenant_id_status_id_idx";
ALTER TABLE "deliveries_legacy" RENAME CONSTRAINT "deliveries_replay_id_fkey" TO "deliveries_legacy_replay_id_fkey";
ALTER TABLE "deliveries_legacy" RENAME CONSTRAINT "deliveries_subscription_id_fkey" TO "deliveries_legacy_subscription_id_fkey";
ALTER TABLE "deliveries_legacy" RENAME CONSTRAINT "deliveries_tenant_id_fkey" TO "deliveries_legacy_tenant_id_fkey";

ALTER TABLE "attempts" RENAME TO "attempts_legacy";
ALTER INDEX "attempts_pkey" RENAME TO "attempts_legacy_pkey";
ALTER INDEX "attempts_delivery_id_number_idx" RENAME TO "attempts_legacy_delivery_id_number_idx";
ALTER INDEX "attempts_started_at_idx" RENAME TO "attempts_legacy_started_at_idx";

-- The parents: same columns, order and defaults as the old tables.
CREATE TABLE "events" (LIKE "events_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("id");
CREATE TABLE "deliveries" (LIKE "deliveries_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("id");
CREATE TABLE "attempts" (LIKE "attempts_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("id");

-- The sequence belongs to the parent now, so dropping the legacy partition one day leaves it in place.
ALTER SEQUENCE "events_seq_seq" OWNED BY "events"."seq";

ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY ("id");
CREATE INDEX "events_created_at_idx" ON "events"("created_at");
CREATE INDEX "events_tenant_id_id_idx" ON "events"("tenant_id", "id" DESC);
CREATE INDEX "events_tenant_id_type_id_idx" ON "events"("tenant_id", "type", "id" DESC);
CREATE INDEX "events_tenant_id_xact_id_seq_idx" ON "events"("tenant_id", "xact_id", "seq");
ALTER TABLE "events" ADD CONSTRAINT "events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id");
CREATE INDEX "deliveries_created_at_idx" ON "deliveries"("created_at");
CREATE INDEX "deliveries_event_id_idx" ON "deliveries"("event_id");
CREATE INDEX "deliveries_replay_id_status_idx" ON "deliveries"("replay_id", "status");
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id" DESC);
CREATE INDEX "deliveries_status_next_attempt_at_idx" ON "deliveries"("status", "next_attempt_at");
CREATE INDEX "deliveries_subscription_id_id_idx" ON "deliveries"("subscription_id", "id" DESC);
CREATE INDEX "deliveries_tenant_id_event_type_id_idx" ON "deliveries"("tenant_id", "event_type", "id" DESC);
CREATE INDEX "deliveries_tenant_id_id_idx" ON "deliveries"("tenant_id", "id" DESC);
CREATE INDEX "deliveries_tenant_id_status_id_idx" ON "deliveries"("tenant_id", "status", "id" DESC);
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_replay_id_fkey" FOREIGN KEY ("replay_id") REFERENCES "replays"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "attempts" ADD CONSTRAINT "attempts_pkey" PRIMARY KEY ("id");
CREATE INDEX "attempts_delivery_id_number_idx" ON "attempts"("delivery_id", "number");
CREATE INDEX "attempts_started_at_idx" ON "attempts"("started_at");

CREATE TRIGGER "events_notify_feed" AFTER INSERT ON "events"
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_notify_events"();

-- Tomorrow and the 7 days after it get partitions now (the worker keeps 7 days ahead from then on,
-- see apps/worker/src/maintenance/partitions), so an API started without a worker has a week of room.
-- A row of the old tables whose id is from tomorrow on (a clock that ran ahead) is moved into its
-- day through the parent; the rest become the legacy partition, [MINVALUE, tomorrow).
DO $$
DECLARE
  t record;
  tomorrow timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
  day timestamptz;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('events', 'evt'), ('deliveries', 'dlv'), ('attempts', 'att')) AS v(name, prefix) LOOP
    FOR d IN 0..7 LOOP
      day := tomorrow + d * interval '1 day';
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t.name || '_p' || to_char(day AT TIME ZONE 'UTC', 'YYYYMMDD'), t.name,
        hookline_id_floor(t.prefix, day), hookline_id_floor(t.prefix, day + interval '1 day'));
    END LOOP;
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE id >= %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
      t.name || '_legacy', hookline_id_floor(t.prefix, tomorrow), t.name);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)',
      t.name, t.name || '_legacy', hookline_id_floor(t.prefix, tomorrow));
  END LOOP;
END
$$;

CREATE TRIGGER "deliveries_count_inserts" AFTER INSERT ON "deliveries"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_count_delivery_statuses"();
CREATE TRIGGER "deliveries_count_updates" AFTER UPDATE ON "deliveries"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_count_delivery_statuses"();
CREATE TRIGGER "deliveries_count_deletes" AFTER DELETE ON "deliveries"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_count_delivery_statuses"();
CREATE TRIGGER "deliveries_count_truncate" AFTER TRUNCATE ON "deliveries"
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_reset_delivery_status_counts"();
