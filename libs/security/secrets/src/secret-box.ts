import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Before key ids: `v1.<iv>.<tag>.<ciphertext>`. Still read; never written. */
const LEGACY_VERSION = 'v1';
/** `v2.<key id>.<iv>.<tag>.<ciphertext>`: the key id tells which key sealed it without trying each. */
const VERSION = 'v2';

/**
 * A short, public name for a key: a rotation can then tell a ciphertext sealed under the current
 * key by its prefix alone. Eight base64url characters of a SHA-256 reveal nothing of a random key.
 */
export function secretsKeyId(key: Buffer): string {
  return createHash('sha256').update('hookline-secrets-key-id:').update(key).digest('base64url').slice(0, 8);
}

/** AES-256-GCM: `v2.<key id>.<iv>.<tag>.<ciphertext>`, each binary part base64url. */
export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, secretsKeyId(key), ...[iv, cipher.getAuthTag(), ciphertext].map((p) => p.toString('base64url'))].join('.');
}

/**
 * SECRETS_KEY and the keys it replaced: seals under the current key only, opens under any. During
 * a rotation the previous keys keep old ciphertexts readable until they are re-encrypted.
 */
export class SecretKeyring {
  private readonly currentId: string;
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: Buffer,
    private readonly previous: readonly Buffer[] = [],
  ) {
    this.currentId = secretsKeyId(current);
    this.byId = new Map([...previous, current].map((key) => [secretsKeyId(key), key]));
  }

  seal(plaintext: string): string {
    return encryptSecret(plaintext, this.current);
  }

  open(sealed: string): string {
    const parts = parse(sealed);
    if (parts.keyId !== undefined) {
      const key = this.byId.get(parts.keyId);
      if (!key) throw new Error('secret ciphertext was sealed under a key that is neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS');
      return open(parts, key);
    }
    // Legacy ciphertexts carry no key id: the current key first, then each previous one.
    for (const key of [this.current, ...this.previous]) {
      try {
        return open(parts, key);
      } catch {
        // Not this key (GCM authentication failed).
      }
    }
    throw new Error('secret ciphertext opens under neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS');
  }

  /** Sealed under the current key already: a re-encryption leaves it alone. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(this.currentPrefix);
  }

  /** Every ciphertext the current key sealed starts with this. */
  get currentPrefix(): string {
    return `${VERSION}.${this.currentId}.`;
  }
}

interface Parts {
  keyId?: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

function parse(sealed: string): Parts {
  const parts = sealed.split('.');
  if (parts[0] === VERSION && parts.length === 5) return { keyId: parts[1], iv: parts[2], tag: parts[3], ciphertext: parts[4] };
  if (parts[0] === LEGACY_VERSION && parts.length === 4) return { iv: parts[1], tag: parts[2], ciphertext: parts[3] };
  throw new Error('unrecognised secret ciphertext');
}

function open({ iv, tag, ciphertext }: Parts, key: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** `whsec_` + base64 of 32 random bytes, as Standard Webhooks and Svix generate. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
