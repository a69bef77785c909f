/**
 * Preloaded (`--import`) into every worker process the harness spawns. A test process that dies without running
 * its cleanup (a vitest fork killed on timeout, a crash) would otherwise leave its workers retrying a Redis that
 * is gone, forever: when this process is re-parented, its test is gone, so it goes too.
 */
const original = process.ppid;
setInterval(() => {
  if (process.ppid !== original) process.kill(process.pid, 'SIGKILL');
}, 250).unref();

export {};
