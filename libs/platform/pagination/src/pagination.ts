import { z } from 'zod';
import type { IdPrefix } from '@hookline/ids';
import { isId } from '@hookline/ids';

const limit = z.coerce.number().int('must be a whole number').min(1, 'must be 1..100').max(100, 'must be 1..100').default(20);

/**
 * `?cursor=` must be one this list gave out: a garbage cursor is a 400 naming it, never a silently
 * different page. (`malformed` tells the validation pipe to answer 400 rather than 422.)
 */
export function cursorParam(isCursor: (text: string) => boolean) {
  return z
    .string()
    .refine(isCursor, { message: 'is not a cursor this list gave out (use nextCursor from the previous page)', params: { malformed: true } })
    .meta({ description: "The previous page's nextCursor; any other value is a 400" })
    .optional();
}

/** `?limit=&cursor=` for a list whose cursor is the id of its last row (`ten_…` for tenants). */
export function pageQueryShapeOf(prefix: IdPrefix) {
  return { limit, cursor: cursorParam((text) => isId(text, prefix)) };
}

/** `?limit=&cursor=` for a list paged by some other key (e.g. event type names). */
export function pageQueryShapeWith(isCursor: (text: string) => boolean) {
  return { limit, cursor: cursorParam(isCursor) };
}

/** A list paged by Hookline ids of any kind; prefer pageQueryShapeOf, which also checks the kind. */
export const pageQueryShape = pageQueryShapeWith((text) => isId(text));

export const PageQuerySchema = z.object(pageQueryShape).strict();

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Turns `limit + 1` rows fetched newest first into a page. The cursor is the id of the last row
 * shown; the next page asks for ids below it, so every row appears exactly once even while new
 * rows arrive.
 */
export function toPage<T extends { id: string }, V = T>(rows: T[], limit: number, view?: (row: T) => V): Page<V> {
  const shown = rows.slice(0, limit);
  const map = view ?? ((row: T) => row as unknown as V);
  return { data: shown.map(map), nextCursor: rows.length > limit ? shown[shown.length - 1].id : null };
}
