import type { KeyObject } from 'node:crypto';
import { createHmac, createSecretKey } from 'node:crypto';
import { decodePrefixedBase64 } from './base64-secret';
import type { SigningKey } from './signing-key';

/** Standard Webhooks v1 (HMAC-SHA256, key = base64-decoded part after `whsec_`) plus the GitHub-style body HMAC. */
export class HmacSigningKey implements SigningKey {
  static readonly prefix = 'whsec_';
  readonly scheme = 'v1';
  private readonly key: KeyObject;
  /** GitHub keys the HMAC with the whole secret string, prefix included. */
  private readonly hubKey: KeyObject;

  constructor(secret: string) {
    const key = decodePrefixedBase64(secret, HmacSigningKey.prefix);
    if (key.length === 0) throw new Error('invalid signing secret: empty key');
    this.key = createSecretKey(key);
    this.hubKey = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(msgId: string, timestamp: number, body: string): string {
    // Separate updates instead of one template string: no copy of a large body.
    const mac = createHmac('sha256', this.key).update(msgId).update('.').update(String(timestamp)).update('.').update(body);
    return `v1,${mac.digest('base64')}`;
  }

  hubSignature(body: string): string {
    return `sha256=${createHmac('sha256', this.hubKey).update(body).digest('hex')}`;
  }
}

/** `sha256=<hex>` as GitHub sends in `x-hub-signature-256`, keyed by the secret string as UTF-8. */
export function githubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
}
