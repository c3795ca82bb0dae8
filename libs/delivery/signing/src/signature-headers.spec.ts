import { verify } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { generateEd25519KeyPair, parseEd25519PublicKey } from './ed25519-keys';
import { eventBody } from './event-body';
import { githubSignature } from './hmac-signing-key';
import { signatureHeaders } from './signature-headers';
import { createSigner } from './create-signer';

const newestSecret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const olderSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const msgId = 'evt_01JABCDEFGHJKMNPQRSTVWXYZ0';
const body = eventBody({ id: msgId, type: 'invoice.paid', timestamp: '2026-01-02T03:04:05.678Z', data: { amount: 1200, note: 'ünïcode ✓' } });
const now = () => Math.floor(Date.now() / 1000);

describe('signatureHeaders verified by the official receivers', () => {
  it('is accepted by standardwebhooks', () => {
    const headers = signatureHeaders({ msgId, timestamp: now(), body, secrets: [createSigner(newestSecret)] });
    expect(new StandardWebhook(newestSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is accepted by svix under webhook-* and svix-* header names', () => {
    const headers = signatureHeaders({ msgId, timestamp: now(), body, secrets: [newestSecret] });
    const svixNames = { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] };
    expect(new SvixWebhook(newestSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new SvixWebhook(newestSecret).verify(body, svixNames)).toEqual(JSON.parse(body));
  });

  it('is rejected when one byte of the body changes', () => {
    const headers = signatureHeaders({ msgId, timestamp: now(), body, secrets: [newestSecret] });
    expect(() => new StandardWebhook(newestSecret).verify(body.replace('1200', '1201'), { ...headers })).toThrow(/No matching signature/);
  });

  it('carries one signature per secret during a rotation, each verifying on its own', () => {
    const headers = signatureHeaders({ msgId, timestamp: now(), body, secrets: [newestSecret, olderSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new StandardWebhook(newestSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new StandardWebhook(olderSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new SvixWebhook(olderSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new StandardWebhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(body, { ...headers })).toThrow();
  });
});

describe('signatureHeaders fields', () => {
  it('sets id and timestamp, and the GitHub signature of the newest secret only', () => {
    const headers = signatureHeaders({ msgId, timestamp: 1700000000, body, secrets: [newestSecret, olderSecret] });
    expect(headers['webhook-id']).toBe(msgId);
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['x-hub-signature-256']).toBe(githubSignature(newestSecret, body));
  });

  it('refuses an empty secret list and a fractional timestamp', () => {
    expect(() => signatureHeaders({ msgId, timestamp: 1, body, secrets: [] })).toThrow(/at least one/);
    expect(() => signatureHeaders({ msgId, timestamp: 1.5, body, secrets: [newestSecret] })).toThrow(RangeError);
  });
});

describe('v1a (Ed25519)', () => {
  it('signs the Standard Webhooks content, verifiable with the whpk_ public key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const timestamp = now();
    const headers = signatureHeaders({ msgId, timestamp, body, secrets: [secretKey] });
    const [version, signature] = headers['webhook-signature'].split(',');
    expect(version).toBe('v1a');
    const content = Buffer.from(`${msgId}.${timestamp}.${body}`, 'utf8');
    expect(verify(null, content, parseEd25519PublicKey(publicKey), Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.concat([content, Buffer.from(' ')]), parseEd25519PublicKey(publicKey), Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('omits x-hub-signature-256 when the newest secret is v1a', () => {
    const headers = signatureHeaders({ msgId, timestamp: now(), body, secrets: [generateEd25519KeyPair().secretKey, olderSecret] });
    expect(headers).not.toHaveProperty('x-hub-signature-256');
    expect(headers['webhook-signature']).toMatch(/^v1a,\S+ v1,\S+$/);
  });
});
