#!/usr/bin/env node
// `npm start`: prepare the checkout, then run the API and the worker side by side. Ctrl-C or
// SIGTERM stops both; if either exits on its own, the other is stopped too. The only thing that
// implies development: without NODE_ENV the compiled entry points run as production.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'prepare.js'), '--build'], { cwd: root, stdio: 'inherit' });

const env = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };
const children = ['api', 'worker'].map((name) => {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, `dist/apps/${name}/src/main.js`)], { cwd: root, stdio: 'inherit', env });
  child.name = name;
  return child;
});

let stopping = false;
let exitCode = 0;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}

for (const child of children) {
  child.on('exit', (code, signal) => {
    if (!stopping && (code !== 0 || signal)) console.error(`[start] ${child.name} exited (${signal ?? code}); stopping the other process`);
    if (code) exitCode = exitCode || code;
    stopAll('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll('SIGTERM'));
