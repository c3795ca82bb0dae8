import { Ed25519SigningKey } from './ed25519-signing-key';
import { HmacSigningKey } from './hmac-signing-key';
import type { SigningKey } from './signing-key';

/** `whsec_…` gives a v1 HMAC key, `whsk_…` a v1a Ed25519 key; anything else throws. */
export function createSigner(secret: string): SigningKey {
  if (secret.startsWith(HmacSigningKey.prefix)) return new HmacSigningKey(secret);
  if (secret.startsWith(Ed25519SigningKey.prefix)) return new Ed25519SigningKey(secret);
  throw new Error('invalid signing secret: expected whsec_ or whsk_ followed by base64');
}
