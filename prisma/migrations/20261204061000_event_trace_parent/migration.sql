-- The W3C traceparent of the publish that created the event (NULL when tracing was off and the
-- producer sent none): deliveries queued again from Postgres (sweeper, replays) join its trace.
ALTER TABLE "events" ADD COLUMN "trace_parent" TEXT;
