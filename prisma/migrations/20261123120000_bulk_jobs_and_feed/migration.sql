-- Bulk ingestion (SPEC section 7) and the polling feed (SPEC section 3, Feed).

-- The polling feed. `seq` alone cannot be a safe cursor: a transaction that took seq 10 may commit
-- after one that took seq 11, so a reader that saw 11 and moved its cursor past it would skip 10
-- forever. Every event therefore records the id of the transaction that inserted it; the feed
-- orders by (xact_id, seq) and only returns events whose transaction is older than the oldest one
-- still running (pg_snapshot_xmin), so nothing can ever appear behind a cursor. The function wraps
-- the xid8 -> bigint conversion, which has no direct cast. See libs/feed/src/feed.repository.ts.
CREATE FUNCTION "hookline_xact_id"() RETURNS bigint LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT pg_current_xact_id()::text::bigint
$$;

ALTER TABLE "events" ADD COLUMN "xact_id" BIGINT NOT NULL DEFAULT hookline_xact_id();

CREATE INDEX "events_tenant_id_xact_id_seq_idx" ON "events"("tenant_id", "xact_id", "seq");

-- Long polls wake on this: one notification per inserting statement and tenant (a statement-level
-- trigger, so a bulk chunk of 10,000 events sends one, not 10,000). Delivered at commit, never for
-- a rolled-back insert.
CREATE FUNCTION "hookline_notify_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hookline_events', tenant_id) FROM (SELECT DISTINCT tenant_id FROM inserted) AS t;
  RETURN NULL;
END
$$;

CREATE TRIGGER "events_notify_feed" AFTER INSERT ON "events"
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION "hookline_notify_events"();

-- Bulk jobs: the upload is staged in chunks; the job completes when the last chunk is processed.
ALTER TABLE "bulk_jobs" ADD COLUMN "chunk_count" INTEGER,
  ADD COLUMN "chunks_done" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "chunks_failed" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "bulk_job_chunks" (
    "job_id" TEXT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "lines" INTEGER[],
    "rows" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bulk_job_chunks_pkey" PRIMARY KEY ("job_id","chunk")
);

-- AddForeignKey
ALTER TABLE "bulk_job_chunks" ADD CONSTRAINT "bulk_job_chunks_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "bulk_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
