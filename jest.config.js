/**
 * Two passes over one fresh database: `redis`, every test against a single Redis (TEST_REDIS_URL);
 * `cluster`, the suites that lean on Redis again against a 3-node Redis Cluster on loopback
 * (scripts/redis-cluster.sh, started by its global setup) with three delivery shards.
 * One pass only: `npx jest --selectProjects redis` (or cluster).
 */
const { compilerOptions } = require('./tsconfig.json');

/** `@hookline/<lib>` aliases, from tsconfig.json's `paths` (the one list of libs). */
const libAliases = Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [path]]) => [`^${alias}$`, `<rootDir>/${path}`]));

const base = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: libAliases,
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

/** Deliveries, retries, rate limits, breakers, cancellations, the feed and Redis faults: what a cluster could break. */
const CLUSTER_SUITES = [
  'test/delivery/publish-and-deliver.e2e-spec.ts',
  'test/delivery/retries.e2e-spec.ts',
  'test/delivery/sweeper-window.e2e-spec.ts',
  'test/delivery/cancelled-never-sent.e2e-spec.ts',
  'test/delivery/faults.e2e-spec.ts',
  'test/operators/rate-limit.e2e-spec.ts',
  'test/operators/circuit-breaker.e2e-spec.ts',
  'test/operators/replays.e2e-spec.ts',
  'apps/api/src/feed/feed.e2e-spec.ts',
  'apps/api/src/metrics/metrics.e2e-spec.ts',
  'apps/api/src/queue-dashboard/queue-dashboard.e2e-spec.ts',
  'apps/api/src/grpc/watch-deliveries.e2e-spec.ts',
  'test/cluster/**/*.e2e-spec.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30_000,
  maxWorkers: 2,
  // A Jest worker keeps some of every file's memory (its module registry, its apps' caches): by the
  // end of a run its heap neared 2 GB, and a long file run there (the 25,000-row bulk job, whose API,
  // worker and receiver share the process) crawled late in a run, most likely in garbage collection. A worker past 1 GB
  // after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      ...base,
      displayName: 'redis',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts', '<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'],
      // Needs the cluster: runs in the cluster pass only.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
      globalSetup: '<rootDir>/test/global-setup.ts',
    },
    {
      ...base,
      displayName: 'cluster',
      testMatch: CLUSTER_SUITES.map((suite) => `<rootDir>/${suite}`),
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
      setupFiles: ['<rootDir>/test/cluster/cluster-env.ts'],
    },
  ],
};
