#!/usr/bin/env node
// Brings a checkout to a runnable state using Node built-ins only (it runs before node_modules
// exists): `npm ci` when dependencies are missing or stale, `prisma generate` when the schema
// changed, `buf generate` (gRPC contract) when a .proto changed, the web UI (portal and console)
// when web/ or openapi.json changed, and with --build a compile of apps/ and libs/ when sources
// changed.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { join } = require('node:path');

const root = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
const digest = (...files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(join(root, file)));
  return hash.digest('hex');
};
const stampFile = (name) => join(root, 'node_modules', '.hookline', name);
const stamped = (name, value) => existsSync(stampFile(name)) && readFileSync(stampFile(name), 'utf8') === value;
const stamp = (name, value) => {
  mkdirSync(join(root, 'node_modules', '.hookline'), { recursive: true });
  writeFileSync(stampFile(name), value);
};

function install() {
  const lock = digest('package-lock.json');
  if (existsSync(join(root, 'node_modules', '.bin')) && stamped('lock', lock)) return;
  console.log('[prepare] installing dependencies (npm ci)');
  run(npm, ['ci', '--no-audit', '--no-fund']);
  stamp('lock', lock);
}

function generate() {
  const schema = digest('prisma/schema.prisma', 'package-lock.json');
  const client = join(root, 'libs/platform/database/src/generated/prisma/client.ts');
  if (existsSync(client) && stamped('schema', schema)) return;
  console.log('[prepare] generating the Prisma client');
  // The schema engine is only needed by `prisma migrate`; generate just wants the path to exist.
  run(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || __filename,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  });
  stamp('schema', schema);
}

function protoFiles(dir = 'proto') {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? protoFiles(join(dir, entry.name)) : /\.(proto|ya?ml)$/.test(entry.name) ? [join(dir, entry.name)] : []))
    .sort();
}

// TypeScript messages and @grpc/grpc-js service definitions from proto/ (docs/contract.md#grpc): buf
// (its binary comes in a per-platform npm package) runs ts-proto as a local plugin.
function generateGrpc() {
  const sources = protoFiles();
  const contract = digest(...sources, 'package-lock.json') + sources.join(',');
  const out = join(root, 'libs/ingest/grpc-contract/src/generated');
  if (existsSync(join(out, 'hookline/v1/events.ts')) && stamped('grpc', contract)) return;
  console.log('[prepare] generating the gRPC contract');
  rmSync(out, { recursive: true, force: true });
  run(process.execPath, [join(root, 'node_modules/@bufbuild/buf/bin/buf'), 'generate', 'proto', '--template', 'proto/buf.gen.yaml'], {
    BUF_CACHE_DIR: process.env.BUF_CACHE_DIR || join(root, 'node_modules', '.cache', 'buf'),
  });
  stamp('grpc', contract);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function build() {
  const sources = String(Math.max(newestMtime(join(root, 'apps')), newestMtime(join(root, 'libs'))));
  const outputs = ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js'];
  if (outputs.every((f) => existsSync(join(root, f))) && stamped('build', sources)) return;
  console.log('[prepare] compiling apps and libs');
  // One program: tsconfig.build.json includes both apps, so building `api` emits the worker too.
  run(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'api']);
  stamp('build', sources);
}

function webSources(dir = 'web') {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => !(entry.isDirectory() && entry.name === 'generated'))
    .flatMap((entry) => (entry.isDirectory() ? webSources(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

// The portal and console (web/): API types from openapi.json, a type-check (Vite only strips
// types), then the Vite build into dist/web/ with hashed assets.
function buildWeb() {
  const sources = webSources();
  const inputs = digest(...sources, 'openapi.json', 'package-lock.json') + sources.join(',');
  if (existsSync(join(root, 'dist/web/portal/index.html')) && stamped('web', inputs)) return;
  console.log('[prepare] building the web UI (portal and console)');
  const bin = (path) => join(root, 'node_modules', path);
  run(process.execPath, [bin('openapi-typescript/bin/cli.js'), 'openapi.json', '-o', 'web/src/api/generated/openapi.ts', '--silent']);
  run(process.execPath, [bin('typescript/bin/tsc'), '-p', 'web', '--noEmit']);
  run(process.execPath, [bin('vite/bin/vite.js'), 'build', '--config', 'web/vite.config.mts', '--logLevel', 'warn']);
  reportBundleBudget();
  stamp('web', inputs);
}

/** Initial JS per page (its entry script and module preloads), gzipped, against the 250 KB budget. */
function reportBundleBudget() {
  const { gzipSync } = require('node:zlib');
  const budget = 250 * 1024;
  for (const page of ['portal', 'console']) {
    const html = readFileSync(join(root, 'dist/web', page, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const bytes = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(root, 'dist/web', file))).length, 0);
    console.log(`[prepare] ${page}: initial JS ${(bytes / 1024).toFixed(1)} KB gzipped (budget 250 KB)`);
    if (bytes > budget) throw new Error(`the ${page} page's initial JS is over its 250 KB budget`);
  }
}

install();
generate();
generateGrpc();
buildWeb();
if (process.argv.includes('--build')) build();
