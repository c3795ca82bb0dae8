import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Just enough of the Dockerfile and .dockerignore formats to replay a build outside a container:
 * there is no container engine where the tests run, so the deploy test runs each stage's commands
 * itself (test/deploy/dockerfile.e2e-spec.ts).
 */

export interface Instruction {
  op: string;
  /** Leading `--name=value` options (RUN --mount, COPY --from). */
  flags: Record<string, string>;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const globalArgs: Record<string, string> = {};
  const substitute = (value: string) => value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs[a ?? b] ?? '');
  const stages: Stage[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const { flags, args } = splitFlags(rest);
    const instruction = { op: op.toUpperCase(), flags, args };
    if (instruction.op === 'ARG' && stages.length === 0) {
      const [name, value = ''] = args.split('=');
      globalArgs[name] = value;
    } else if (instruction.op === 'FROM') {
      const [base, , name] = substitute(args).split(/\s+/);
      stages.push({ name: name ?? String(stages.length), base, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`Dockerfile: ${op} before FROM`);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (let m = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args); m; m = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args)) {
    flags[m[1]] = m[2] ?? 'true';
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

/** ENV's `KEY=value …` form (values unquoted or double-quoted). */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries([...args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map(([, k, v]) => [k, v.startsWith('"') ? JSON.parse(v) : v]));
}

/** The exec form (`["a", "b"]`); the shell form is `sh -c`. */
export function parseCommand(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
}

/** A .dockerignore pattern as a path regex: `*` within a segment, `**` across segments. */
function patternToRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => (part.startsWith('**') ? '(?:.*/)?' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Whether .dockerignore keeps `path` out of the context: a match on it or any folder above it; the last matching rule wins. */
export function dockerIgnored(patterns: string[], path: string): boolean {
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const regex = patternToRegex(negated ? raw.slice(1) : raw);
    if (prefixes.some((prefix) => regex.test(prefix))) ignored = !negated;
  }
  return ignored;
}

/** The files `docker build .` would send: what git knows of (tracked, or new and not gitignored) minus .dockerignore. */
export function buildContextFiles(root: string): string[] {
  const ignoreFile = join(root, '.dockerignore');
  const patterns = existsSync(ignoreFile)
    ? readFileSync(ignoreFile, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(listed.split('\0').filter(Boolean))].filter((file) => existsSync(join(root, file)) && !dockerIgnored(patterns, file));
}
