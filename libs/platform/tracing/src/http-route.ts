import type { IncomingMessage } from 'node:http';

const ROUTE = Symbol('hookline.http.route');

/**
 * The route pattern that served a request (`/v1/tenants/:tenantId/events`), kept on the raw request
 * for the http instrumentation, which names the server span after it once the response ends. The
 * router knows it (Fastify's `routeOptions.url`); the instrumentation sees only Node's request.
 */
export function recordHttpRoute(request: IncomingMessage, route: string | undefined): void {
  if (route !== undefined) (request as IncomingMessage & { [ROUTE]?: string })[ROUTE] = route;
}

export function httpRouteOf(request: unknown): string | undefined {
  return (request as { [ROUTE]?: string })[ROUTE];
}
