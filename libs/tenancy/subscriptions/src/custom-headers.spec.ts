import { customHeaderProblems } from './custom-headers';

describe('customHeaderProblems', () => {
  it('accepts ordinary custom headers', () => {
    expect(customHeaderProblems({ 'X-Api-Key': 'abc 123', Authorization: 'Bearer t0k3n', 'x-empty': '' })).toEqual([]);
  });

  it.each([
    'webhook-id',
    'Webhook-Signature',
    'webhook-anything',
    'x-hookline-event',
    'X-Hookline-Custom',
    'x-hub-signature-256',
    'Content-Type',
    'content-length',
    'User-Agent',
    'HOST',
  ])('refuses the reserved header %s', (name) => {
    expect(customHeaderProblems({ [name]: 'v' })).toEqual([{ name, message: 'is reserved: Hookline sets this header itself' }]);
  });

  it.each(['Connection', 'transfer-encoding', 'Keep-Alive', 'upgrade', 'expect', 'te'])('refuses the connection header %s', (name) => {
    expect(customHeaderProblems({ [name]: 'v' })).toEqual([{ name, message: 'is a connection header the HTTP client manages' }]);
  });

  it('refuses invalid names and values, naming each header', () => {
    expect(
      customHeaderProblems({
        'bad name': 'v',
        'x-colon:': 'v',
        'x-crlf': 'a\r\nx-injected: 1',
        'x-nul': 'a\u0000b',
        'x-unicode': 'café',
        'x-padded': ' v',
        'x-long': 'v'.repeat(2049),
        'x-number': 5,
      }),
    ).toEqual([
      { name: 'bad name', message: 'is not a valid HTTP header name' },
      { name: 'x-colon:', message: 'is not a valid HTTP header name' },
      { name: 'x-crlf', message: 'must be printable ASCII without line breaks or leading/trailing spaces' },
      { name: 'x-nul', message: 'must be printable ASCII without line breaks or leading/trailing spaces' },
      { name: 'x-unicode', message: 'must be printable ASCII without line breaks or leading/trailing spaces' },
      { name: 'x-padded', message: 'must be printable ASCII without line breaks or leading/trailing spaces' },
      { name: 'x-long', message: 'must be at most 2048 characters' },
      { name: 'x-number', message: 'must be a string' },
    ]);
  });

  it('refuses a name given twice in different cases', () => {
    expect(customHeaderProblems({ 'X-Tenant': 'a', 'x-tenant': 'b' })).toEqual([{ name: 'x-tenant', message: 'is given twice (header names are case-insensitive)' }]);
  });
});
