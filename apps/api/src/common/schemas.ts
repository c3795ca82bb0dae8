import { z } from 'zod';

/** Free-form JSON object attached by the caller and returned as given. */
export const metadataSchema = z.record(z.string(), z.unknown());

/** An ISO-8601 date-time with an offset (`2026-01-02T03:04:05Z`), as a Date. */
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).transform((v) => new Date(v));
