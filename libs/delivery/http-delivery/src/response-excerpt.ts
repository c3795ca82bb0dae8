import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface Excerpt {
  text: string;
  /** False when the body went on past the limit and is still unread. */
  complete: boolean;
}

/**
 * Reads at most `limit` bytes, then pauses the stream and stops listening: the caller decides
 * whether the rest is drained (connection reused) or discarded (connection destroyed).
 */
export function readExcerpt(body: Readable, limit: number): Promise<Excerpt> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (complete: boolean) => {
      stopListening();
      resolve({ text: decode(Buffer.concat(chunks, length), complete), complete });
    };
    const onData = (chunk: Buffer) => {
      const room = limit - length;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      length += Math.min(chunk.length, room);
      if (length >= limit) {
        body.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    const onError = (error: Error) => {
      stopListening();
      reject(error);
    };
    const stopListening = () => body.off('data', onData).off('end', onEnd).off('error', onError);
    body.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** A cut excerpt may end inside a multi-byte character: drop that fragment rather than show U+FFFD. */
function decode(bytes: Buffer, complete: boolean): string {
  const text = complete ? bytes.toString('utf8') : new StringDecoder('utf8').write(bytes);
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
