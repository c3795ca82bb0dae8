-- Fewer index entries per delivery. An insert writes one entry in every index of deliveries, and an
-- update that changes an indexed column (each attempt's record changes the status) writes one more
-- in each. Three indexes serve only deliveries that are still open (the sweeper's walk and the
-- oldest-due age), dead (the operators' dead letters across tenants) or queued by a replay; as
-- partial indexes they hold only those rows, so recording a success writes no entry in them and a
-- delivery without a replay never enters the replay index. The created_at index of deliveries and the
-- started_at index of attempts go: time windows are id ranges (ids are time-ordered), and
-- retention drops whole partitions instead of deleting rows by age.
-- On a partitioned table these statements act on every partition; on a large database they hold
-- the deliveries table while the new indexes build.
DROP INDEX "attempts_started_at_idx";

DROP INDEX "deliveries_created_at_idx";

DROP INDEX "deliveries_status_next_attempt_at_idx";
CREATE INDEX "deliveries_status_next_attempt_at_idx" ON "deliveries"("status", "next_attempt_at") WHERE status IN ('pending', 'failed');

DROP INDEX "deliveries_status_id_idx";
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id" DESC) WHERE status IN ('pending', 'failed', 'dead');

DROP INDEX "deliveries_replay_id_status_idx";
CREATE INDEX "deliveries_replay_id_status_idx" ON "deliveries"("replay_id", "status") WHERE replay_id IS NOT NULL;
