/**
 * Time as the cluster sees it. The sandbox and tests run the simulated estate many times faster than real
 * time; the bot's own waits (poll intervals, approval timeouts, green timeouts) must use the same clock so a
 * "30 minute" timeout means 30 simulated minutes on both sides.
 */
export interface Clock {
  /** Milliseconds since the epoch, in clock time. */
  now(): number;
  /** Resolves after `ms` of clock time (ms / speed of real time); rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many clock milliseconds pass per real millisecond. 1 in production. */
  readonly speed: number;
  /** The real instant (epoch ms) at which clock time equals real time; share it to share clock time. */
  readonly origin: number;
  /** Converts a clock duration to the real duration a timer must wait. */
  toReal(ms: number): number;
}

/**
 * Clock time runs `speed` times faster than real time from `origin` (a real epoch-ms instant). Processes that
 * share speed and origin (the sandbox's simulators, bot and workers; a test and its worker child) agree on
 * clock time, so deadlines saved in a job mean the same thing to every worker.
 */
export function scaledClock(speed = 1, origin = Date.now()): Clock {
  if (!(speed > 0)) throw new Error(`clock speed must be a positive number, got ${speed}`);
  const toReal = (ms: number) => Math.max(0, ms / speed);
  return {
    speed,
    origin,
    toReal,
    now: () => origin + (Date.now() - origin) * speed,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, toReal(ms));
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

export const realClock: Clock = scaledClock(1);
