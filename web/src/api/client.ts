import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi';
import type { Problem } from './models';

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }

  get status(): number {
    return this.problem.status;
  }

  /** The message for one field of a 400/422, if the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`))?.message;
  }
}

type Result = { data?: unknown; error?: unknown; response: Response };

/**
 * One API connection for one bearer credential (a portal token, or the operator's admin key).
 * `onUnauthorized` runs on any 401: the credential expired or was revoked.
 */
export function createApi(token: string, onUnauthorized: () => void) {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });

  async function unwrap<T>(pending: Promise<Result>): Promise<T> {
    let result: Result;
    try {
      result = await pending;
    } catch {
      throw new ApiError({ status: 0, title: 'Network error', detail: 'Could not reach the server. Check your connection and try again.' });
    }
    const { response } = result;
    if (response.ok) return result.data as T;
    if (response.status === 401) onUnauthorized();
    const body = (result.error ?? {}) as Partial<Problem>;
    throw new ApiError({ ...body, status: response.status, detail: body.detail ?? response.statusText });
  }

  /** For routes the generated types do not know yet: same auth, same errors. */
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const pending = fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (response) => {
      const text = await response.text();
      const parsed = text ? safeJson(text) : undefined;
      return response.ok ? { data: parsed, response } : { error: parsed, response };
    });
    return unwrap<T>(pending);
  }

  return { client, unwrap, request, token };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

export type Api = ReturnType<typeof createApi>;
