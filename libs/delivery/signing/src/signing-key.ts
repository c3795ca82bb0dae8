/** A decoded signing secret, built once per secret and reused for every request it signs. */
export interface SigningKey {
  readonly scheme: 'v1' | 'v1a';
  /** `v1,<base64>` or `v1a,<base64>` over `<msgId>.<timestamp>.<body>` (Standard Webhooks). */
  sign(msgId: string, timestamp: number, body: string): string;
  /** `sha256=<hex>` for `x-hub-signature-256`, or null when the scheme has no GitHub form (v1a). */
  hubSignature(body: string): string | null;
}
