-- The delivery log filters by event type. Reading the type through a join to events made a rare
-- type scan most of a tenant's deliveries, so each delivery carries its event's type. Every insert
-- sets it explicitly (no trigger: publishing would pay one call per row on its hot path).
ALTER TABLE "deliveries" ADD COLUMN "event_type" TEXT;

-- Every delivery has its event (a foreign key, cascading on delete), so the backfill leaves no NULL.
UPDATE "deliveries" d SET "event_type" = e."type" FROM "events" e WHERE e."id" = d."event_id";

ALTER TABLE "deliveries" ALTER COLUMN "event_type" SET NOT NULL;

-- A tenant's deliveries of one type, newest first: the log's type filter reads one index range.
CREATE INDEX "deliveries_tenant_id_event_type_id_idx" ON "deliveries"("tenant_id", "event_type", "id" DESC);

-- A ULID whose time part is `at`: a recovery creates deliveries for old events, and their ids
-- carry the event's time like every other delivery's, so a time window of the log can be read as
-- a range of ids (an id's time and its created_at stay within moments of each other).
CREATE FUNCTION "hookline_ulid_at"("at" timestamptz) RETURNS text LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  alphabet CONSTANT text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  ms bigint := floor(extract(epoch FROM "at") * 1000);
  result text := '';
BEGIN
  FOR i IN REVERSE 9..0 LOOP
    result := result || substr(alphabet, ((ms >> (5 * i)) & 31)::int + 1, 1);
  END LOOP;
  FOR i IN 1..16 LOOP
    result := result || substr(alphabet, floor(random() * 32)::int + 1, 1);
  END LOOP;
  RETURN result;
END
$$;
