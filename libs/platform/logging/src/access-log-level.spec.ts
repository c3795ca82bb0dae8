import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLogLevel } from './logging.module';

describe('access log level', () => {
  const request = {} as IncomingMessage;
  const answered = (statusCode: number) => ({ statusCode }) as ServerResponse;

  it('keeps routine requests at debug, refused ones at info and failed ones at error', () => {
    expect([200, 202, 304].map((code) => accessLogLevel(request, answered(code)))).toEqual(['debug', 'debug', 'debug']);
    expect([400, 404, 429].map((code) => accessLogLevel(request, answered(code)))).toEqual(['info', 'info', 'info']);
    expect(accessLogLevel(request, answered(503))).toBe('error');
    expect(accessLogLevel(request, answered(200), new Error('aborted'))).toBe('error');
  });
});
