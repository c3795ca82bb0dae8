import { findUnsafeText, unsafeStringReason } from './unsafe-text';

describe('unsafe text', () => {
  it('accepts ordinary text, emoji and escaped NUL spelled out', () => {
    expect(unsafeStringReason('héllo 👋 \\u0000')).toBeNull();
    expect(findUnsafeText({ a: ['x', { b: '😀' }], n: 1, t: true, z: null }, 'data')).toBeNull();
  });

  it('names the field of a NUL or a lone surrogate, in values and in keys', () => {
    expect(findUnsafeText({ items: [{ name: 'a' }, { name: 'b\u0000' }] }, 'data')).toEqual({
      field: 'data.items[1].name',
      message: 'must not contain the NUL character (U+0000)',
    });
    expect(findUnsafeText({ ok: '\ud800' }, 'data')?.field).toBe('data.ok');
    expect(findUnsafeText({ ok: 'x\udc00' }, 'data')?.message).toMatch(/lone surrogate/);
    expect(findUnsafeText({ 'bad\u0000key': 1 }, 'metadata')).toEqual({
      field: 'metadata["bad\\u0000key"]',
      message: 'has a key that must not contain the NUL character (U+0000)',
    });
  });

  it('refuses a number JSON.parse could only read as Infinity', () => {
    expect(findUnsafeText(JSON.parse('{"a":[1,1e400]}'), 'data')).toEqual({ field: 'data.a[1]', message: 'is a number too large to store' });
    expect(findUnsafeText(JSON.parse('-1e400'), 'data')?.field).toBe('data');
    expect(findUnsafeText(JSON.parse('[1e308, -0, 5e-324]'), 'data')).toBeNull();
  });

  it('refuses nesting past the limit without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeText(deep, 'data')?.message).toBe('nests deeper than 64 levels');
    let ok: unknown = 'leaf';
    for (let i = 0; i < 64; i++) ok = { a: ok };
    expect(findUnsafeText(ok, 'data')).toBeNull();
  });
});
