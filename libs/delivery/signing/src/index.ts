export * from './create-signer';
export * from './ed25519-keys';
export * from './ed25519-signing-key';
export * from './event-body';
export * from './hmac-signing-key';
export * from './signature-headers';
export * from './signing-key';
