import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parsePartitionSpan, parseSchedule } from './duration';

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ message: 'must be a port number' }).int('must be a whole number').min(0, 'must be 0..65535').max(65535, 'must be 0..65535');

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `must be ${what}` })
    .int(`must be ${what}`)
    .positive(`must be ${what}`);

/** 32 bytes as 64 hex characters or base64; null when the text is neither. */
export function parseSecretsKey(value: string): Buffer | null {
  const hex = /^[0-9a-fA-F]{64}$/.test(value);
  const base64 = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/.test(value);
  const bytes = hex ? Buffer.from(value, 'hex') : base64 ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  return bytes.length === 32 ? bytes : null;
}

const secretsKey = z.string().transform((value, ctx) => {
  const bytes = parseSecretsKey(value);
  if (!bytes) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64' });
    return z.NEVER;
  }
  return bytes;
});

/** Keys that decrypt only, during a SECRETS_KEY rotation: comma-separated, each like SECRETS_KEY. */
const previousSecretsKeys = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const keys = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseSecretsKey);
    if (keys.some((key) => key === null)) {
      ctx.addIssue({ code: 'custom', message: 'must be comma-separated keys, each 32 bytes as 64 hex characters or base64' });
      return z.NEVER;
    }
    return keys as Buffer[];
  });

/** `host:port` pairs, comma-separated: the nodes ioredis first asks for the cluster's layout. */
const clusterNodes = z.string().transform((value, ctx) => {
  const nodes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseHostPort);
  if (nodes.length === 0 || nodes.some((node) => node === null)) {
    ctx.addIssue({ code: 'custom', message: 'must be comma-separated host:port pairs, e.g. redis-1:6379,redis-2:6379' });
    return z.NEVER;
  }
  return nodes as ClusterNodeAddress[];
});

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** `host:port` or `[v6]:port`; null for anything else. */
export function parseHostPort(text: string): ClusterNodeAddress | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

function isHttpProxyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && url.hostname !== '' && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** Environment variables as documented in README.md#configuration, with their defaults. */
export const envSchema = z
  .object({
    // Unset means production: only `npm start` (scripts/start.js) implies development.
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgresql:// URL')
      .default('postgresql://postgres:postgres@127.0.0.1:5432/hookline'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/.+/, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    // Redis Cluster (docs/decisions/sharding.md): when set, REDIS_URL gives only credentials and TLS.
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    // Delivery queues; unset means 1 on a single Redis and 3 on a cluster (app-config.ts).
    QUEUE_SHARDS: positiveInt('a positive whole number').max(64, 'must be at most 64').optional(),
    PORT: port.default(3000),
    GRPC_PORT: port.default(50051),
    ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    SECRETS_KEY: secretsKey.optional(),
    SECRETS_KEY_PREVIOUS: previousSecretsKeys,
    RETRY_SCHEDULE: z
      .string()
      .default('5s,5m,30m,2h,5h,10h,10h')
      .transform((value, ctx) => {
        const delays = parseSchedule(value);
        if (delays === null) {
          ctx.addIssue({ code: 'custom', message: 'must be comma-separated durations like 5s,5m,2h (units ms, s, m, h)' });
          return z.NEVER;
        }
        return delays;
      }),
    DELIVERY_TIMEOUT_MS: positiveInt('a positive number of milliseconds').default(15_000),
    MAX_PAYLOAD_BYTES: positiveInt('a positive number of bytes').default(262_144),
    ALLOW_PRIVATE_NETWORKS: booleanFlag.default(false),
    WORKER_CONCURRENCY: positiveInt('a positive whole number').default(200),
    // Of those, how many a backlog may have doing the worker's own work while a quiet tenant has work (docs/decisions/fair-tenants.md).
    WORKER_BACKLOG_SLOTS: positiveInt('a positive whole number').default(64),
    // A fraction is allowed (0.0035 is about 5 minutes), for a test or a bench; PARTITION_SPAN should then be finer.
    RETENTION_DAYS: z.coerce.number({ message: 'must be a positive number of days, e.g. 30 or 0.5' }).positive('must be a positive number of days, e.g. 30 or 0.5').default(30),
    // Parsed to ms: how much time each partition of events, deliveries and attempts holds.
    PARTITION_SPAN: z
      .string()
      .default('1d')
      .transform((value, ctx) => {
        const span = parsePartitionSpan(value);
        if (span === null) {
          ctx.addIssue({ code: 'custom', message: 'must be 1d or whole minutes that divide a day evenly, e.g. 6h, 1h, 15m, 1m' });
          return z.NEVER;
        }
        return span;
      }),
    RETENTION_INTERVAL_MS: z.coerce
      .number({ message: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(0, 'must be 0 (off) or more milliseconds')
      .default(600_000),
    EGRESS_IPS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every((s) => ipaddr.isValid(s) || ipaddr.isValidCIDR(s)), 'must be comma-separated IP addresses or CIDR ranges'),
    EGRESS_PROXY_URL: z.string().refine(isHttpProxyUrl, 'must be http://host:port, optionally with user:password@').optional(),
    // No braces: on a cluster Hookline puts the hash tags in itself, one per queue and per group of keys.
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_:-]{1,64}$/, 'must be 1..64 letters, digits, _ : -')
      .default('hookline'),
    SWEEP_INTERVAL_MS: positiveInt('a positive number of milliseconds').default(5_000),
    // Fair tenants (README "Fair tenants"): a tenant with more than this many deliveries queued (and
    // as many queued within FAIR_SHARE_WINDOW_MS) goes behind those that have not. 0 turns the lanes off.
    FAIR_SHARE_QUEUED_JOBS: z.coerce
      .number({ message: 'must be a whole number of deliveries' })
      .int('must be a whole number of deliveries')
      .min(0, 'must be 0 (off) or more deliveries')
      .default(100),
    FAIR_SHARE_WINDOW_MS: positiveInt('a positive number of milliseconds').default(10_000),
    API_RATE_LIMIT_PER_SECOND: positiveInt('a positive whole number').default(1000),
    // Endpoint health and operators (docs/contract.md#delivery-semantics): see docs/operators.md.
    ENDPOINT_MAX_IN_FLIGHT: positiveInt('a positive whole number').default(50),
    BREAKER_FAILURE_THRESHOLD: positiveInt('a positive whole number').default(5),
    BREAKER_OPEN_AFTER_MS: z.coerce
      .number({ message: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(0, 'must be 0 or more milliseconds')
      .default(60_000),
    BREAKER_COOLDOWN_MS: positiveInt('a positive number of milliseconds').default(60_000),
    PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http(s) URL without query or fragment')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    OPERATOR_WEBHOOK_URL: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .optional(),
    OPERATOR_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be whsec_ followed by base64 of at least 24 bytes')
      .optional(),
    // Customer portal and console branding (see README).
    PORTAL_TITLE: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters').default('Webhooks'),
    PORTAL_LOGO_URL: z
      .string()
      .regex(/^https?:\/\/[^\s"'<>]+$/, 'must be an http(s) URL')
      .optional(),
    PORTAL_ACCENT_COLOR: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #4f46e5')
      .default('#4f46e5'),
    PORTAL_REFRESH_URL: z
      .string()
      .regex(/^https?:\/\/[^\s"'<>]+$/, 'must be an http(s) URL')
      .optional(),
    PORTAL_FRAME_ANCESTORS: z
      .string()
      .regex(/^[^\s;,]+( [^\s;,]+)*$/, "must be CSP sources separated by single spaces, e.g. 'self' https://app.example.com")
      .default("'self'"),
    // OpenTelemetry tracing (docs/observability.md). The SDK reads these itself, before this config
    // loads (libs/platform/tracing); they are listed to be documented and for a bad value to be refused here too.
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
      .optional(),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json'], { message: 'must be http/protobuf or http/json' }).optional(),
    OTEL_SERVICE_NAME: z.string().optional(),
    OTEL_TRACES_SAMPLER: z.string().optional(),
    OTEL_TRACES_SAMPLER_ARG: z.string().optional(),
    OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
    OTEL_SDK_DISABLED: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.OPERATOR_WEBHOOK_URL && !env.OPERATOR_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['OPERATOR_WEBHOOK_SECRET'], message: 'is required when OPERATOR_WEBHOOK_URL is set' });
    }
  });

export type Env = z.output<typeof envSchema>;
