import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@hookline/http-problem';

/** A Host header we are willing to echo into a link: a name or address and an optional port. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The portal page's absolute URL carrying the token in its fragment, which browsers never send to
 * a server, so the token reaches no access log or Referer header.
 */
export function portalLink(publicUrl: string | undefined, request: FastifyRequest, token: string): string {
  return `${publicUrl ?? requestOrigin(request)}/portal/#token=${token}`;
}

function requestOrigin(request: FastifyRequest): string {
  const host = request.headers.host ?? '';
  if (!SAFE_HOST.test(host)) {
    throw new ProblemException(400, 'The Host header is missing or not a host name; set PUBLIC_URL so portal links can be built', [
      { field: 'Host', message: 'must be a host name with an optional port' },
    ]);
  }
  return `${request.protocol}://${host}`;
}
