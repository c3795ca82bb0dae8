import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from './support';

const ROOT = join(__dirname, '..');
// tsx's CLI run by this node directly: `npx tsx` would add npm's own warnings to stderr.
const TSX_CLI = require.resolve('tsx/cli');

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, script], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a bad configuration stops the process', () => {
  // Concurrent: each spawn spends most of its time compiling and loading modules.
  it.concurrent.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://root:hunter2@127.0.0.1/hookline'],
    ['SECRETS_KEY', 'hunter2'],
  ])('db:migrate with %s=%s exits 1 with one stderr line naming the variable', async (name, value) => {
    const { code, stdout, stderr } = await run('libs/platform/database/src/migrate.main.ts', { [name]: value });

    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Invalid configuration: ${name} `))]);
    expect(stderr).not.toContain('hunter2');
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});

describe('a compiled entry point started without NODE_ENV runs as production', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it.concurrent.each([
    ['api', ['dist/apps/api/src/main.js']],
    ['worker', ['dist/apps/worker/src/main.js']],
    ['cli', ['dist/apps/cli/src/main.js', 'stats']],
  ])('the %s refuses to start without ADMIN_API_KEY and SECRETS_KEY: exit 1, one line naming both', async (_name, args) => {
    const env = { ...process.env };
    for (const name of ['NODE_ENV', 'ADMIN_API_KEY', 'SECRETS_KEY', 'SECRETS_KEY_PREVIOUS']) delete env[name];
    const { code, stdout, stderr } = await runNode(args, env);

    expect(stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration: ADMIN_API_KEY and SECRETS_KEY are required in production (NODE_ENV unset means production; npm start runs in development)',
    ]);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
