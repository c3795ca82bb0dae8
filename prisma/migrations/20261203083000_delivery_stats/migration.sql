-- Delivery outcomes per subscription and minute, kept by the worker in the statement that records
-- each batch of attempts, so charts read a few rows per minute instead of scanning deliveries.
-- `latency_counts` is a histogram of attempt durations over fixed buckets (their bounds live in
-- libs/delivery-stats); percentiles are computed from it when reading.
CREATE TABLE "delivery_stats_minutes" (
    "tenant_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "dead" INTEGER NOT NULL DEFAULT 0,
    "latency_counts" INTEGER[],

    CONSTRAINT "delivery_stats_minutes_pkey" PRIMARY KEY ("tenant_id","subscription_id","minute")
);

-- CreateIndex
CREATE INDEX "delivery_stats_minutes_tenant_id_minute_idx" ON "delivery_stats_minutes"("tenant_id", "minute");

-- CreateIndex
CREATE INDEX "delivery_stats_minutes_minute_idx" ON "delivery_stats_minutes"("minute");

-- The request headers as sent on each attempt (signatures included; never a secret).
ALTER TABLE "attempts" ADD COLUMN "request_headers" JSONB;

-- Histogram arithmetic. Counting attempts into buckets: plpgsql updates the array in place, which
-- keeps a batch of a thousand attempts cheap on the worker's hot path.
CREATE FUNCTION "hookline_count_into"(counts integer[], bucket integer, width integer) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF counts IS NULL THEN
    counts := array_fill(0, ARRAY[width]);
  END IF;
  counts[bucket + 1] := counts[bucket + 1] + 1;
  RETURN counts;
END
$$;

CREATE AGGREGATE "hookline_latency_histogram"(integer, integer) (SFUNC = "hookline_count_into", STYPE = integer[]);

-- Element-wise sum of two histograms (a shorter one counts as zeros), and its aggregate.
CREATE FUNCTION "hookline_add_counts"(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN a IS NULL THEN b
    WHEN b IS NULL THEN a
    ELSE ARRAY(SELECT COALESCE(x, 0) + COALESCE(y, 0) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i) ORDER BY i)
  END
$$;

CREATE AGGREGATE "hookline_sum_counts"(integer[]) (SFUNC = "hookline_add_counts", STYPE = integer[]);
