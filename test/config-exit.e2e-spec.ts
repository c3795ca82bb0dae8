import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
    const { code, stdout, stderr } = await run('libs/database/src/migrate.main.ts', { [name]: value });

    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Invalid configuration: ${name} `))]);
    expect(stderr).not.toContain('hunter2');
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});
