import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Env, envSchema } from './config.schema';

export interface AppConfig extends Omit<Env, 'ADMIN_API_KEY' | 'SECRETS_KEY'> {
  ADMIN_API_KEY: string;
  SECRETS_KEY: Buffer;
  /** Where ADMIN_API_KEY came from: the environment, or a development key generated now or earlier. */
  adminKeySource: 'env' | 'generated' | 'dev-file';
}

export class ConfigError extends Error {}

/** Deliberately public: development and tests only. Production refuses to start without SECRETS_KEY. */
const DEVELOPMENT_SECRETS_KEY = Buffer.from('hookline-development-secrets-key'.padEnd(32, '!'));

export const DEV_ADMIN_KEY_FILE = resolve('.hookline', 'dev-admin-key');

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
  const production = env.NODE_ENV === 'production';
  if (production && !env.ADMIN_API_KEY) throw new ConfigError('Invalid configuration: ADMIN_API_KEY is required in production');
  if (production && !env.SECRETS_KEY) throw new ConfigError('Invalid configuration: SECRETS_KEY is required in production');
  const adminKey = env.ADMIN_API_KEY ? { key: env.ADMIN_API_KEY, generated: false } : developmentAdminKey();
  return {
    ...env,
    ADMIN_API_KEY: adminKey.key,
    adminKeySource: env.ADMIN_API_KEY ? 'env' : adminKey.generated ? 'generated' : 'dev-file',
    SECRETS_KEY: env.SECRETS_KEY ?? DEVELOPMENT_SECRETS_KEY,
  };
}

const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'SECRETS_KEY', 'OPERATOR_WEBHOOK_SECRET']);

/** What the error line shows of a bad value: it ends up in logs, so never a key or a URL's password. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'got nothing';
  if (SECRET_VARIABLES.has(name)) return `got ${value.length} characters, not shown`;
  return `got ${JSON.stringify(value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@'))}`;
}

/** One key per checkout, shared by every process started from it, created by whichever starts first. */
function developmentAdminKey(): { key: string; generated: boolean } {
  try {
    return { key: readFileSync(DEV_ADMIN_KEY_FILE, 'utf8').trim(), generated: false };
  } catch {
    const key = `hk_admin_${randomBytes(24).toString('base64url')}`;
    mkdirSync(dirname(DEV_ADMIN_KEY_FILE), { recursive: true });
    try {
      writeFileSync(DEV_ADMIN_KEY_FILE, key, { flag: 'wx', mode: 0o600 });
      return { key, generated: true };
    } catch {
      return { key: readFileSync(DEV_ADMIN_KEY_FILE, 'utf8').trim(), generated: false };
    }
  }
}
