import fc from 'fast-check';

export type SoakKind = 'upgrade' | 'reindex';

/** One thing done to the estate or the bot, `at` real ms after the command was typed. */
export type Chaos =
  | { at: number; what: 'sigkill' }
  | { at: number; what: 'sigterm' }
  /** SIGKILL while a call is in the air: the server acted, the answer never arrives. */
  | { at: number; what: 'kill-in-call'; target: 'es' | 'aws'; match: string; nth: number }
  /**
   * Transient trouble on the bot's connections for `forMs`: each matching request hit with probability `rate`,
   * `times` requests at most when set.
   */
  | { at: number; what: 'faults'; target: 'es' | 'aws'; fault: 'reset-before' | 'reset-after' | 'error' | 'throttle'; status?: number; rate: number; forMs: number; times?: number }
  | { at: number; what: 'redis-restart'; signal: 'SIGTERM' | 'SIGKILL' }
  /** Elasticsearch's own fault knob: `times` requests to paths like `path` answered with `status`. */
  | { at: number; what: 'es-knob-fault'; path: string; status: 429 | 500 | 503; times: number }
  /**
   * A failover seen from the old primary: Redis becomes a replica of a primary that is not there for `forMs`,
   * keeping its data and answering reads, refusing every write (READONLY) — the bot, the worker and the clicks.
   */
  | { at: number; what: 'redis-readonly'; forMs: number };

export interface Schedule {
  kind: SoakKind;
  seed: number;
  /** Recoveries 5× slower than usual. */
  slowRecovery: boolean;
  /** The first replacement instance dies during boot. */
  failBoot: boolean;
  refreshLagMs: number;
  staleReadMs: number;
  /** The worker's own ELK_CRASH_AT point for its first life, if any. */
  crashAt?: string;
  chaos: Chaos[];
}

// Matches are on "METHOD path Action" as the chaos proxy sees it.
const ES_CALLS = ['_bulk', '_cluster/settings', '_cluster/health', '_reindex', '_tasks', '_count', 'DELETE ', '_clone', '_block', '_settings', '_refresh'];
const AWS_CALLS = ['TerminateInstanceInAutoScalingGroup', 'DescribeAutoScalingGroups', 'DescribeInstances', 'DescribeLaunchTemplateVersions'];

const CRASH_POINTS: Record<SoakKind, string[]> = {
  upgrade: ['plan:after', 'es-data-1/drain:during', 'es-data-1/terminate:ran', 'es-data-2/terminate:before', 'es-data-2/await-replacement:during', 'es-master-2/terminate:ran'],
  reindex: ['plan:after', 'logs-soak-a/follow-copy:during', 'logs-soak-a/delete-source:ran', 'logs-soak-b/restore-name:before', 'logs-soak-a/delete-temp:ran'],
};

const at = (horizonMs: number) => fc.integer({ min: 300, max: horizonMs });

function chaos(kind: SoakKind, horizonMs: number): fc.Arbitrary<Chaos> {
  const calls = (target: 'es' | 'aws') => fc.constantFrom(...(target === 'es' ? ES_CALLS : AWS_CALLS));
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ at: at(horizonMs), what: fc.constant('sigkill' as const) }) },
    { weight: 1, arbitrary: fc.record({ at: at(horizonMs), what: fc.constant('sigterm' as const) }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<'es' | 'aws'>(...(kind === 'upgrade' ? (['es', 'aws'] as const) : (['es'] as const))).chain((target) =>
        fc.record({ at: at(horizonMs), what: fc.constant('kill-in-call' as const), target: fc.constant(target), match: calls(target), nth: fc.integer({ min: 1, max: 3 }) }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom<'es' | 'aws'>('es', 'aws').chain((target) =>
        fc.record({
          at: at(horizonMs),
          what: fc.constant('faults' as const),
          target: fc.constant(target),
          fault: target === 'aws' ? fc.constantFrom('reset-before' as const, 'reset-after' as const, 'error' as const, 'throttle' as const) : fc.constantFrom('reset-before' as const, 'reset-after' as const, 'error' as const),
          status: fc.constantFrom(429, 500, 502, 503),
          rate: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
          forMs: fc.integer({ min: 200, max: 3_000 }),
        }),
      ),
    },
    { weight: 1, arbitrary: fc.record({ at: at(horizonMs), what: fc.constant('redis-restart' as const), signal: fc.constantFrom('SIGTERM' as const, 'SIGKILL' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        at: at(horizonMs),
        what: fc.constant('es-knob-fault' as const),
        path: fc.constantFrom('_bulk', '_cluster/health', '_count', '_cat/shards', '_nodes'),
        status: fc.constantFrom(429 as const, 500 as const, 503 as const),
        times: fc.integer({ min: 1, max: 4 }),
      }),
    },
  );
}

/**
 * The transient faults every schedule has, whatever else it draws (the "done when": every soak run
 * meets transient 5xx/429 and throttling): ES 429/5xx answers for an upgrade, ES 5xx for a reindex, and AWS
 * throttling for an upgrade. They are counted, not timed: a window in wall time can fall while the worker is
 * down after a kill, while the job is parked on a question, or after a quick job has ended, and then meets
 * nothing. Each stays on from its start until it has answered `times` requests (or the run ends).
 *
 * Their strength is bounded by the runner's retry budget, which is clock time (3 min, 0.6 s real at the soak's
 * 300×): ES faults hit requests independently (rate ≤ 0.5) and number 10 at most, so a call exhausts the
 * budget only after a dozen failures in a row, which cannot happen; an AWS throttle costs the SDK 0–3 s of
 * real backoff per call it gives up on, so two such give-ups in a row would exhaust it — at most 4 throttles
 * (the SDK gives up on one call at most; the runner retries that call once).
 */
function requiredFaults(kind: SoakKind): fc.Arbitrary<Chaos[]> {
  const counted = (target: 'es' | 'aws', fault: 'error' | 'throttle', statuses: number[], rate: [number, number], times: [number, number]) =>
    fc.record({
      at: fc.integer({ min: 500, max: 3_000 }),
      what: fc.constant('faults' as const),
      target: fc.constant(target),
      fault: fc.constant(fault),
      status: fault === 'error' ? fc.constantFrom(...statuses) : fc.constant(undefined),
      rate: fc.double({ min: rate[0], max: rate[1], noNaN: true }),
      forMs: fc.constant(10 * 60_000),
      times: fc.integer({ min: times[0], max: times[1] }),
    });
  if (kind === 'upgrade') return fc.tuple(counted('es', 'error', [429, 500, 502, 503], [0.3, 0.5], [6, 10]), counted('aws', 'throttle', [], [0.4, 0.6], [4, 4]));
  return fc.tuple(counted('es', 'error', [500, 502, 503], [0.3, 0.5], [6, 10]));
}

export function scheduleArb(kind: SoakKind, o: { horizonMs: number; maxChaos: number }): fc.Arbitrary<Omit<Schedule, 'seed'> & { redisReadOnly: Chaos }> {
  return fc.record({
    kind: fc.constant(kind),
    slowRecovery: fc.boolean(),
    failBoot: kind === 'upgrade' ? fc.boolean() : fc.constant(false),
    refreshLagMs: fc.constantFrom(0, 0, 1_000, 5_000),
    staleReadMs: fc.constantFrom(0, 0, 15_000),
    crashAt: fc.option(fc.constantFrom(...CRASH_POINTS[kind]), { nil: undefined }),
    chaos: fc
      .tuple(fc.array(chaos(kind, o.horizonMs), { minLength: 1, maxLength: o.maxChaos }), requiredFaults(kind))
      .map(([drawn, required]) => [...drawn, ...required].sort((a, b) => a.at - b.at)),
    // Drawn last, so the fields above are what they were for every seed before it existed.
    // In the first 4 s, while every job is still running (the quickest take about 6 s); the soak holds it until a
    // worker has the job.
    redisReadOnly: fc.record({ at: fc.integer({ min: 1_000, max: 4_000 }), what: fc.constant('redis-readonly' as const), forMs: fc.integer({ min: 1_000, max: 5_000 }) }),
  });
}

/** The same seed gives the same schedule on any machine: that is what makes a replay command worth printing. */
export function scheduleFor(kind: SoakKind, seed: number, o = { horizonMs: 12_000, maxChaos: 5 }): Schedule {
  const [{ redisReadOnly, ...s }] = fc.sample(scheduleArb(kind, o), { seed, numRuns: 1 });
  // Every schedule has one: Redis refusing writes is a failover's first minute, and nothing else draws it.
  return { ...s, chaos: [...s.chaos, redisReadOnly].sort((a, b) => a.at - b.at), seed };
}
