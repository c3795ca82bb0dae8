import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cyclesOf, importCycles, importsOf, resolveImport, ROOT, sourceFiles } from './support/import-graph';

/** Prisma's generated client is not ours to shape. */
const ours = (file: string) => !file.includes('/generated/');

describe('architecture', () => {
  const libs = sourceFiles('libs').filter(ours);

  it('finds the files it checks', () => {
    expect(libs).toContain('libs/delivery/signing/src/index.ts');
    expect(importsOf('test/support/test-api.ts').map((s) => resolveImport('test/support/test-api.ts', s))).toContain('apps/api/src/api.app.ts');
  });

  it('no file under libs/ imports from apps/, and no lib code from the tests', () => {
    // A lib's own tests may boot the apps through test/support; the lib itself may not.
    const isTest = (file: string) => /\.(e2e-)?spec\.ts$/.test(file);
    const upward = libs.flatMap((file) =>
      importsOf(file)
        .map((specifier) => resolveImport(file, specifier))
        .filter((target): target is string => target !== null && (target.startsWith('apps/') || (!isTest(file) && target.startsWith('test/'))))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycle inside libs/', () => {
    expect(importCycles(libs)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(cyclesOf(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });

  it('keeps every source file under apps/, libs/ and web/src at 400 lines or fewer', () => {
    const files = [...sourceFiles('apps'), ...libs, ...sourceFiles('web/src')].filter(ours);
    const long = files.map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1 })).filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });

  it('cites no file outside the repo (a clone has no ../shared, no SPEC): docs/contract.md is ours', () => {
    // Applied migrations keep their text: the migrator checks their checksums.
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|tsx|js|md|proto|json|yml|yaml)$/.test(file) && !file.startsWith('bench/results/') && file !== 'package-lock.json');
    const citing = tracked.filter((file) => /\bSPEC(\.md|\s+(section\s+)?\d)|\.\.\/shared\//.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(citing).toEqual([]);
  });
});
