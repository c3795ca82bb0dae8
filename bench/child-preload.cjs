// Preloaded (node --require) into the Hookline processes the bench starts, which the bench spawns
// with an IPC channel. Changes nothing in them unless asked:
// - when the channel closes (the bench exited or was killed), the process stops itself with
//   SIGTERM, as an operator would, so no API or worker outlives the bench;
// - {type: 'bench:profile-start'} starts a V8 CPU profile; {type: 'bench:profile-stop'} writes it to
//   $BENCH_PROFILE_DIR/$BENCH_PROCESS_NAME[-label].cpuprofile and answers {type: 'bench:profile-written', file}.
// - with BENCH_MEMORY_LOG=1, every 5 s a `[memory]` line on stderr (so in its log under
//   bench/results/logs/): RSS, V8 heap total and used, external; the heap used just after each
//   collection is the floor to watch for a leak, the heap total is what V8 has sized the heap to.
// - with BENCH_LOOP_LOG=1, every second a `[loop]` line on stderr: the event loop's delay (p50, p99,
//   max) over that second and the garbage collector's pauses (count, longest, total), to tell a
//   thread that is busy from one that stops.
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

if (process.env.BENCH_LOOP_LOG === '1') {
  const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
  const startedAt = Date.now();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const pauses = [];
  new PerformanceObserver((list) => pauses.push(...list.getEntries().map((entry) => entry.duration))).observe({ entryTypes: ['gc'] });
  const ms = (ns) => (ns / 1e6).toFixed(1);
  setInterval(() => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
    const gc = pauses.splice(0);
    const longest = gc.length ? Math.max(...gc).toFixed(1) : '0';
    const total = gc.reduce((sum, pause) => sum + pause, 0).toFixed(1);
    process.stderr.write(
      `[loop] t=${seconds}s delay p50=${ms(delay.percentile(50))} p99=${ms(delay.percentile(99))} max=${ms(delay.max)} ms gc n=${gc.length} longest=${longest} total=${total} ms\n`,
    );
    delay.reset();
  }, 1_000).unref();
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
