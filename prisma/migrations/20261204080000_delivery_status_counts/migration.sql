-- Deliveries by tenant and status without counting the deliveries table: every statement that
-- inserts, updates or deletes deliveries appends its net change per (tenant, status) to
-- delivery_status_deltas (statement-level triggers with transition tables: one insert per
-- statement, and none for an update that changes no status). Appending never waits on another
-- transaction's row lock, unlike updating shared counter rows. The worker folds the deltas into
-- delivery_status_counts under an advisory lock; readers add both, in one snapshot, so counts are
-- exact at every moment. The triggers sit on the parent table, so they also hold once it is
-- partitioned (rows written through it, moved between partitions or deleted are all seen); a
-- partition dropped or detached must have its rows subtracted first.
CREATE TABLE "delivery_status_counts" (
    "tenant_id" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "delivery_status_counts_pkey" PRIMARY KEY ("tenant_id", "status")
);

CREATE TABLE "delivery_status_deltas" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "delivery_status_deltas_pkey" PRIMARY KEY ("id")
);

CREATE FUNCTION "hookline_count_delivery_statuses"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "delivery_status_deltas" ("tenant_id", "status", "delta")
    SELECT "tenant_id", "status", count(*) FROM new_rows GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "delivery_status_deltas" ("tenant_id", "status", "delta")
    SELECT "tenant_id", "status", -count(*) FROM old_rows GROUP BY 1, 2;
  ELSE
    INSERT INTO "delivery_status_deltas" ("tenant_id", "status", "delta")
    SELECT "tenant_id", "status", sum(d) FROM (
      SELECT "tenant_id", "status", 1 AS d FROM new_rows
      UNION ALL
      SELECT "tenant_id", "status", -1 AS d FROM old_rows
    ) AS changes GROUP BY 1, 2 HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION "hookline_reset_delivery_status_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "delivery_status_deltas";
  DELETE FROM "delivery_status_counts";
  RETURN NULL;
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

-- The deliveries already there, counted once. The triggers' lock on the table keeps writers out
-- until this commits, so nothing is counted twice or missed.
INSERT INTO "delivery_status_counts" ("tenant_id", "status", "n")
SELECT "tenant_id", "status", count(*) FROM "deliveries" GROUP BY 1, 2;
