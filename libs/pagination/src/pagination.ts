import { z } from 'zod';

export const pageQueryShape = {
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be 1..100').max(100, 'must be 1..100').default(20),
  cursor: z.string().min(1).max(200).optional(),
};

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
