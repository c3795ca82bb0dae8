-- A worker claims a delivery just before sending it (the claim also checks that it is still pending
-- or failed, so a cancelled or succeeded delivery is never sent by a late or duplicate job). While
-- the claim lasts, no other job sends the delivery and disabling its subscription leaves it to
-- finish; the attempt's record clears it. A worker that dies mid-attempt leaves it to expire.
ALTER TABLE "deliveries" ADD COLUMN "in_flight_until" TIMESTAMPTZ(3);

-- Unexpected worker failures on this delivery in a row (not the endpoint's answer): retried with
-- backoff, and the delivery is dead at a bound instead of failing forever. Reset by a recorded
-- attempt and by a replay.
ALTER TABLE "deliveries" ADD COLUMN "internal_failures" INTEGER NOT NULL DEFAULT 0;
