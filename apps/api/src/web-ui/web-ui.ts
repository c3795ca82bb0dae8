import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '@hookline/config';
import { problem } from '@hookline/http-problem';
import { brandingView, securityHeaders } from './web-ui-headers';

/** The Nest app in production, a bare express app in the test of a missing build. */
type Mountable = { use(path: string, ...handlers: RequestHandler[]): unknown };

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
 * in the browser); hashed assets are cached for a year, HTML never without revalidation.
 */
export function mountWebUi(app: Mountable, config: AppConfig, directory = webUiDirectory()): void {
  const headers = securityHeaders(config);
  const branding = JSON.stringify(brandingView(config));
  const withHeaders = (_request: Request, response: Response, next: NextFunction) => {
    response.set(headers);
    next();
  };
  const notBuilt = (response: Response) =>
    response
      .status(503)
      .type('application/problem+json')
      .send(JSON.stringify(problem(503, 'The web UI is not built: run npm run build', undefined, 'web-ui-not-built')));

  app.use(
    '/assets',
    withHeaders,
    express.static(join(directory, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }),
    (_request: Request, response: Response) =>
      existsSync(directory)
        ? response
            .status(404)
            .type('application/problem+json')
            .send(JSON.stringify(problem(404, 'Asset not found')))
        : notBuilt(response),
  );

  for (const page of WEB_UI_PAGES) {
    let html: string | undefined;
    app.use(`/${page}`, withHeaders, (request: Request, response: Response, next: NextFunction) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return next();
      // `/portal` without the slash: relative asset and history paths need the directory form.
      if (request.originalUrl === `/${page}`) return response.redirect(301, `/${page}/`);
      if (request.path === '/config.json') {
        return response.set('Cache-Control', 'no-cache').type('application/json').send(branding);
      }
      const file = join(directory, page, 'index.html');
      if (html === undefined) {
        if (!existsSync(file)) return notBuilt(response);
        html = readFileSync(file, 'utf8');
      }
      response.set('Cache-Control', 'no-cache').type('text/html').send(html);
    });
  }
}
