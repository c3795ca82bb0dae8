const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes the base64 after a `whsec_` / `whsk_` / `whpk_` prefix; never echoes the secret in errors. */
export function decodePrefixedBase64(value: string, prefix: string): Buffer {
  const encoded = value.slice(prefix.length);
  if (!value.startsWith(prefix) || !BASE64.test(encoded)) throw new Error(`invalid key: expected ${prefix} followed by base64`);
  return Buffer.from(encoded, 'base64');
}
