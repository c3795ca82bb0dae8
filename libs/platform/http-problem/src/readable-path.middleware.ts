import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unsafeStringReason } from '@hookline/input-safety';
import { problem, ProblemException } from './problem.exception';

/**
 * A path that does not decode to valid Unicode text (`%ED%A0%80`, `%FF`) or holds a NUL (`%00`)
 * cannot name anything Hookline stores: 404, before any guard, so no id like it reaches a guard
 * or a query. Checked on every request, routed or not.
 */
export function readablePathsOnly(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const url = request.raw.url ?? '/';
    const query = url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(query < 0 ? url : url.slice(0, query));
    } catch {
      return done(noSuchResource());
    }
    done(unsafeStringReason(path) ? noSuchResource() : undefined);
  });
}

/**
 * Fastify's answer to a path its router cannot decode (otherwise its own 400 JSON), as
 * `frameworkErrors`: the same 404 problem. Other router refusals keep their status as problems.
 */
export function answerRouterErrors(error: Error & { statusCode?: number }, _request: FastifyRequest, reply: FastifyReply): void {
  const body = (error as { code?: string }).code === 'FST_ERR_BAD_URL' ? noSuchResource().getResponse() : problem(error.statusCode ?? 400, error.message);
  void reply
    .code((body as { status: number }).status)
    .type('application/problem+json')
    .send(JSON.stringify(body));
}

function noSuchResource() {
  return new ProblemException(404, 'No such resource: the path is not valid text');
}
