import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
// The schema itself, not the loader: the manifests are checked without reading this process's environment.
import { envSchema } from '../../libs/platform/config/src/config.schema';

/**
 * The Kubernetes manifests and the compose file, checked against the code they deploy: valid
 * Kubernetes objects, only variables the config schema knows, probes and ports the API serves, and
 * grace periods long enough for a worker to finish its attempts in flight.
 */

const ROOT = join(__dirname, '../..');
const K8S_DIR = join(ROOT, 'deploy/kubernetes');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// Parsed YAML of any shape, read field by field in the checks below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

function loadYaml(path: string): Obj[] {
  // merge: Compose files use YAML merge keys (<<: *anchor).
  return parseAllDocuments(read(path), { merge: true }).map((doc) => {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
    return doc.toJS() as Obj;
  });
}

const kustomization = loadYaml('deploy/kubernetes/kustomization.yaml')[0];
const objects: Obj[] = (kustomization.resources as string[]).flatMap((file) => loadYaml(`deploy/kubernetes/${file}`));
const find = (kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const configMap = find('ConfigMap', 'hookline-config');
const secret = find('Secret', 'hookline-secrets');
const api = find('Deployment', 'hookline-api');
const worker = find('Deployment', 'hookline-worker');
const migrateJob = find('Job', 'hookline-migrate');
const workloads = [api, worker, migrateJob];
const podSpec = (workload: Obj) => workload.spec.template.spec;
const containers = (workload: Obj): Obj[] => podSpec(workload).containers;

const schemaVariables = new Set(Object.keys(envSchema.shape));
const defaults = envSchema.parse({});

/** The settings a container of the manifests starts with, given real secret values. */
function manifestEnv(container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, find('ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) Object.assign(env, find('Secret', source.secretRef.name).stringData);
  }
  for (const variable of container.env ?? []) env[variable.name] = variable.value;
  return env;
}

const REAL_SECRETS = {
  ADMIN_API_KEY: 'a-real-admin-key-of-enough-length',
  SECRETS_KEY: 'ab'.repeat(32),
  DATABASE_URL: 'postgresql://hookline:pw@postgres.example.internal:5432/hookline',
};

describe('deploy/kubernetes', () => {
  it('lists every manifest of the folder in kustomization.yaml', () => {
    const files = readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it.each(
    [...objects, ...readdirSync(join(K8S_DIR, 'examples')).flatMap((f) => loadYaml(`deploy/kubernetes/examples/${f}`))]
      .filter((o) => !o.apiVersion.includes('.'))
      .map((o) => [`${o.kind} ${o.metadata.name}`, o]),
  )('%s is a valid Kubernetes object', (_, object) => {
    // The model module depends on the object's apiVersion: a computed path, so require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const models = require(`kubernetes-models/${object.apiVersion}`);
    const Model = models[object.kind];
    expect(Model).toBeDefined();
    expect(() => new Model(object).validate()).not.toThrow();
  });

  it('sets only variables the config schema knows, and values it accepts', () => {
    for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) expect(schemaVariables).toContain(key);
    for (const workload of workloads) {
      for (const container of containers(workload)) {
        for (const key of Object.keys(manifestEnv(container))) expect(schemaVariables).toContain(key);
        const parsed = envSchema.safeParse({ ...manifestEnv(container), ...REAL_SECRETS });
        expect(parsed.error?.issues ?? []).toEqual([]);
        expect(parsed.data?.NODE_ENV).toBe('production');
      }
    }
  });

  it('ships a Secret of placeholders that the config rejects, so an unfilled Secret stops every pod at start', () => {
    expect(Object.keys(secret.stringData).sort()).toEqual(['ADMIN_API_KEY', 'DATABASE_URL', 'SECRETS_KEY']);
    for (const [name, placeholder] of Object.entries(secret.stringData as Record<string, string>)) {
      const parsed = envSchema.safeParse({ ...REAL_SECRETS, [name]: placeholder });
      // ADMIN_API_KEY's placeholder is too short to be a key.
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0].path[0]).toBe(name);
    }
    expect(secret.data).toBeUndefined();
  });

  it('runs each workload with a role the image entrypoint knows', () => {
    const entrypoint = read('deploy/docker-entrypoint.sh');
    const roles = [...entrypoint.matchAll(/^\s+([a-z]+)\)\s+exec /gm)].map((m) => m[1]);
    expect(roles.sort()).toEqual(['api', 'cli', 'migrate', 'worker']);
    expect(containers(api)[0].args).toEqual(['api']);
    expect(containers(worker)[0].args).toEqual(['worker']);
    expect(containers(migrateJob)[0].args).toEqual(['migrate']);
    for (const workload of workloads) for (const container of containers(workload)) expect(container.image).toBe(kustomization.images[0].name);
  });

  it('probes the paths the API serves, on the ports it listens on', () => {
    const health = read('apps/api/src/health/health.controller.ts');
    expect(health).toContain("@Get('readyz')");
    expect(health).toContain("@Get('healthz')");
    const [container] = containers(api);
    const ports = Object.fromEntries((container.ports as Obj[]).map((p) => [p.name, p.containerPort]));
    const env = envSchema.parse({ ...manifestEnv(container), ...REAL_SECRETS });
    expect(ports).toEqual({ http: env.PORT, grpc: env.GRPC_PORT });
    expect([env.PORT, env.GRPC_PORT]).toEqual([defaults.PORT, defaults.GRPC_PORT]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });

    const service = find('Service', 'hookline-api');
    expect(service.spec.selector).toEqual(api.spec.template.metadata.labels);
    expect(service.spec.ports.map((p: Obj) => p.targetPort).sort()).toEqual(Object.keys(ports).sort());
  });

  it("gives workers a grace period longer than one attempt's DELIVERY_TIMEOUT_MS", () => {
    const env = envSchema.parse({ ...manifestEnv(containers(worker)[0]), ...REAL_SECRETS });
    expect(podSpec(worker).terminationGracePeriodSeconds * 1000).toBeGreaterThan(env.DELIVERY_TIMEOUT_MS);
    expect(podSpec(worker).terminationGracePeriodSeconds * 1000).toBeGreaterThan(defaults.DELIVERY_TIMEOUT_MS);
  });

  it('runs every container as non-root on a read-only root filesystem, with requests and limits', () => {
    for (const workload of workloads) {
      const pod = podSpec(workload);
      for (const container of pod.containers) {
        expect(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
        expect(container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
        expect(container.resources.limits).toEqual(expect.objectContaining({ memory: expect.anything() }));
      }
    }
  });

  it('points the disruption budgets and the autoscaler at the Deployments', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.spec.selector.matchLabels)).toEqual(expect.arrayContaining([api.spec.selector.matchLabels, worker.spec.selector.matchLabels]));
    for (const deployment of [api, worker]) expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(deployment.spec.selector.matchLabels));
    const hpa = find('HorizontalPodAutoscaler', 'hookline-worker');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: worker.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(worker.spec.replicas).toBeUndefined();
  });

  it('scales on queue depth in the KEDA example with metrics the API exports', () => {
    const registry = read('apps/api/src/metrics/metrics.registry.ts');
    const [scaledObject] = loadYaml('deploy/kubernetes/examples/keda-scaledobject.yaml');
    expect(scaledObject.spec.scaleTargetRef.name).toBe(worker.metadata.name);
    for (const trigger of scaledObject.spec.triggers) {
      const metrics = [...(trigger.metadata.query as string).matchAll(/\b(hookline_[a-z_]+)/g)].map((m) => m[1]);
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) expect(registry).toContain(`'${metric}'`);
    }
  });
});

describe('docker-compose.yml', () => {
  const [compose] = loadYaml('docker-compose.yml');
  const services = compose.services as Record<string, Obj>;

  /** ${VAR:-default} as Compose resolves it when VAR is unset. */
  const resolve = (value: unknown) => String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
  const appEnv = (name: string) => Object.fromEntries(Object.entries(services[name].environment as Obj).map(([k, v]) => [k, resolve(v)]));

  it('keeps the dependencies-only use: postgres and redis start without a profile, the app only with `app`', () => {
    expect(services.postgres.profiles).toBeUndefined();
    expect(services.redis.profiles).toBeUndefined();
    for (const name of ['migrate', 'api', 'worker']) expect(services[name].profiles).toEqual(['app']);
    expect(services.postgres.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(services.redis.ports).toEqual(['127.0.0.1:6379:6379']);
  });

  it('runs Redis with noeviction and AOF, and health-checks both dependencies', () => {
    expect(services.redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(services.redis.command.join(' ')).toContain('--appendonly yes');
    expect(services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it('migrates first, then starts the API (health-checked on /readyz) and two workers', () => {
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.api.command).toEqual(['api']);
    expect(services.worker.command).toEqual(['worker']);
    expect(services.worker.deploy.replicas).toBe(2);
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(services.api.healthcheck.test.join(' ')).toContain(`127.0.0.1:${defaults.PORT}/readyz`);
    expect(services.api.ports).toEqual([`127.0.0.1:${defaults.PORT}:${defaults.PORT}`, `127.0.0.1:${defaults.GRPC_PORT}:${defaults.GRPC_PORT}`]);
  });

  it('sets only variables the config schema knows; the values it accepts once ADMIN_API_KEY and SECRETS_KEY are given', () => {
    for (const name of ['migrate', 'api', 'worker']) {
      const env = appEnv(name);
      for (const key of Object.keys(env)) expect(schemaVariables).toContain(key);
      expect(env.NODE_ENV).toBe('production');
      // Left unset, production mode refuses to start; given, everything parses.
      expect(env.ADMIN_API_KEY).toBe('');
      expect(env.SECRETS_KEY).toBe('');
      const parsed = envSchema.safeParse({ ...env, ADMIN_API_KEY: REAL_SECRETS.ADMIN_API_KEY, SECRETS_KEY: REAL_SECRETS.SECRETS_KEY });
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    expect(compose['x-hookline'].environment.ADMIN_API_KEY).toBe('${ADMIN_API_KEY:-}');
  });

  it("stops workers with a grace period longer than one attempt's DELIVERY_TIMEOUT_MS", () => {
    const grace = /^(\d+)s$/.exec(services.worker.stop_grace_period);
    expect(grace).not.toBeNull();
    expect(Number(grace![1]) * 1000).toBeGreaterThan(Number(appEnv('worker').DELIVERY_TIMEOUT_MS));
  });
});
