import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKeyring } from '@hookline/secrets';
import { ConfigError, loadConfig } from './app-config';
import type * as AppConfigModule from './app-config';
import { envSchema } from './config.schema';
import { parseDuration, parsePartitionSpan, parseSchedule } from './duration';

/** An admin key in every case that is not about it, so no test reads or writes .hookline/dev-admin-key. */
const ADMIN_API_KEY = 'hk_admin_test_0123456789abcdef';
const SECRETS_KEY_HEX = 'ab'.repeat(32);

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('defaults to the documented values', () => {
    const config = loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/hookline',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      GRPC_PORT: 50051,
      // 5s,5m,30m,2h,5h,10h,10h: the delays before attempts 2..8.
      RETRY_SCHEDULE: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      DELIVERY_TIMEOUT_MS: 15_000,
      MAX_PAYLOAD_BYTES: 262_144,
      ALLOW_PRIVATE_NETWORKS: false,
      RETENTION_DAYS: 30,
      PARTITION_SPAN: 86_400_000,
      adminKeySource: 'env',
      secretsKeySource: 'env',
      SECRETS_KEY_PREVIOUS: [],
    });
    expect(Number.isInteger(config.WORKER_CONCURRENCY) && config.WORKER_CONCURRENCY > 0).toBe(true);
  });

  it('uses a Redis Cluster with three delivery shards when REDIS_CLUSTER_NODES is set, one shard otherwise', () => {
    const single = loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX });
    expect([single.REDIS_CLUSTER_NODES, single.QUEUE_SHARDS]).toEqual([undefined, 1]);
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7000,[fd00::3]:6379' })).toMatchObject({
      REDIS_CLUSTER_NODES: [
        { host: 'redis-1', port: 6379 },
        { host: '10.0.0.2', port: 7000 },
        { host: 'fd00::3', port: 6379 },
      ],
      QUEUE_SHARDS: 3,
    });
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, REDIS_CLUSTER_NODES: 'redis-1:6379', QUEUE_SHARDS: '12' }).QUEUE_SHARDS).toBe(12);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, PORT: '', RETRY_SCHEDULE: '', SECRETS_KEY_PREVIOUS: '' })).toMatchObject({
      PORT: 3000,
      RETRY_SCHEDULE: expect.arrayContaining([5_000]),
    });
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      ADMIN_API_KEY,
      DATABASE_URL: 'postgres://app:pw@db.internal:5433/hooks',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      PORT: '8080',
      GRPC_PORT: '0',
      SECRETS_KEY: SECRETS_KEY_HEX,
      RETRY_SCHEDULE: '1s,2s',
      DELIVERY_TIMEOUT_MS: '2500',
      MAX_PAYLOAD_BYTES: '1024',
      ALLOW_PRIVATE_NETWORKS: 'true',
      WORKER_CONCURRENCY: '7',
      RETENTION_DAYS: '3',
    });
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://app:pw@db.internal:5433/hooks',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      PORT: 8080,
      GRPC_PORT: 0,
      RETRY_SCHEDULE: [1_000, 2_000],
      DELIVERY_TIMEOUT_MS: 2_500,
      MAX_PAYLOAD_BYTES: 1_024,
      ALLOW_PRIVATE_NETWORKS: true,
      WORKER_CONCURRENCY: 7,
      RETENTION_DAYS: 3,
    });
    expect(config.SECRETS_KEY.equals(Buffer.from(SECRETS_KEY_HEX, 'hex'))).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['GRPC_PORT', '-5'],
    ['RETRY_SCHEDULE', '5x'],
    ['RETRY_SCHEDULE', '5s,,5m'],
    ['DELIVERY_TIMEOUT_MS', '-1'],
    ['DELIVERY_TIMEOUT_MS', '1.5'],
    ['MAX_PAYLOAD_BYTES', '0'],
    ['ALLOW_PRIVATE_NETWORKS', 'maybe'],
    ['DATABASE_URL', 'mysql://root@db/hookline'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['SECRETS_KEY', 'too-short'],
    ['SECRETS_KEY', 'ab'.repeat(31)],
    ['SECRETS_KEY_PREVIOUS', `${'cd'.repeat(32)},short`],
    ['ADMIN_API_KEY', 'short'],
    ['WORKER_CONCURRENCY', 'lots'],
    ['RETENTION_DAYS', '0'],
    ['RETENTION_DAYS', '-0.5'],
    ['RETENTION_DAYS', 'a week'],
    ['PARTITION_SPAN', '7m'],
    ['PARTITION_SPAN', '2d'],
    ['PARTITION_SPAN', '30s'],
    ['PARTITION_SPAN', 'hourly'],
    ['RETENTION_INTERVAL_MS', '-1'],
    ['EGRESS_IPS', '203.0.113.7,not-an-ip'],
    ['EGRESS_PROXY_URL', 'socks5://proxy.internal:1080'],
    ['EGRESS_PROXY_URL', 'http://proxy.internal:3128/path'],
    ['NODE_ENV', 'prod'],
    ['REDIS_CLUSTER_NODES', 'redis-1'],
    ['REDIS_CLUSTER_NODES', 'redis-1:6379,redis://redis-2:6379'],
    ['REDIS_CLUSTER_NODES', 'redis-1:99999'],
    ['REDIS_CLUSTER_NODES', ','],
    ['QUEUE_SHARDS', '0'],
    ['QUEUE_SHARDS', '65'],
    ['QUEUE_PREFIX', '{hookline}'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).not.toContain('\n');
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} \\S`));
  });

  it.each([
    ['SECRETS_KEY', 'hunter2-hunter2'],
    ['SECRETS_KEY_PREVIOUS', 'hunter2-hunter2'],
    ['ADMIN_API_KEY', 'hunter2'],
    ['DATABASE_URL', 'mysql://root:hunter2@db/hookline'],
    ['REDIS_URL', 'http://:hunter2@127.0.0.1:6379'],
    ['EGRESS_PROXY_URL', 'https://egress:hunter2@proxy.internal:3128'],
  ])('never prints the secret in a bad %s', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect(message).not.toContain('hunter2');
  });

  it('still shows a bad value that is not secret, to make the mistake obvious', () => {
    expect(configError({ PORT: 'abc' })).toContain('"abc"');
    expect(configError({ DATABASE_URL: 'mysql://root:pw@db/hookline' })).toContain('mysql://root:***@db/hookline');
  });

  it('accepts SECRETS_KEY as 64 hex characters or as base64 of 32 bytes', () => {
    const bytes = Buffer.alloc(32, 0x5a);
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: bytes.toString('hex') }).SECRETS_KEY.equals(bytes)).toBe(true);
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: bytes.toString('base64') }).SECRETS_KEY.equals(bytes)).toBe(true);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads ALLOW_PRIVATE_NETWORKS=%s as %s', (value, expected) => {
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, ALLOW_PRIVATE_NETWORKS: value }).ALLOW_PRIVATE_NETWORKS).toBe(expected);
  });

  it('reads SECRETS_KEY_PREVIOUS as a comma-separated list of keys', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    const config = loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, SECRETS_KEY_PREVIOUS: `${a.toString('hex')}, ${b.toString('base64')}` });
    expect(config.SECRETS_KEY_PREVIOUS).toEqual([a, b]);
  });

  it('reads EGRESS_IPS as a list and EGRESS_PROXY_URL as given', () => {
    const config = loadConfig({
      ADMIN_API_KEY,
      SECRETS_KEY: SECRETS_KEY_HEX,
      EGRESS_IPS: ' 203.0.113.7, 2001:db8::1 ,198.51.100.0/28',
      EGRESS_PROXY_URL: 'http://egress:pw@proxy.internal:3128',
    });
    expect(config.EGRESS_IPS).toEqual(['203.0.113.7', '2001:db8::1', '198.51.100.0/28']);
    expect(config.EGRESS_PROXY_URL).toBe('http://egress:pw@proxy.internal:3128');
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX })).toMatchObject({ EGRESS_IPS: [], RETENTION_INTERVAL_MS: 600_000 });
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX }).EGRESS_PROXY_URL).toBeUndefined();
  });

  describe('in production, which is also what an unset NODE_ENV means', () => {
    const required = (names: string) => `Invalid configuration: ${names} required in production (NODE_ENV unset means production; npm start runs in development)`;

    it.each([{}, { NODE_ENV: 'production' }])('refuses to start without either key, naming both (%j)', (env) => {
      expect(() => loadConfig(env)).toThrow(new ConfigError(required('ADMIN_API_KEY and SECRETS_KEY are')));
    });

    it('refuses to start without ADMIN_API_KEY', () => {
      expect(() => loadConfig({ SECRETS_KEY: SECRETS_KEY_HEX })).toThrow(new ConfigError(required('ADMIN_API_KEY is')));
    });

    it('refuses to start without SECRETS_KEY', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY })).toThrow(new ConfigError(required('SECRETS_KEY is')));
    });

    it('starts with both, using exactly them', () => {
      const config = loadConfig({ NODE_ENV: 'production', ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX });
      expect(config).toMatchObject({ ADMIN_API_KEY, adminKeySource: 'env' });
      expect(config.SECRETS_KEY.equals(Buffer.from(SECRETS_KEY_HEX, 'hex'))).toBe(true);
    });
  });

  it('under NODE_ENV=test without SECRETS_KEY uses a random key, the same for the whole process', () => {
    const first = loadConfig({ NODE_ENV: 'test', ADMIN_API_KEY });
    expect(first.secretsKeySource).toBe('process');
    expect(first.SECRETS_KEY).toHaveLength(32);
    expect(loadConfig({ NODE_ENV: 'test', ADMIN_API_KEY }).SECRETS_KEY.equals(first.SECRETS_KEY)).toBe(true);
  });

  it('keeps no key in its source that anyone could read', () => {
    // Split so that this file does not contain it either.
    const formerPublicKey = ['hookline', 'development', 'secrets', 'key'].join('-');
    const sources = readdirSync(__dirname).filter((name) => name.endsWith('.ts'));
    expect(sources).toContain('app-config.ts');
    for (const name of sources) expect(readFileSync(join(__dirname, name), 'utf8')).not.toContain(formerPublicKey);
    const built = join(__dirname, '..', '..', '..', '..', 'dist', 'libs', 'platform', 'config', 'src', 'app-config.js');
    if (existsSync(built)) expect(readFileSync(built, 'utf8')).not.toContain(formerPublicKey);
  });

  it('in development generates one admin key per checkout in .hookline/dev-admin-key and reuses it', () => {
    const checkout = mkdtempSync(join(tmpdir(), 'hookline-config-'));
    const cwd = process.cwd();
    let isolated!: typeof AppConfigModule;
    try {
      // DEV_ADMIN_KEY_FILE is resolved against the working directory when the module loads.
      process.chdir(checkout);
      jest.isolateModules(() => {
        // A fresh copy of the module, loaded from the checkout as a new process would: only require does that synchronously.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        isolated = require('./app-config');
      });
    } finally {
      process.chdir(cwd);
    }
    try {
      const file = join(checkout, '.hookline', 'dev-admin-key');
      expect(isolated.DEV_ADMIN_KEY_FILE).toBe(join(checkout, '.hookline', 'dev-admin-key'));
      expect(existsSync(file)).toBe(false);

      const first = isolated.loadConfig({ NODE_ENV: 'development' });
      expect(first.adminKeySource).toBe('generated');
      expect(first.ADMIN_API_KEY).toMatch(/^hk_admin_[A-Za-z0-9_-]{32}$/);
      expect(readFileSync(file, 'utf8')).toBe(first.ADMIN_API_KEY);
      expect(statSync(file).mode & 0o077).toBe(0);

      const second = isolated.loadConfig({ NODE_ENV: 'development' });
      expect(second).toMatchObject({ adminKeySource: 'dev-file', ADMIN_API_KEY: first.ADMIN_API_KEY });
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('in development generates one random SECRETS_KEY per checkout in .hookline/dev-secrets-key (mode 600) and reuses it', () => {
    const checkout = mkdtempSync(join(tmpdir(), 'hookline-config-'));
    const cwd = process.cwd();
    let isolated!: typeof AppConfigModule;
    try {
      process.chdir(checkout);
      jest.isolateModules(() => {
        // A fresh copy of the module, loaded from the checkout as a new process would: only require does that synchronously.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        isolated = require('./app-config');
      });
    } finally {
      process.chdir(cwd);
    }
    try {
      const file = join(checkout, '.hookline', 'dev-secrets-key');
      expect(isolated.DEV_SECRETS_KEY_FILE).toBe(file);
      expect(existsSync(file)).toBe(false);

      const first = isolated.loadConfig({ NODE_ENV: 'development', ADMIN_API_KEY });
      expect(first.secretsKeySource).toBe('dev-file');
      expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(readFileSync(file, 'utf8'), 'hex').equals(first.SECRETS_KEY)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const sealed = new SecretKeyring(first.SECRETS_KEY).seal('whsec_dGhlIHNhbWUgc2VjcmV0IG5leHQgdGltZQ==');

      // The next start (a new process: a fresh module) reads the same key back.
      let restarted!: typeof AppConfigModule;
      process.chdir(checkout);
      try {
        jest.isolateModules(() => {
          // A fresh copy of the module, loaded from the checkout as a new process would: only require does that synchronously.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          restarted = require('./app-config');
        });
      } finally {
        process.chdir(cwd);
      }
      const second = restarted.loadConfig({ NODE_ENV: 'development', ADMIN_API_KEY });
      expect(new SecretKeyring(second.SECRETS_KEY).open(sealed)).toBe('whsec_dGhlIHNhbWUgc2VjcmV0IG5leHQgdGltZQ==');
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});

describe('README', () => {
  it('documents every variable in its configuration table, and no other', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]);
    const variables = Object.keys(envSchema.shape);
    expect({
      undocumented: variables.filter((name) => !documented.includes(name)),
      notInConfig: documented.filter((name) => !variables.includes(name)),
    }).toEqual({ undocumented: [], notInConfig: [] });
  });
});

describe('RETRY_SCHEDULE durations', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    [' 10h ', 36_000_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5', '5x', '5 s', 's', '-5s', '5sec', '1d'])('%s is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('parses a schedule of mixed units, and refuses it when any entry is bad', () => {
    expect(parseSchedule('250ms, 5s,2m,1h')).toEqual([250, 5_000, 120_000, 3_600_000]);
    expect(parseSchedule('5s,5x')).toBeNull();
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, RETRY_SCHEDULE: '250ms,5s,2m,1h' }).RETRY_SCHEDULE).toEqual([250, 5_000, 120_000, 3_600_000]);
  });
});

describe('PARTITION_SPAN and a fractional RETENTION_DAYS', () => {
  it.each([
    ['1d', 86_400_000],
    ['6h', 21_600_000],
    ['1h', 3_600_000],
    ['15m', 900_000],
    ['1m', 60_000],
    ['1440m', 86_400_000],
  ])('%s is a span of %d ms', (text, ms) => {
    expect(parsePartitionSpan(text)).toBe(ms);
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, PARTITION_SPAN: text }).PARTITION_SPAN).toBe(ms);
  });

  it.each(['7m', '5h', '2d', '30s', '90s', '1.5m', '0m', '25h', 'hourly'])('%s is not a span: whole minutes that divide a day, at most a day', (text) => {
    expect(parsePartitionSpan(text)).toBeNull();
  });

  it('names PARTITION_SPAN and the spans it takes', () => {
    expect(configError({ PARTITION_SPAN: '7m' })).toBe(
      'Invalid configuration: PARTITION_SPAN must be 1d or whole minutes that divide a day evenly, e.g. 6h, 1h, 15m, 1m (got "7m")',
    );
  });

  it('takes a fraction of a day as RETENTION_DAYS, for a retention of minutes', () => {
    expect(loadConfig({ ADMIN_API_KEY, SECRETS_KEY: SECRETS_KEY_HEX, RETENTION_DAYS: '0.0035' }).RETENTION_DAYS).toBe(0.0035);
    expect(configError({ RETENTION_DAYS: '0' })).toBe('Invalid configuration: RETENTION_DAYS must be a positive number of days, e.g. 30 or 0.5 (got "0")');
  });
});
