import { Ed25519SigningKey } from './ed25519-signing-key';
import { HmacSigningKey } from './hmac-signing-key';

/** A decoded signing secret, built once per secret and reused for every request it signs. */
export interface SigningKey {
  readonly scheme: 'v1' | 'v1a';
  /** `v1,<base64>` or `v1a,<base64>` over `<msgId>.<timestamp>.<body>` (Standard Webhooks). */
  sign(msgId: string, timestamp: number, body: string): string;
  /** `sha256=<hex>` for `x-hub-signature-256`, or null when the scheme has no GitHub form (v1a). */
  hubSignature(body: string): string | null;
}

/** `whsec_…` gives a v1 HMAC key, `whsk_…` a v1a Ed25519 key; anything else throws. */
export function createSigner(secret: string): SigningKey {
  if (secret.startsWith(HmacSigningKey.prefix)) return new HmacSigningKey(secret);
  if (secret.startsWith(Ed25519SigningKey.prefix)) return new Ed25519SigningKey(secret);
  throw new Error('invalid signing secret: expected whsec_ or whsk_ followed by base64');
}
