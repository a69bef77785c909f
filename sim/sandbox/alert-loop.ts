/**
 * Elastalert's part of the sandbox: every clock minute the team's rules (sim/sandbox/rules) run over the
 * simulated cluster and their matches are POSTed to the bot's own webhook, so pressing "Start a 5xx spike" ends
 * in an alert thread in the console, through the same intake as production.
 *
 * The rules are run by the real Elastalert daemon when Debian's elastalert is installed (elastalert-runs.ts),
 * else by the project's rule engine (engine-runs.ts); SANDBOX_ALERTS=elastalert|engine chooses.
 */
import type { Clock } from '../../src/clock';
import { elastalertInstalled } from '../elastalert/run-elastalert';
import { startElastalertRuns } from './elastalert-runs';
import { startEngineRuns } from './engine-runs';
import { MINUTE, type RuleRuns, type RuleRunsOptions } from './rule-runs';

export type AlertSource = 'elastalert' | 'engine';

export interface AlertLoopOptions extends RuleRunsOptions {
  clock: Clock;
  /** Default: `elastalert` where it is installed. */
  source?: AlertSource;
}

export interface AlertLoop {
  /** Who runs the rules. */
  source: string;
  /** Matches the bot accepted so far. */
  sent(): number;
  close(): Promise<void>;
}

/** SANDBOX_ALERTS, checked: asking for the real Elastalert where it is missing is an error that says how to get it. */
export function alertSourceFrom(value: string | undefined): AlertSource {
  if (value === undefined || value === '') return elastalertInstalled() ? 'elastalert' : 'engine';
  if (value !== 'elastalert' && value !== 'engine') throw new Error(`SANDBOX_ALERTS=${value}: use elastalert (the real daemon) or engine (the elk-ops rule engine), or unset it`);
  if (value === 'elastalert' && !elastalertInstalled()) throw new Error('SANDBOX_ALERTS=elastalert but Elastalert is not installed: apt-get install elastalert, or unset SANDBOX_ALERTS');
  return value;
}

export async function startAlertLoop(o: AlertLoopOptions): Promise<AlertLoop> {
  const runs: RuleRuns = (o.source ?? alertSourceFrom(undefined)) === 'elastalert' ? await startElastalertRuns(o) : startEngineRuns(o);
  let previousEnd: number | undefined;
  let sent = 0;
  let busy: Promise<void> | undefined;

  const tick = async () => {
    const end = Math.floor(o.clock.now() / MINUTE) * MINUTE;
    if (previousEnd !== undefined && end <= previousEnd) return;
    try {
      sent += await runs.run(end);
    } catch (e) {
      o.log.warn({ err: (e as Error).message }, 'sandbox alerts: the rules did not run');
    }
    previousEnd = end;
  };

  // Checked four times a clock minute, so each run starts soon after its minute ends.
  const timer = setInterval(() => {
    if (!busy) busy = tick().finally(() => (busy = undefined));
  }, Math.max(100, o.clock.toReal(MINUTE) / 4));
  return {
    source: runs.source,
    sent: () => sent,
    close: async () => {
      clearInterval(timer);
      await busy;
      await runs.close();
    },
  };
}
