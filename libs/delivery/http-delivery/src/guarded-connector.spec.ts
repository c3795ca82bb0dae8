import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { guardedLookup } from './guarded-connector';

const answers =
  (addresses: string[]): LookupFunction =>
  (_host: string, _options: LookupOptions, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

function resolve(lookup: LookupFunction, options: LookupOptions): Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((done) => lookup('hooks.example.com', options, (error, address, family) => done({ error, address, family })));
}

describe('guardedLookup', () => {
  it('drops blocked answers and keeps public ones, for happy-eyeballs (all) lookups', async () => {
    const lookup = guardedLookup(answers(['10.0.0.1', '93.184.215.14', '::1', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']));
    const { error, address } = await resolve(lookup, { all: true });
    expect(error).toBeNull();
    expect(address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  it('answers a single-address lookup with the first allowed address', async () => {
    const { address, family } = await resolve(guardedLookup(answers(['127.0.0.1', '93.184.215.14'])), {});
    expect([address, family]).toEqual(['93.184.215.14', 4]);
  });

  it('fails with the first blocked address when nothing is allowed', async () => {
    const { error } = await resolve(guardedLookup(answers(['192.168.1.10', '::ffff:10.0.0.1'])), { all: true });
    expect(error?.message).toBe('blocked address 192.168.1.10 (private)');
  });

  it('passes resolver errors through', async () => {
    const failing: LookupFunction = (_h, _o, callback) => callback(Object.assign(new Error('nope'), { code: 'EAI_AGAIN' }), '');
    const { error } = await resolve(guardedLookup(failing), {});
    expect((error as NodeJS.ErrnoException).code).toBe('EAI_AGAIN');
  });
});
