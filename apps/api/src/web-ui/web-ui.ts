import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '@hookline/config';
import { problem } from '@hookline/http-problem';
import { brandingView, securityHeaders } from './web-ui-headers';

export const WEB_UI_PAGES = ['portal', 'console'] as const;

/** dist/web of this checkout, from the sources (tests) or from dist/apps/api/src/web-ui (npm start). */
export function webUiDirectory(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}

/**
 * The customer portal at /portal/ and the operator console at /console/, single-page apps built
 * by `npm run build` into dist/web. Every path under a page answers its index.html (the app routes
 * in the browser); hashed assets are cached for a year, HTML never without revalidation. Plain
 * Fastify routes, outside Nest's guards: the pages are public, their API calls carry the token.
 */
export function mountWebUi(fastify: FastifyInstance, config: AppConfig, directory = webUiDirectory()): void {
  const headers = securityHeaders(config);
  const branding = JSON.stringify(brandingView(config));
  const sendProblem = (reply: FastifyReply, status: number, detail: string, slug?: string) =>
    reply
      .code(status)
      .headers(headers)
      .type('application/problem+json')
      .send(JSON.stringify(problem(status, detail, undefined, slug)));
  const notBuilt = (reply: FastifyReply) => sendProblem(reply, 503, 'The web UI is not built: run npm run build', 'web-ui-not-built');

  // Its own scope: the static plugin's reply decorator and the 404 answer stay under /assets.
  void fastify.register(
    async (assets) => {
      await assets.register(fastifyStatic, {
        root: join(directory, 'assets'),
        prefix: '/',
        index: false,
        immutable: true,
        maxAge: '365d',
        suppressWarning: true,
        setHeaders: (reply) => void reply.headers(headers),
      });
      assets.setNotFoundHandler((_request, reply) => (existsSync(directory) ? sendProblem(reply, 404, 'Asset not found') : notBuilt(reply)));
    },
    { prefix: '/assets' },
  );

  for (const page of WEB_UI_PAGES) {
    let html: string | undefined;
    const servePage = (request: FastifyRequest, reply: FastifyReply) => {
      // `/portal` without the slash: relative asset and history paths need the directory form.
      if (request.url === `/${page}`) return reply.headers(headers).redirect(`/${page}/`, 301);
      const file = join(directory, page, 'index.html');
      if (html === undefined) {
        if (!existsSync(file)) return notBuilt(reply);
        html = readFileSync(file, 'utf8');
      }
      return reply.headers(headers).header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(html);
    };
    fastify.get(`/${page}`, servePage);
    fastify.get(`/${page}/*`, servePage);
    fastify.get(`/${page}/config.json`, (_request, reply) => reply.headers(headers).header('Cache-Control', 'no-cache').type('application/json; charset=utf-8').send(branding));
  }
}
