import type { FastifyInstance, FastifyRequest } from 'fastify';
import { gunzipSync, inflateSync } from 'node:zlib';
import { ProblemException } from './problem.exception';

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * Request bodies on Fastify: JSON (`application/json`, `application/*+json`) is read up to
 * `limitBytes` and parsed, its failures turned into problem+json (malformed JSON is a 400 naming
 * `body`; an oversized body is Fastify's 413, which the problem filter words). Every other media
 * type passes through unread: a JSON route refuses it with 415 (JsonBodyGuard), a bulk upload
 * streams it from `request.raw` without buffering it.
 */
export function acceptRequestBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: limitBytes }, (request, body: Buffer, done) => {
    try {
      done(null, parseJson(request, body, limitBytes));
    } catch (error) {
      done(error as Error);
    }
  });
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
}

function parseJson(request: FastifyRequest, body: Buffer, limitBytes: number): unknown {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1].toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemException(415, 'Unsupported request body encoding', [{ field: 'content-type', message: 'unsupported charset or encoding' }]);
  }
  const text = decompress(request.headers['content-encoding'], body, limitBytes).toString('utf8');
  // An empty body is an empty object, and only an object or an array is a body (as Express's parser had it).
  if (text.trim() === '') return {};
  const first = /\S/.exec(text)?.[0];
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
    return JSON.parse(text);
  } catch {
    throw new ProblemException(400, 'Request body is not valid JSON', [{ field: 'body', message: 'malformed JSON' }], 'malformed-json');
  }
}

/** A gzip or deflate body is inflated up to the same limit, so a small bomb cannot become a large body. */
function decompress(encoding: string | undefined, body: Buffer, limitBytes: number): Buffer {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity') return body;
  const inflate = name === 'gzip' ? gunzipSync : name === 'deflate' ? inflateSync : undefined;
  if (!inflate) throw new ProblemException(415, 'Unsupported request body encoding', [{ field: 'content-encoding', message: 'unsupported charset or encoding' }]);
  try {
    return inflate(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw payloadTooLarge(limitBytes);
    throw new ProblemException(400, `Request body is not valid ${name}`, [{ field: 'body', message: `invalid ${name}` }]);
  }
}

export function payloadTooLarge(limitBytes: number): ProblemException {
  return new ProblemException(413, `Request body is larger than ${limitBytes} bytes`, [{ field: 'body', message: `larger than ${limitBytes} bytes` }], 'payload-too-large');
}
