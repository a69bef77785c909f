import type { ConsoleExtension, ConsolePanel } from '../slack/console-actions';
import type { Estate } from '../estate';
import type { SandboxWorkers } from './sandbox-workers';
import type { Spike5xx } from './spike-5xx';

/**
 * The sandbox's shards are small (about 0.5 MB: 1000 documents of 512 bytes), so "slow" must be very slow to
 * show: at 1 kB/s a drain takes about 9 clock minutes, 17 real seconds at the default 30×.
 */
const SLOW_RECOVERY_BYTES_PER_SEC = 1024;
/** Enough failed health reads that the runner's retry line shows in the thread, few enough that it recovers. */
const HEALTH_503_TIMES = 40;

export interface PanelDeps {
  estate: Estate;
  workers: SandboxWorkers;
  spike: Spike5xx;
  /** Real ms after which a SIGKILLed worker's job lock lapses (worker.lockDuration). */
  lockDurationMs: number;
}

/**
 * The sandbox's buttons in the console: kill and start worker processes (to watch a job resume), and the
 * fault knobs of knobs-api.ts one click away. Every answer says what happened and what to watch for next.
 */
export function sandboxPanel(d: PanelDeps): ConsoleExtension {
  const es = d.estate.es.cluster.knobs;
  const aws = d.estate.aws.sim.knobs;
  const defaults = { es: { ...es, neverJoin: new Set(es.neverJoin), faults: [...es.faults] }, aws: { ...aws, deny: new Set(aws.deny), faults: [...aws.faults] } };
  const lock = `${Math.round(d.lockDurationMs / 1000)} s`;

  const actions: Record<string, () => Promise<string>> = {
    'kill-worker': async () => {
      const killed = await d.workers.kill();
      if (!killed) return 'No worker is running: start one first.';
      const left = d.workers.list().length;
      return `Worker pid ${killed.pid} killed with SIGKILL. Its job's lock lapses after ${lock}; ${left ? `worker pid ${d.workers.list()[0].pid} then resumes it` : 'start a worker and it resumes it'} from the last recorded step ("Resumed by worker …" in the thread).`;
    },
    'start-worker': async () => {
      const w = await d.workers.start();
      return `Worker pid ${w.pid} started and waiting for jobs.`;
    },
    'never-join': async () => {
      // Node names are the Name tags `<group>-<slot>` (the sandbox sets no prefix), reused slot by slot: naming every slot covers "the next replacement".
      es.neverJoin = new Set(d.estate.aws.sim.groups().flatMap((g) => Array.from({ length: g.maxSize }, (_, i) => `${g.name}-${i + 1}`)));
      return 'From now on a replacement node boots but never joins the cluster: the upgrade waits for the join, then asks for help when its join timeout runs out. "Clear all faults" undoes it.';
    },
    'slow-recovery': async () => {
      es.recoveryBytesPerSec = SLOW_RECOVERY_BYTES_PER_SEC;
      return 'Shard recovery is now much slower (1 kB/s instead of 40 MB/s): drains and rebalancing take clock minutes. "Clear all faults" undoes it.';
    },
    'fail-boot': async () => {
      aws.failBoot += 1;
      return `The next ${aws.failBoot === 1 ? 'instance' : `${aws.failBoot} instances`} launched will fail to boot (Server.InternalError); the group launches another after its health check.`;
    },
    'http-5xx': async () => {
      es.faults = [...es.faults, { path: /^\/_cluster\/health/, status: 503, times: HEALTH_503_TIMES }];
      return `The next ${HEALTH_503_TIMES} GET _cluster/health calls answer HTTP 503: the bot retries with backoff and says so in the thread if it persists.`;
    },
    'spike-5xx': async () => {
      const until = d.spike.start();
      return `5xx spike started in the access logs (logstash-*): about 600 extra requests a clock minute, 60 % of them 5xx, until ${new Date(until).toISOString().slice(11, 19)} clock time. The "Spike in 5xxs" rule (sim/sandbox/rules) runs every clock minute: its alert thread opens in #elk-ops within a clock minute or two, and is marked resolved once no alert came for elastalert.alerts.quietPeriod.`;
    },
    'clear-faults': async () => {
      Object.assign(es, { ...defaults.es, neverJoin: new Set(defaults.es.neverJoin), faults: [...defaults.es.faults] });
      Object.assign(aws, { ...defaults.aws, deny: new Set(defaults.aws.deny), faults: [...defaults.aws.faults] });
      d.spike.stop();
      return 'All faults cleared: the simulators are back to their start-up knobs, and any 5xx spike has stopped.';
    },
  };

  return {
    panel: () => panel(d, es, aws),
    run: async (id) => {
      const act = actions[id];
      if (!act) throw new Error(`unknown action ${id}`);
      return act();
    },
  };
}

function panel(d: PanelDeps, es: Estate['es']['cluster']['knobs'], aws: Estate['aws']['sim']['knobs']): ConsolePanel {
  const workers = d.workers.list();
  const spike = d.spike.status();
  const faults = [
    es.neverJoin.size ? 'replacements never join' : '',
    es.recoveryBytesPerSec < 40 * 1024 * 1024 ? `recovery ${Math.round(es.recoveryBytesPerSec / 1024)} kB/s` : '',
    aws.failBoot ? `${aws.failBoot} boot failure${aws.failBoot > 1 ? 's' : ''} pending` : '',
    es.faults.length ? `${es.faults.reduce((n, f) => n + (f.times ?? 1), 0)} HTTP faults pending` : '',
    spike.active ? `5xx spike until ${new Date(spike.until!).toISOString().slice(11, 19)}` : '',
  ].filter(Boolean);
  return {
    title: 'Sandbox',
    lines: [
      workers.length ? `workers: ${workers.map((w) => `pid ${w.pid}`).join(', ')}` : 'workers: none — jobs wait in the queue',
      `faults: ${faults.length ? faults.join('; ') : 'none'}`,
    ],
    actions: [
      { id: 'kill-worker', group: 'Workers', label: 'Kill a worker', hint: 'SIGKILL the oldest worker process; its job resumes elsewhere', danger: true },
      { id: 'start-worker', group: 'Workers', label: 'Start a worker', hint: 'spawn another worker process' },
      { id: 'never-join', group: 'Faults', label: 'Node never joins', hint: 'replacement nodes boot but never join the cluster' },
      { id: 'slow-recovery', group: 'Faults', label: 'Slow recovery', hint: 'shard recovery at 1 kB/s instead of 40 MB/s' },
      { id: 'fail-boot', group: 'Faults', label: 'Failed boot', hint: 'the next launched instance fails to boot' },
      { id: 'http-5xx', group: 'Faults', label: 'HTTP 5xx', hint: `the next ${HEALTH_503_TIMES} GET _cluster/health answer 503` },
      { id: 'spike-5xx', group: 'Faults', label: 'Start a 5xx spike', hint: 'the simulated access logs (logstash-*) turn mostly 5xx for 10 clock minutes; the spike rule opens an alert thread' },
      { id: 'clear-faults', group: 'Faults', label: 'Clear all faults', hint: 'back to the start-up knobs' },
    ],
  };
}
