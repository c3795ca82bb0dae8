import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretKeyring, secretsKeyId } from './secret-box';

const A = Buffer.alloc(32, 0xa1);
const B = Buffer.alloc(32, 0xb2);
const C = Buffer.alloc(32, 0xc3);

/** A ciphertext as written before key ids. */
function legacySeal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

describe('SecretKeyring', () => {
  it('seals under the current key, naming it, and opens what it sealed', () => {
    const sealed = new SecretKeyring(B, [A]).seal('whsec_abc');
    expect(sealed.startsWith(`v2.${secretsKeyId(B)}.`)).toBe(true);
    expect(new SecretKeyring(B).open(sealed)).toBe('whsec_abc');
    expect(new SecretKeyring(B).isCurrent(sealed)).toBe(true);
    expect(new SecretKeyring(A, [B]).isCurrent(sealed)).toBe(false);
  });

  it('opens what a previous key sealed, in either format', () => {
    const rotating = new SecretKeyring(B, [C, A]);
    expect(rotating.open(new SecretKeyring(A).seal('whsec_new-format'))).toBe('whsec_new-format');
    expect(rotating.open(legacySeal('whsec_old-format', A))).toBe('whsec_old-format');
    expect(rotating.isCurrent(legacySeal('whsec_old-format', B))).toBe(false);
  });

  it('refuses what no key it holds sealed', () => {
    expect(() => new SecretKeyring(B).open(new SecretKeyring(A).seal('x'))).toThrow(/neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS/);
    expect(() => new SecretKeyring(B).open(legacySeal('x', A))).toThrow(/neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS/);
    expect(() => new SecretKeyring(B).open('v3.nope')).toThrow('unrecognised secret ciphertext');
  });

  it('names keys apart', () => {
    expect(secretsKeyId(A)).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(secretsKeyId(A)).not.toBe(secretsKeyId(B));
  });
});
