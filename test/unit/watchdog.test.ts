import { afterEach, describe, expect, it } from 'vitest';
import { LockKeeper } from '../../src/runner/lock-keeper';
import { startWatchdog, type WatchdogHooks } from '../../src/runner/watchdog';

/** A keeper that holds nothing (a job that changes nothing): only the job lock is watched here. */
const keeper = new LockKeeper({} as never, 'prod', 'job-1', false, () => undefined);

let timer: NodeJS.Timeout | undefined;
afterEach(() => clearInterval(timer));

function watch(renew: () => Promise<boolean>, afterMs = 1_000) {
  const told: { ms: number; refused?: string }[] = [];
  let lost = 0;
  const hooks: WatchdogHooks = {
    cancelledBy: async () => null,
    onCancel: () => undefined,
    keeper,
    stopped: () => told.length > 0 || lost > 0,
    log: () => undefined,
    jobLock: { renew, everyMs: 250, onLost: () => void lost++ },
    silence: { afterMs, onSilent: (ms, refused) => void told.push({ ms, refused: refused?.message }) },
  };
  timer = startWatchdog(hooks);
  return { told, lost: () => lost };
}

const waitFor = async (ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe('watchdog: the job lock unconfirmed for longer than it lasts', () => {
  it('Redis answering errors: told once the lock has gone unconfirmed for afterMs, with what Redis answered', async () => {
    const started = Date.now();
    const w = watch(async () => {
      throw Object.assign(new Error("READONLY You can't write against a read only replica."), { name: 'ReplyError' });
    });
    await waitFor(() => w.told.length > 0, 3_000);
    expect(w.told).toHaveLength(1);
    expect(w.told[0].refused).toMatch(/^READONLY/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(w.told[0].ms).toBeGreaterThanOrEqual(1_000);
  });

  it('Redis silent (a renewal that never answers): told the same way, with no error', async () => {
    const w = watch(() => new Promise<boolean>(() => undefined));
    await waitFor(() => w.told.length > 0, 3_000);
    expect(w.told).toEqual([{ ms: expect.any(Number), refused: undefined }]);
  });

  it('a lock renewed in time is never reported; one another run took is lost, not silent', async () => {
    const ok = watch(async () => true, 600);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ok.told).toEqual([]);
    clearInterval(timer);
    const taken = watch(async () => false, 600);
    await waitFor(() => taken.lost() > 0, 2_000);
    expect(taken.lost()).toBe(1);
    expect(taken.told).toEqual([]);
  });

  it('one refused renewal between good ones is not an outage', async () => {
    let n = 0;
    const w = watch(async () => {
      if (++n % 3 === 0) throw Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
      return true;
    }, 800);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(n).toBeGreaterThan(5);
    expect(w.told).toEqual([]);
  });
});
