import { createPublicKey, sign, verify } from 'node:crypto';
import { parseEd25519SecretKey } from '@hookline/signing';
import { newSigningSecret, revealSigningSecret, webhookSecretProblem } from './signing-material';

describe('webhookSecretProblem', () => {
  it.each([
    'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
    `whsec_${Buffer.alloc(32, 2).toString('base64')}`,
    `whsec_${Buffer.alloc(64, 3).toString('base64')}`,
    `whsec_${Buffer.alloc(25, 4).toString('base64')}`,
  ])('accepts %s', (secret) => {
    expect(webhookSecretProblem(secret)).toBeNull();
  });

  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must be whsec_ followed by base64'],
    ['whsec_', 'must be whsec_ followed by base64'],
    ['whsec_not base64!', 'must be whsec_ followed by base64'],
    [`whsec_${Buffer.alloc(32).toString('base64url')}_-`, 'must be whsec_ followed by base64'],
    [`whsec_${Buffer.alloc(25).toString('base64').replace(/=+$/, '')}`, 'must be whsec_ followed by base64'],
    [`whsec_${Buffer.alloc(23).toString('base64')}`, 'must encode 24 to 64 bytes'],
    [`whsec_${Buffer.alloc(65).toString('base64')}`, 'must encode 24 to 64 bytes'],
  ])('refuses %j', (secret, message) => {
    expect(webhookSecretProblem(secret)).toBe(message);
  });
});

describe('newSigningSecret', () => {
  it('keeps a given v1 secret and generates whsec_ + 32 random bytes otherwise', () => {
    expect(newSigningSecret('v1', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const generated = newSigningSecret('v1');
    expect(Buffer.from(generated.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(newSigningSecret('v1')).not.toBe(generated);
  });

  it('generates a v1a Ed25519 seed whose public key verifies its signatures', () => {
    const secretKey = newSigningSecret('v1a');
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    const revealed = revealSigningSecret(secretKey);
    expect(revealed).toEqual({ publicKey: expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/) });
    const publicKey = (revealed as { publicKey: string }).publicKey;
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey.slice(5), 'base64')]);
    const message = Buffer.from('msg_1.1614265330.{}');
    const signature = sign(null, message, parseEd25519SecretKey(secretKey));
    expect(verify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature)).toBe(true);
  });
});

describe('revealSigningSecret', () => {
  it('shows a v1 secret as is', () => {
    expect(revealSigningSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
  });
});
