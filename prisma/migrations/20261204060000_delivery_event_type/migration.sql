-- The delivery log filters by event type. Reading the type through a join to events made a rare
-- type scan most of a tenant's deliveries, so each delivery carries its event's type. Every insert
-- sets it explicitly (no trigger: publishing would pay one call per row on its hot path).
ALTER TABLE "deliveries" ADD COLUMN "event_type" TEXT;

-- Every delivery has its event (a foreign key, cascading on delete), so the backfill leaves no NULL.
UPDATE "deliveries" d SET "event_type" = e."type" FROM "events" e WHERE e."id" = d."event_id";

ALTER TABLE "deliveries" ALTER COLUMN "event_type" SET NOT NULL;

-- A tenant's deliveries of one type, newest first: the log's type filter reads one index range.
CREATE INDEX "deliveries_tenant_id_event_type_id_idx" ON "deliveries"("tenant_id", "event_type", "id" DESC);

-- A time window of the log (`since`, `until` on created_at) reads this range, then orders the
-- window's rows by id, instead of walking the tenant's newer deliveries down to the window.
CREATE INDEX "deliveries_tenant_id_created_at_idx" ON "deliveries"("tenant_id", "created_at");
