-- The worker's retention purge finds finished bulk jobs and replays by when they finished, and
-- signing secrets whose rotation grace ended, in small batches: each batch must be an index range
-- scan, not a scan of the whole table.
CREATE INDEX "bulk_jobs_completed_at_idx" ON "bulk_jobs"("completed_at");

CREATE INDEX "replays_completed_at_idx" ON "replays"("completed_at");

CREATE INDEX "subscription_secrets_expires_at_idx" ON "subscription_secrets"("expires_at");
