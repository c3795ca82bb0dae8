import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function readVersion(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hookline' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

/** Hookline's version from package.json, found from both the sources and dist/. */
export const HOOKLINE_VERSION = readVersion(__dirname);
