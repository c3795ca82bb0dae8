-- Deliveries counted by partition as well as in total, so that retention subtracts a dropped
-- partition from the status counters by reading its counts (one row per tenant and status) instead
-- of counting its rows (a day at 2,000 deliveries/s is 172.8 million of them).
--
-- delivery_partitions names each partition of deliveries with the lowest id it holds ('' for the
-- legacy partition, whose range starts at MINVALUE); the worker adds a row in the transaction that
-- attaches a partition and removes it in the one that drops it. The counting triggers look each
-- row's partition up there (the last one starting at or below its id) and append their deltas per
-- partition; the fold adds them to delivery_status_counts, as before, and to
-- delivery_partition_counts. Reads still add delivery_status_counts and the deltas.
--
-- The partitions that hold rows now are listed as not counted: their rows are not counted here (on
-- a large database that would hold writers off for as long as it reads every delivery), so when one
-- of them drops, its rows are counted then, once, as before. Empty ones (the days made ahead), and
-- partitions made from now on, are counted from their first row and drop by their counts.

-- Writers wait until this commits (readers do not), so that no delta is appended without its
-- partition. Nothing here reads deliveries: the wait is the few statements below.
LOCK TABLE "deliveries" IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE "delivery_partitions" (
    "name" TEXT NOT NULL,
    "from_id" TEXT NOT NULL,
    "counted" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "delivery_partitions_pkey" PRIMARY KEY ("name")
);
CREATE UNIQUE INDEX "delivery_partitions_from_id_key" ON "delivery_partitions"("from_id");

CREATE TABLE "delivery_partition_counts" (
    "partition" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "delivery_partition_counts_pkey" PRIMARY KEY ("partition", "tenant_id", "status")
);

INSERT INTO "delivery_partitions" ("name", "from_id", "counted")
SELECT c.relname, coalesce(substring(pg_get_expr(c.relpartbound, c.oid) FROM $re$^FOR VALUES FROM \('([^']*)'\)$re$), ''), false
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = '"deliveries"'::regclass;

DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT "name" FROM "delivery_partitions" LOOP
    EXECUTE format('UPDATE "delivery_partitions" SET "counted" = NOT EXISTS (SELECT 1 FROM %I) WHERE "name" = %L', p."name", p."name");
  END LOOP;
END
$$;

-- The deltas not yet folded go into the counts now: from here on every delta names its partition.
INSERT INTO "delivery_status_counts" AS c ("tenant_id", "status", "n")
SELECT "tenant_id", "status", sum("delta") FROM "delivery_status_deltas" GROUP BY 1, 2
ON CONFLICT ("tenant_id", "status") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
DELETE FROM "delivery_status_deltas";
DELETE FROM "delivery_status_counts" WHERE "n" = 0;
ALTER TABLE "delivery_status_deltas" ADD COLUMN "partition" TEXT NOT NULL;

-- A row whose partition is not listed (one attached by hand) fails its statement on the NOT NULL
-- of the deltas' partition, rather than leaving the counters wrong after that partition drops.
CREATE OR REPLACE FUNCTION "hookline_count_delivery_statuses"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "delivery_status_deltas" ("partition", "tenant_id", "status", "delta")
    SELECT p."name", r."tenant_id", r."status", count(*) FROM new_rows r
      LEFT JOIN LATERAL (SELECT "name" FROM "delivery_partitions" WHERE "from_id" <= r."id" ORDER BY "from_id" DESC LIMIT 1) p ON true
     GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "delivery_status_deltas" ("partition", "tenant_id", "status", "delta")
    SELECT p."name", r."tenant_id", r."status", -count(*) FROM old_rows r
      LEFT JOIN LATERAL (SELECT "name" FROM "delivery_partitions" WHERE "from_id" <= r."id" ORDER BY "from_id" DESC LIMIT 1) p ON true
     GROUP BY 1, 2, 3;
  ELSE
    -- Only the rows whose status changed are looked up: most updates (a claim) change none.
    WITH changed AS (
      SELECT p."name", n."tenant_id" AS new_tenant, n."status" AS new_status, o."tenant_id" AS old_tenant, o."status" AS old_status
        FROM new_rows n JOIN old_rows o USING ("id")
        LEFT JOIN LATERAL (SELECT "name" FROM "delivery_partitions" WHERE "from_id" <= n."id" ORDER BY "from_id" DESC LIMIT 1) p ON true
       WHERE (n."status", n."tenant_id") <> (o."status", o."tenant_id")
    )
    INSERT INTO "delivery_status_deltas" ("partition", "tenant_id", "status", "delta")
    SELECT "name", "tenant_id", "status", sum(d) FROM (
      SELECT "name", new_tenant AS "tenant_id", new_status AS "status", 1 AS d FROM changed
      UNION ALL
      SELECT "name", old_tenant, old_status, -1 FROM changed
    ) AS changes GROUP BY 1, 2, 3 HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "hookline_reset_delivery_status_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "delivery_status_deltas";
  DELETE FROM "delivery_status_counts";
  DELETE FROM "delivery_partition_counts";
  RETURN NULL;
END
$$;
