-- Every worker process writes the rollup rows of its own shard, so workers recording attempts of
-- one busy subscription in the same minute do not queue on one row lock. Readers sum the shards.
ALTER TABLE "delivery_stats_minutes" ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "delivery_stats_minutes" DROP CONSTRAINT "delivery_stats_minutes_pkey";
ALTER TABLE "delivery_stats_minutes" ADD CONSTRAINT "delivery_stats_minutes_pkey" PRIMARY KEY ("tenant_id", "subscription_id", "minute", "shard");
