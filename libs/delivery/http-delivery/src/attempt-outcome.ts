/** What one POST to a receiver came to; `statusCode` and `error` may both be set (answered, then stalled). */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The first 4 KiB of the response body, UTF-8, NUL characters removed (Postgres text refuses them). */
  responseBody: string;
  /** Lower-case names; repeated headers joined with `, `. */
  responseHeaders: Record<string, string>;
}
