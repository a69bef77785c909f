import { seededRandom } from '../../sim/seeded-random';
import { ChaosProxy, type ChaosRule } from '../soak/chaos-proxy';

/**
 * Transient trouble on the bot's own connections, for the job-level tests: the soak's chaos proxy in front of
 * the Elasticsearch and AWS simulators, seen only by the bot (the watcher and the acked writer talk to the
 * simulators directly, so the figures they grade by are undisturbed). The simulators' own fault knobs would
 * hit the watcher and the writer too, and the AWS one has no throttle (AWS answers a throttle with HTTP 400
 * and a code, which the proxy writes in each service's own XML).
 *
 * How hard the windows may hit is bounded by the runner's retry budget: 3 minutes of clock time, never less
 * than 15 s real (src/runner/retry-transient.ts). So an ES window answers a few requests, each hit with
 * probability ½ (at most two windows pending: four failures in a row), and an AWS throttle window throttles a
 * bounded number of requests: enough to make the SDK give up on a call once (the runner then retries it),
 * never enough to exhaust the budget.
 */
export interface TransientFaults {
  /** For startHarness: the bot's Elasticsearch and AWS traffic goes through the proxies. */
  clusterConfig: { elasticsearch: { url: string }; aws: { endpoint: string } };
  es: ChaosProxy;
  aws: ChaosProxy;
  /** Puts `rule` on `target` for `forMs` real ms; returns a function that takes it off at once. */
  open(target: 'es' | 'aws', rule: ChaosRule, forMs: number): () => void;
  /**
   * Every `everyMs` real ms one window, in turn: ES 503 (the client's own retries absorb most), an AWS
   * throttle of `awsThrottles` requests, ES 429 (the client does not retry it: the runner does), a throttle.
   * An ES window is counted, not timed: it stays on until it has answered `esTimes` requests (each hit with
   * probability `esRate`), and the next window of its kind waits for it. A window in wall time can fall while
   * the worker is down after a kill or the job is parked on a question, and a job that makes few calls (a
   * reindex: long polls) met no 503 at all in one CI run.
   */
  cycle(o?: { everyMs?: number; esTimes?: number; esRate?: number; awsThrottles?: number; awsMs?: number }): void;
  /**
   * The persistent case: a 429 on every request matching `match` ("METHOD path action", default
   * `GET /_cluster/health`) until the runner has retried a call its
   * `reportAfter` times and said so in the thread (`said()`). Each window lasts at most 600 ms real (150 s of
   * clock at 250×, inside the 3-minute budget even for a call that began failing as it opened); if nothing was
   * said (no such read happened meanwhile: the worker was down, say) it is tried again a second later, up to
   * `tries` times or until stop(). The cycle's ES windows pause meanwhile and for a second after, so no call's
   * failures run on past the budget. Resolves with the number of windows opened.
   */
  persistent429(said: () => boolean, o?: { match?: RegExp; windowMs?: number; tries?: number }): Promise<number>;
  /** Faults answered so far, by kind ("error 503", "error 429", "throttle"). */
  hits(): { es: Record<string, number>; aws: Record<string, number> };
  stop(): void;
  close(): Promise<void>;
}

export async function startTransientFaults(estate: { es: { url: string }; aws: { url: string } }, seed = 1): Promise<TransientFaults> {
  const random = seededRandom(seed);
  const es = await new ChaosProxy(estate.es.url, random).start();
  const aws = await new ChaosProxy(estate.aws.url, random).start();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  /** Real ms before which the cycle opens no ES window (a persistent window is on, or just ended). */
  let esQuietUntil = 0;
  const open = (target: 'es' | 'aws', rule: ChaosRule, forMs: number) => {
    const proxy = target === 'es' ? es : aws;
    proxy.rules.push(rule);
    const off = () => void (proxy.rules = proxy.rules.filter((r) => r !== rule));
    const t = setTimeout(() => {
      timers.delete(t);
      off();
    }, forMs);
    timers.add(t);
    return off;
  };
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) f();
    }, ms);
    timers.add(t);
  };
  const stop = () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    es.rules = [];
    aws.rules = [];
  };
  return {
    clusterConfig: { elasticsearch: { url: es.url }, aws: { endpoint: aws.url } },
    es,
    aws,
    open,
    cycle(o = {}) {
      const everyMs = o.everyMs ?? 1_500;
      const kinds = ['es-503', 'aws-throttle', 'es-429', 'aws-throttle'] as const;
      let n = 0;
      const next = () => {
        const kind = kinds[n++ % kinds.length];
        if (kind === 'aws-throttle') open('aws', { match: /./, fault: 'throttle', rate: 1, times: o.awsThrottles ?? 3 }, o.awsMs ?? 3_000);
        else if (Date.now() >= esQuietUntil) {
          // Not while a persistent window is on (it clears what is open, and counts its own streak).
          const status = kind === 'es-503' ? 503 : 429;
          const pending = es.rules.some((r) => r.fault === 'error' && r.status === status && r.rate < 1 && (r.times ?? 0) > 0);
          if (!pending) open('es', { match: /./, fault: 'error', status, rate: o.esRate ?? 0.5, times: o.esTimes ?? 2 }, 10 * 60_000);
        }
        later(everyMs, next);
      };
      later(200, next);
    },
    async persistent429(said, o = {}) {
      const windowMs = Math.min(o.windowMs ?? 600, 600);
      let i = 0;
      for (; i < (o.tries ?? 30) && !stopped && !said(); i++) {
        esQuietUntil = Date.now() + windowMs + 1_000;
        // Whatever the cycle left open ends first: the streak of failures starts with this window.
        es.rules = [];
        const off = open('es', { match: o.match ?? /^GET \/_cluster\/health/, fault: 'error', status: 429, rate: 1 }, windowMs);
        const until = Date.now() + windowMs;
        while (Date.now() < until && !said()) await new Promise((r) => setTimeout(r, 10));
        off();
        esQuietUntil = Date.now() + 1_000;
        // The thread line may still be on its way through the channel's pacing.
        const seen = Date.now() + 2_000;
        while (Date.now() < seen && !said() && !stopped) await new Promise((r) => setTimeout(r, 25));
      }
      return i;
    },
    hits: () => ({ es: { ...es.hits }, aws: { ...aws.hits } }),
    stop,
    async close() {
      stop();
      await es.close();
      await aws.close();
    },
  };
}
