import type { KeyObject } from 'node:crypto';
import { sign } from 'node:crypto';
import { ED25519_SECRET_PREFIX, parseEd25519SecretKey } from './ed25519-keys';
import type { SigningKey } from './signing-key';

/** Standard Webhooks v1a: Ed25519 over `<msgId>.<timestamp>.<body>`. */
export class Ed25519SigningKey implements SigningKey {
  static readonly prefix = ED25519_SECRET_PREFIX;
  readonly scheme = 'v1a';
  private readonly key: KeyObject;

  constructor(secretKey: string) {
    this.key = parseEd25519SecretKey(secretKey);
  }

  sign(msgId: string, timestamp: number, body: string): string {
    return `v1a,${sign(null, Buffer.from(`${msgId}.${timestamp}.${body}`, 'utf8'), this.key).toString('base64')}`;
  }

  hubSignature(): null {
    return null;
  }
}
