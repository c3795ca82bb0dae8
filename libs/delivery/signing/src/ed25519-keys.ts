import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { decodePrefixedBase64 } from './base64-secret';

export const ED25519_SECRET_PREFIX = 'whsk_';
export const ED25519_PUBLIC_PREFIX = 'whpk_';

// DER headers that wrap a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI).
const PKCS8_SEED_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519KeyPair {
  /** `whsk_` + base64 of the 32-byte seed. */
  secretKey: string;
  /** `whpk_` + base64 of the raw 32-byte public key. */
  publicKey: string;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_SEED_HEADER.length);
  return { secretKey: ED25519_SECRET_PREFIX + seed.toString('base64'), publicKey: formatPublicKey(publicKey) };
}

/** `whsk_` + a 32-byte seed, or the 64-byte libsodium form (seed followed by the public key). */
export function parseEd25519SecretKey(secretKey: string): KeyObject {
  const bytes = decodePrefixedBase64(secretKey, ED25519_SECRET_PREFIX);
  if (bytes.length !== 32 && bytes.length !== 64) throw new Error('invalid whsk_ key: expected a 32-byte seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_HEADER, bytes.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

export function parseEd25519PublicKey(publicKey: string): KeyObject {
  const bytes = decodePrefixedBase64(publicKey, ED25519_PUBLIC_PREFIX);
  if (bytes.length !== 32) throw new Error('invalid whpk_ key: expected 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_HEADER, bytes]), format: 'der', type: 'spki' });
}

/** The `whpk_` public key a subscription exposes for its `whsk_` secret key. */
export function ed25519PublicKeyFor(secretKey: string): string {
  return formatPublicKey(createPublicKey(parseEd25519SecretKey(secretKey)));
}

function formatPublicKey(key: KeyObject): string {
  return ED25519_PUBLIC_PREFIX + key.export({ format: 'der', type: 'spki' }).subarray(SPKI_HEADER.length).toString('base64');
}
