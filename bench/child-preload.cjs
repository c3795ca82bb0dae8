// Preloaded (node --require) into the Hookline processes the bench starts, which the bench spawns
// with an IPC channel. Changes nothing in them unless asked:
// - when the channel closes (the bench exited or was killed), the process stops itself with
//   SIGTERM, as an operator would, so no API or worker outlives the bench;
// - {type: 'bench:profile-start'} starts a V8 CPU profile; {type: 'bench:profile-stop'} writes it to
//   $BENCH_PROFILE_DIR/$BENCH_PROCESS_NAME[-label].cpuprofile and answers {type: 'bench:profile-written', file}.
// - with BENCH_MEMORY_LOG=1, every 5 s a `[memory]` line on stderr (so in its log under
//   bench/results/logs/): RSS, V8 heap total and used, external; the heap used just after each
//   collection is the floor to watch for a leak, the heap total is what V8 has sized the heap to.
// Not signals: Nest's enableShutdownHooks() treats SIGUSR2 (and most others) as "shut down".
'use strict';
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

if (process.env.BENCH_MEMORY_LOG === '1') {
  const startedAt = Date.now();
  const mib = (bytes) => Math.round(bytes / 1048576);
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    process.stderr.write(`[memory] t=${seconds}s rss=${mib(rss)} heapTotal=${mib(heapTotal)} heapUsed=${mib(heapUsed)} external=${mib(external)} MiB\n`);
  }, 5_000).unref();
}

if (process.send) {
  let session = null;
  const reply = (message) => process.connected && process.send(message);

  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.on('message', (message) => {
    if (message?.type === 'bench:profile-start' && session === null) {
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start', () => reply({ type: 'bench:profile-started' })));
    } else if (message?.type === 'bench:profile-stop' && session !== null) {
      const current = session;
      session = null;
      current.post('Profiler.stop', (error, result) => {
        current.disconnect();
        if (error) return reply({ type: 'bench:profile-failed', error: error.message });
        const dir = process.env.BENCH_PROFILE_DIR || process.cwd();
        const name = `${process.env.BENCH_PROCESS_NAME || process.pid}${message.label ? `-${message.label}` : ''}`;
        const file = join(dir, `${name}.cpuprofile`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(result.profile));
        reply({ type: 'bench:profile-written', file });
      });
    }
  });
  // The channel must not keep a process alive that would otherwise exit.
  process.channel?.unref();
}
