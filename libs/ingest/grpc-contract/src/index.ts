// Generated from proto/ by `node scripts/prepare.js` (buf + ts-proto); see proto/buf.gen.yaml.
export * from './generated/hookline/v1/events';
export * from './status-details';
