import { createPublicKey } from 'node:crypto';
import { ed25519PublicKeyFor, generateEd25519KeyPair, parseEd25519PublicKey, parseEd25519SecretKey } from './ed25519-keys';

describe('Ed25519 keys', () => {
  it('generates a whsk_ 32-byte seed and its whpk_ raw public key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(ed25519PublicKeyFor(secretKey)).toBe(publicKey);
  });

  it('derives the RFC 8032 test 1 public key from its seed', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const publicKey = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
    expect(ed25519PublicKeyFor(`whsk_${seed.toString('base64')}`)).toBe(`whpk_${publicKey.toString('base64')}`);
  });

  it('accepts the 64-byte libsodium secret key form', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const raw = Buffer.concat([Buffer.from(secretKey.slice(5), 'base64'), Buffer.from(publicKey.slice(5), 'base64')]);
    expect(ed25519PublicKeyFor(`whsk_${raw.toString('base64')}`)).toBe(publicKey);
  });

  it('round-trips a public key through parseEd25519PublicKey', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const parsed = parseEd25519PublicKey(publicKey);
    expect(parsed.equals(createPublicKey(parseEd25519SecretKey(secretKey)))).toBe(true);
  });

  it('refuses keys of the wrong length or prefix', () => {
    expect(() => parseEd25519SecretKey(`whsk_${Buffer.alloc(16).toString('base64')}`)).toThrow(/32-byte/);
    expect(() => parseEd25519PublicKey(`whsk_${Buffer.alloc(32).toString('base64')}`)).toThrow(/whpk_/);
  });
});
