-- Bulk chunks are staged in parts of about 64 KB rather than one row per chunk: multi-megabyte
-- strings and statements would make the API's RSS swing by hundreds of MB during a large upload
-- (see BulkJobChunk in schema.prisma). A row staged before this migration is its chunk's part 0.
ALTER TABLE "bulk_job_chunks" ADD COLUMN "part" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "bulk_job_chunks" ALTER COLUMN "part" DROP DEFAULT;
ALTER TABLE "bulk_job_chunks" DROP CONSTRAINT "bulk_job_chunks_pkey";
ALTER TABLE "bulk_job_chunks" ADD CONSTRAINT "bulk_job_chunks_pkey" PRIMARY KEY ("job_id", "chunk", "part");

-- The feed reads by (tenant_id, xact_id, seq); nothing reads by (tenant_id, seq), and every publish
-- (a bulk chunk: 10,000 rows at once) paid for keeping it.
DROP INDEX "events_tenant_id_seq_idx";
