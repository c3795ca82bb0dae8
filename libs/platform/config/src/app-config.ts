import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Env } from './config.schema';
import { envSchema, parseSecretsKey } from './config.schema';

/** Delivery queues when QUEUE_SHARDS is unset on a Redis Cluster: one per master of the smallest cluster Redis allows. */
export const DEFAULT_CLUSTER_SHARDS = 3;

export interface AppConfig extends Omit<Env, 'ADMIN_API_KEY' | 'SECRETS_KEY' | 'QUEUE_SHARDS'> {
  /** How many delivery queues (see QUEUE_SHARDS): set, or the default for a single Redis or a cluster. */
  QUEUE_SHARDS: number;
  ADMIN_API_KEY: string;
  /** Encrypts signing secrets at rest, and decrypts them. */
  SECRETS_KEY: Buffer;
  /** Where ADMIN_API_KEY came from: the environment, or a development key generated now or earlier. */
  adminKeySource: 'env' | 'generated' | 'dev-file';
  /** Where SECRETS_KEY came from: the environment, a per-checkout development file, or (tests only) this process. */
  secretsKeySource: 'env' | 'dev-file' | 'process';
}

export class ConfigError extends Error {}

export const DEV_ADMIN_KEY_FILE = resolve('.hookline', 'dev-admin-key');
export const DEV_SECRETS_KEY_FILE = resolve('.hookline', 'dev-secrets-key');

/** Under NODE_ENV=test without SECRETS_KEY: random, so no key anyone can read ever encrypts. */
let testProcessSecretsKey: Buffer | undefined;

/**
 * Validates the environment once. Throws ConfigError with one line naming the variable and the
 * expected form; the apps print it and exit.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message} (${describeValue(name, present[name])})`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production') {
    const missing = (['ADMIN_API_KEY', 'SECRETS_KEY'] as const).filter((name) => !env[name]);
    if (missing.length > 0) {
      const names = missing.join(' and ');
      throw new ConfigError(
        `Invalid configuration: ${names} ${missing.length > 1 ? 'are' : 'is'} required in production (NODE_ENV unset means production; npm start runs in development)`,
      );
    }
  }
  const adminKey = env.ADMIN_API_KEY ? { key: env.ADMIN_API_KEY, generated: false } : developmentAdminKey();
  const secretsKey: { key: Buffer; source: AppConfig['secretsKeySource'] } = env.SECRETS_KEY
    ? { key: env.SECRETS_KEY, source: 'env' }
    : env.NODE_ENV === 'test'
      ? { key: (testProcessSecretsKey ??= randomBytes(32)), source: 'process' }
      : { key: developmentSecretsKey(), source: 'dev-file' };
  return {
    ...env,
    QUEUE_SHARDS: env.QUEUE_SHARDS ?? (env.REDIS_CLUSTER_NODES ? DEFAULT_CLUSTER_SHARDS : 1),
    ADMIN_API_KEY: adminKey.key,
    adminKeySource: env.ADMIN_API_KEY ? 'env' : adminKey.generated ? 'generated' : 'dev-file',
    SECRETS_KEY: secretsKey.key,
    secretsKeySource: secretsKey.source,
  };
}

const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'SECRETS_KEY', 'SECRETS_KEY_PREVIOUS', 'OPERATOR_WEBHOOK_SECRET']);

/** What the error line shows of a bad value: it ends up in logs, so never a key or a URL's password. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'got nothing';
  if (SECRET_VARIABLES.has(name)) return `got ${value.length} characters, not shown`;
  return `got ${JSON.stringify(value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@'))}`;
}

function developmentAdminKey(): { key: string; generated: boolean } {
  return developmentFile(DEV_ADMIN_KEY_FILE, () => `hk_admin_${randomBytes(24).toString('base64url')}`);
}

/** Random per checkout, so what a developer encrypts stays readable across restarts and nobody else knows the key. */
function developmentSecretsKey(): Buffer {
  const { key } = developmentFile(DEV_SECRETS_KEY_FILE, () => randomBytes(32).toString('hex'));
  const bytes = parseSecretsKey(key);
  if (!bytes) throw new ConfigError(`Invalid configuration: ${DEV_SECRETS_KEY_FILE} must hold 64 hex characters; delete it to generate a new key`);
  return bytes;
}

/** One value per checkout, shared by every process started from it, created by whichever starts first. */
function developmentFile(file: string, generate: () => string): { key: string; generated: boolean } {
  try {
    return { key: readFileSync(file, 'utf8').trim(), generated: false };
  } catch {
    const key = generate();
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, key, { flag: 'wx', mode: 0o600 });
      return { key, generated: true };
    } catch {
      return { key: readFileSync(file, 'utf8').trim(), generated: false };
    }
  }
}
