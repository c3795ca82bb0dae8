-- Operators (SPEC 3, 5): bulk replays in batches, and dead letters across tenants.

-- The replay that last queued a delivery, so a replay's progress (`completed`) is a count of its
-- deliveries in a final state. Null for the great majority of deliveries.
ALTER TABLE "deliveries" ADD COLUMN "replay_id" TEXT;

-- Where a running replay has got to (phase and keyset position), committed with each batch so a
-- replay taken over after a worker crash resumes instead of starting again.
ALTER TABLE "replays" ADD COLUMN "progress" JSONB;
-- Deliveries of this replay that a later replay queued again: their cycle under this one ended.
ALTER TABLE "replays" ADD COLUMN "superseded" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "deliveries_replay_id_status_idx" ON "deliveries"("replay_id", "status");

-- Dead letters across tenants, newest first, and counts by status.
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id" DESC);

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_replay_id_fkey" FOREIGN KEY ("replay_id") REFERENCES "replays"("id") ON DELETE SET NULL ON UPDATE CASCADE;
