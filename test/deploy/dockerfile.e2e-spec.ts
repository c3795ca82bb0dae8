import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import type { Instruction, Stage } from './dockerfile';
import { buildContextFiles, dockerIgnored, parseCommand, parseDockerfile, parseEnv } from './dockerfile';

/**
 * The Dockerfile, replayed without a container engine: every stage's COPY and RUN in a scratch
 * folder per stage (the stage's filesystem root), from the build context .dockerignore leaves, then
 * the image's ENTRYPOINT with each role against the local Postgres and Redis. One shortcut: the
 * build stage's dependencies are this checkout's node_modules, hard-linked (the full install would
 * double the time). The runtime's production-only install runs for real, offline from the npm
 * cache (CI's `npm ci` warms it), so a role that needs a devDependency fails here.
 */

const ROOT = join(__dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);
const runtime = stages[stages.length - 1];
const of = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
const imageEnv = Object.assign({}, ...of(runtime, 'ENV').map((i) => parseEnv(i.args))) as Record<string, string>;

/** A container's environment: no NODE_ENV, npm settings or anything else of the test process leaks in. */
const baseEnv = () => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root' });

let scratch: string;
const stageRoot = (name: string) => join(scratch, 'stages', name);

/** Hard links: a copy in a second, sharing the files. Caches and build stamps are made the copy's own. */
function linkCheckoutModules(into: string) {
  execFileSync('cp', ['-al', join(ROOT, 'node_modules'), into]);
  for (const own of ['.cache', '.vite', '.hookline']) rmSync(join(into, 'node_modules', own), { recursive: true, force: true });
  cpSync(join(ROOT, 'node_modules', '.hookline'), join(into, 'node_modules', '.hookline'), { recursive: true, dereference: true });
}

function run(command: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`\`${command.join(' ')}\` exited ${code}:\n${output.slice(-4000)}`))));
  });
}

/** Runs one stage; stages it copies from are awaited, the others run alongside. */
async function replayStage(stage: Stage, finished: Map<string, Promise<void>>, context: string[]): Promise<void> {
  const root = stageRoot(stage.name);
  mkdirSync(root, { recursive: true });
  let workdir = '/';
  const env: Record<string, string> = {};
  const inStage = (path: string) => join(root, isAbsolute(path) ? path : join(workdir, path));

  for (const instruction of stage.instructions) {
    switch (instruction.op) {
      case 'WORKDIR':
        workdir = instruction.args;
        mkdirSync(inStage('.'), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, parseEnv(instruction.args));
        break;
      case 'COPY':
        await copy(instruction, inStage, finished, context);
        break;
      case 'RUN':
        await runStep(instruction, inStage('.'), { ...baseEnv(), ...env });
        break;
    }
  }
}

async function copy(instruction: Instruction, inStage: (path: string) => string, finished: Map<string, Promise<void>>, context: string[]) {
  const parts = instruction.args.split(/\s+/);
  const dest = parts.pop()!;
  const into = dest.endsWith('/') || parts.length > 1;
  for (const src of parts) {
    if (instruction.flags.from) {
      await finished.get(instruction.flags.from);
      const from = join(stageRoot(instruction.flags.from), src);
      const to = into ? join(inStage(dest), src.split('/').pop()!) : inStage(dest);
      mkdirSync(dirname(to), { recursive: true });
      execFileSync('cp', ['-al', from, to]);
      continue;
    }
    const prefix = src === '.' ? '' : src.replace(/\/$/, '');
    const files = context.filter((file) => prefix === '' || file === prefix || file.startsWith(`${prefix}/`));
    if (!files.length) throw new Error(`COPY ${src}: nothing in the build context`);
    for (const file of files) {
      const target = file === prefix ? (into ? join(inStage(dest), file.split('/').pop()!) : inStage(dest)) : join(inStage(dest), relative(prefix, file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(ROOT, file), target);
    }
  }
}

async function runStep(instruction: Instruction, cwd: string, env: Record<string, string>) {
  const command = instruction.args;
  if (/^npm ci\b/.test(command) && !/--omit=dev/.test(command)) {
    linkCheckoutModules(cwd);
    return;
  }
  if (!/^npm ci\b/.test(command) && !existsSync(join(cwd, 'node_modules'))) {
    // scripts/prepare.js installs all dependencies itself: the stand-in is the same as above.
    linkCheckoutModules(cwd);
  }
  await run(parseCommand(/^npm ci\b/.test(command) ? `${command} --offline` : command), cwd, env);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number, detail = () => '') {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting until ${what}\n${detail()}`);
    await sleep(100);
  }
}

function composeApiHealthcheck(port: string): number {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const [form, program, ...args] = compose.services.api.healthcheck.test as string[];
  expect([form, program]).toEqual(['CMD', 'node']);
  const pointed = args.map((arg) => arg.replace('127.0.0.1:3000/', `127.0.0.1:${port}/`));
  try {
    execFileSync(process.execPath, pointed, { stdio: 'pipe', timeout: 10_000 });
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

interface Role {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describe('the Dockerfile', () => {
  const databaseName = `hookline_deploy_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = (() => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${databaseName}`;
    return url.toString();
  })();
  const running: Role[] = [];
  let roleEnv: Record<string, string>;

  function startRole(...args: string[]): Role {
    const entrypoint = parseCommand(of(runtime, 'ENTRYPOINT')[0].args);
    const [program, ...rest] = [...entrypoint, ...args];
    const child = spawn(join(stageRoot(runtime.name), program), rest, { cwd: join(stageRoot(runtime.name), 'app'), env: roleEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.on('data', (chunk) => (text += chunk));
    child.stderr!.on('data', (chunk) => (text += chunk));
    const role = { child, output: () => text, exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
    running.push(role);
    return role;
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'hookline-image-'));
    for (const dir of ['home', 'tmp']) mkdirSync(join(scratch, 'role', dir), { recursive: true });
    roleEnv = {
      ...baseEnv(),
      HOME: join(scratch, 'role/home'),
      TMPDIR: join(scratch, 'role/tmp'),
      ...imageEnv,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL!,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      ADMIN_API_KEY: `hk_admin_${randomBytes(16).toString('hex')}`,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      PORT: String(await freePort()),
      GRPC_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    for (const role of running) if (role.child.exitCode === null && role.child.signalCode === null) role.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.exited));
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin.end();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('builds with dev dependencies and runs a slim Node 20 image with production ones, as non-root, in production mode', () => {
    expect(stages.map((s) => s.base)).toEqual(stages.map(() => expect.stringMatching(/^node:20(\.\d+)*-[a-z]+-slim$/)));
    const build = stages.find((s) => of(s, 'RUN').some((i) => i.args === 'npm run build'));
    expect(build).toBeDefined();
    expect(of(runtime, 'RUN')).toEqual([]);
    expect(of(runtime, 'COPY').find((i) => i.flags.from === build!.name)?.args).toBe('/app/dist ./dist');
    const deps = of(runtime, 'COPY').find((i) => i.args.startsWith('/app/node_modules'))!;
    expect(
      of(
        stages.find((s) => s.name === deps.flags.from)!,
        'RUN',
      ).map((i) => i.args),
    ).toEqual([expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/)]);
    expect(imageEnv.NODE_ENV).toBe('production');
    const user = of(runtime, 'USER').pop()?.args ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(parseCommand(of(runtime, 'CMD')[0].args)).toEqual(['api']);
  });

  it('bakes in no secret and sends none to the build', () => {
    for (const stage of stages) {
      for (const instruction of [...of(stage, 'ENV'), ...of(stage, 'ARG')]) expect(instruction.args).not.toMatch(/KEY|SECRET|PASSWORD|TOKEN|DATABASE_URL/i);
    }
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    for (const path of ['.env', '.hookline/dev-admin-key', 'node_modules/x/index.js', 'web/node_modules/x.js', 'dist/apps/api/src/main.js', '.git/HEAD']) {
      expect([path, dockerIgnored(patterns, path)]).toEqual([path, true]);
    }
    for (const path of ['package.json', 'scripts/prepare.js', 'prisma/migrations', 'apps/api/src/main.ts', 'deploy/docker-entrypoint.sh']) {
      expect([path, dockerIgnored(patterns, path)]).toEqual([path, false]);
    }
  });

  it('replays every stage: the project build, the production-only install, the runtime layout', async () => {
    const context = buildContextFiles(ROOT);
    const finished = new Map<string, Promise<void>>();
    for (const stage of stages) finished.set(stage.name, replayStage(stage, finished, context));
    await Promise.all(finished.values());

    const app = join(stageRoot(runtime.name), 'app');
    for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/apps/cli/src/main.js', 'dist/libs/platform/database/src/migrate.main.js']) {
      expect([entry, existsSync(join(app, entry))]).toEqual([entry, true]);
    }
    // Tools only a build needs are not in the image.
    for (const tool of ['jest', 'ts-jest', 'tsx', '@nestjs/cli', 'vite']) expect([tool, existsSync(join(app, 'node_modules', tool))]).toEqual([tool, false]);
    expect(readdirSync(join(app, 'prisma/migrations')).length).toBeGreaterThan(0);
  }, 600_000);

  it('`migrate` creates the database and applies every migration', async () => {
    writeFileSync(join(scratch, 'before-roles'), '');
    const migrate = startRole('migrate');
    expect(await migrate.exited).toBe(0);
    expect(migrate.output()).toContain(`created database ${databaseName}`);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db.query('SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
    await db.end();
    expect(rows[0].n).toBe(readdirSync(join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((e) => e.isDirectory()).length);
  }, 60_000);

  it('`api` becomes ready on /readyz, passes the compose health check, and exits 0 on SIGTERM', async () => {
    const api = startRole('api');
    let status = 0;
    await waitUntil(
      'the API answers /readyz 200',
      async () => {
        if (api.child.exitCode !== null) throw new Error(`api exited ${api.child.exitCode}: ${api.output()}`);
        status = await fetch(`http://127.0.0.1:${roleEnv.PORT}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        return status === 200;
      },
      45_000,
      api.output,
    );
    expect((await fetch(`http://127.0.0.1:${roleEnv.PORT}/healthz`)).status).toBe(200);
    // docker-compose.yml's health check, pointed at this API's port: passes now, fails once it is gone.
    expect(composeApiHealthcheck(roleEnv.PORT)).toBe(0);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(composeApiHealthcheck(roleEnv.PORT)).toBe(1);
  }, 60_000);

  it('`worker` connects to Postgres and Redis and exits 0 on SIGTERM', async () => {
    const worker = startRole('worker');
    await waitUntil('the worker is ready', () => worker.output().includes('worker ready') || worker.child.exitCode !== null, 45_000, worker.output);
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 60_000);

  it('`cli …` runs an operator command', async () => {
    const cli = startRole('cli', 'stats', '--json');
    expect([await cli.exited, cli.output()]).toEqual([0, expect.stringContaining('"deliveries"')]);
  }, 60_000);

  it('names the roles when given an unknown one', async () => {
    const unknown = startRole('web');
    expect(await unknown.exited).toBe(64);
    expect(unknown.output()).toContain('expected api, worker, migrate or cli');
  });

  it('writes nothing inside the image, in its home or its temporary folder while the roles run, so a read-only root filesystem works', () => {
    const changed = execFileSync('find', [join(stageRoot(runtime.name), 'app'), '-newer', join(scratch, 'before-roles')], { encoding: 'utf8' });
    expect(changed.trim()).toBe('');
    expect(readdirSync(join(scratch, 'role/home'))).toEqual([]);
    expect(readdirSync(join(scratch, 'role/tmp'))).toEqual([]);
  });
});
