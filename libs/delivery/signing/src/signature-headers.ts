import { createSigner } from './create-signer';
import type { SigningKey } from './signing-key';

export interface SignatureHeadersInput {
  /** The event id: the same on every attempt and replay. */
  msgId: string;
  /** Unix seconds at which this attempt is signed. */
  timestamp: number;
  body: string;
  /** Live secrets, newest first. Pass SigningKeys built once with createSigner; strings are decoded per call. */
  secrets: ReadonlyArray<SigningKey | string>;
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-hub-signature-256'?: string;
}

/** The signature headers of docs/contract.md#the-request-your-endpoint-receives: one `webhook-signature` entry per live secret, the GitHub one for the newest only. */
export function signatureHeaders({ msgId, timestamp, body, secrets }: SignatureHeadersInput): SignatureHeaders {
  if (secrets.length === 0) throw new Error('at least one signing secret is required');
  if (!Number.isSafeInteger(timestamp)) throw new RangeError('timestamp must be whole Unix seconds');
  const keys = secrets.map((s) => (typeof s === 'string' ? createSigner(s) : s));
  const headers: SignatureHeaders = {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': keys.map((k) => k.sign(msgId, timestamp, body)).join(' '),
  };
  const hub = keys[0].hubSignature(body);
  if (hub !== null) headers['x-hub-signature-256'] = hub;
  return headers;
}
