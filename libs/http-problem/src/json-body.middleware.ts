import type { RequestHandler } from 'express';
import { json } from 'express';
import { ProblemException } from './problem.exception';

/**
 * express.json with its failures turned into problem+json: malformed JSON is a 400 naming `body`,
 * an oversized body a 413. (Nest would otherwise map them to a bare BadRequestException.)
 */
export function jsonBodyParser(limitBytes: number): RequestHandler {
  const parse = json({ limit: limitBytes, type: ['application/json', 'application/*+json'] });
  return (request, response, next) =>
    parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(
          new ProblemException(413, `Request body is larger than ${limitBytes} bytes`, [{ field: 'body', message: `larger than ${limitBytes} bytes` }], 'payload-too-large'),
        );
      }
      if (type === 'entity.parse.failed') {
        return next(new ProblemException(400, 'Request body is not valid JSON', [{ field: 'body', message: 'malformed JSON' }], 'malformed-json'));
      }
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return next(new ProblemException(415, 'Unsupported request body encoding', [{ field: 'content-type', message: 'unsupported charset or encoding' }]));
      }
      next(error);
    });
}
