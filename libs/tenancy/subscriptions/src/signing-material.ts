import { generateSigningSecret } from '@hookline/secrets';
import { ED25519_SECRET_PREFIX, ed25519PublicKeyFor, generateEd25519KeyPair } from '@hookline/signing';

export type SignatureSchemeName = 'v1' | 'v1a';

/** What the API may show of a signing secret: a v1 secret itself, or only the public half of a v1a key. */
export type RevealedSecret = { secret: string } | { publicKey: string };

const WEBHOOK_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

/** Why a caller-chosen secret cannot sign Standard Webhooks v1; null when it can. Never echoes the secret. */
export function webhookSecretProblem(secret: string): string | null {
  const match = WEBHOOK_SECRET.exec(secret);
  // Canonical padded base64 only: receivers' libraries decode it strictly.
  const bytes = match ? Buffer.from(match[1], 'base64') : null;
  if (!match || !bytes || bytes.toString('base64') !== match[1]) return 'must be whsec_ followed by base64';
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    return `must encode ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`;
  }
  return null;
}

/**
 * The plaintext to store for a new signing secret. v1: the given `whsec_` secret, or a generated
 * one. v1a: a fresh Ed25519 key as `whsk_` + base64 of its 32-byte seed (callers cannot choose it).
 */
export function newSigningSecret(scheme: SignatureSchemeName, given?: string): string {
  if (scheme === 'v1a') return generateEd25519KeyPair().secretKey;
  return given ?? generateSigningSecret();
}

export function revealSigningSecret(secret: string): RevealedSecret {
  return secret.startsWith(ED25519_SECRET_PREFIX) ? { publicKey: ed25519PublicKeyFor(secret) } : { secret };
}
