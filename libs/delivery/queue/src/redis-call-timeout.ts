/** How long a Redis call may take before a request answers without it. */
export const REDIS_CALL_TIMEOUT_MS = 2_000;
