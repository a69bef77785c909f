import { describe, expect, it } from 'vitest';
import { clusterTimeNote } from '../../src/config/duration';
import { estimateAccuracy, estimateError, groupOf, remainingMs } from '../../src/runner/eta';
import { plural } from '../../src/slack/blocks/text';
import { slackDate } from '../../src/slack/blocks/slack-date';

const MIN = 60_000;

describe('the ETA estimator', () => {
  const steps = (node: string) => [`${node}/drain`, `${node}/terminate`, `${node}/await-green`];
  const groups = { n1: 10 * MIN, n2: 10 * MIN, n3: 20 * MIN };

  it('before anything is measured, the plan\'s figure stands', () => {
    expect(remainingMs({ estimate: { totalMs: 40 * MIN, groups }, done: [], remaining: [...steps('n1'), ...steps('n2'), ...steps('n3')] })).toBe(40 * MIN);
  });

  it('a finished node that took 1.5× its estimate scales the rest by 1.5', () => {
    const done = [
      { step: 'n1/drain', workMs: 9 * MIN },
      { step: 'n1/terminate', workMs: 1 * MIN },
      { step: 'n1/await-green', workMs: 5 * MIN },
    ];
    expect(remainingMs({ estimate: { totalMs: 40 * MIN, groups }, done, remaining: [...steps('n2'), ...steps('n3')] })).toBe(45 * MIN);
  });

  it('the node under way counts what it already spent, but is never "done" before it is', () => {
    const done = [{ step: 'n1/drain', workMs: 4 * MIN }];
    expect(remainingMs({ estimate: { totalMs: 20 * MIN, groups: { n1: 10 * MIN, n2: 10 * MIN } }, done, remaining: ['n1/terminate', 'n1/await-green', ...steps('n2')], currentMs: 1 * MIN })).toBe(15 * MIN);
    // 30 minutes into a 10-minute node: a tenth of it is still expected, not a negative figure.
    expect(remainingMs({ estimate: { totalMs: 10 * MIN, groups: { n1: 10 * MIN } }, done: [], remaining: ['n1/await-green'], currentMs: 30 * MIN })).toBe(1 * MIN);
  });

  it('one wild node does not multiply the rest without bound', () => {
    const done = [{ step: 'n1/drain', workMs: 100 * 10 * MIN }];
    expect(remainingMs({ estimate: { totalMs: 20 * MIN, groups: { n1: 10 * MIN, n2: 10 * MIN } }, done, remaining: steps('n2') })).toBe(60 * MIN);
  });

  it('without a plan, the mean measured step stands in for each remaining one; nothing measured means no ETA', () => {
    expect(remainingMs({ done: [{ step: 'a', workMs: 2000 }, { step: 'b', workMs: 4000 }], remaining: ['c', 'd'] })).toBe(6000);
    expect(remainingMs({ done: [], remaining: ['c'] })).toBeUndefined();
    expect(remainingMs({ done: [], remaining: [] })).toBe(0);
  });

  it('steps outside any planned group (plan, report) cost what such steps cost so far', () => {
    const done = [{ step: 'plan', workMs: 2 * MIN }];
    expect(remainingMs({ estimate: { totalMs: 10 * MIN, groups: { n1: 10 * MIN } }, done, remaining: [...steps('n1'), 'report'] })).toBe(12 * MIN);
  });

  it('groups by the part before the first slash', () => {
    expect(groupOf('es-data-3/terminate')).toBe('es-data-3');
    expect(groupOf('plan')).toBe('plan');
  });

  it('says how far off the estimate was', () => {
    expect(estimateError(100 * MIN, 112 * MIN)).toBe('estimated 1h 40m, took 1h 52m, +12%');
    expect(estimateError(60 * MIN, 45 * MIN)).toBe('estimated 1h, took 45m, −25%');
  });

  describe('the estimate\'s error at the end', () => {
    // Two nodes estimated at 20 min each; each waited 30 min for its terminate to be approved (between its
    // drain and its terminate), which no estimate of the cluster's work can know.
    const estimate = { totalMs: 40 * MIN, groups: { n1: 20 * MIN, n2: 20 * MIN } };
    const records = [
      { step: 'plan', startedAt: 0, finishedAt: 1 * MIN, workMs: 1 * MIN },
      { step: 'n1/drain', startedAt: 1 * MIN, finishedAt: 11 * MIN, workMs: 10 * MIN },
      { step: 'n1/terminate', startedAt: 11 * MIN, finishedAt: 42 * MIN, workMs: 1 * MIN },
      { step: 'n1/await-green', startedAt: 42 * MIN, finishedAt: 53 * MIN, workMs: 11 * MIN },
      { step: 'n2/drain', startedAt: 53 * MIN, finishedAt: 63 * MIN, workMs: 10 * MIN },
      { step: 'n2/terminate', startedAt: 63 * MIN, finishedAt: 94 * MIN, workMs: 1 * MIN },
      { step: 'n2/await-green', startedAt: 94 * MIN, finishedAt: 105 * MIN, workMs: 11 * MIN },
    ];

    it('compares the estimate with the work of the steps it covers, not with a span that holds the approval waits', () => {
      // 44 min of node work against 40 estimated (+10%); the span (1h 45m, +163%) would blame the estimate for the waits.
      expect(estimateAccuracy(estimate, records)).toBe('estimated 40m, took 44m of step work, +10%; not counted: 1h waiting for approvals, safety predicates or a restart');
    });

    it('labels cluster time as the card does when the clock is accelerated', () => {
      expect(estimateAccuracy(estimate, records, 60)).toBe(
        'estimated 40m, took 44m of step work, +10% (cluster time, 60× real time); not counted: 1h waiting for approvals, safety predicates or a restart',
      );
      expect(clusterTimeNote(105 * MIN, 60)).toBe(' (cluster time 1h 45m, 60× real time)');
      expect(clusterTimeNote(105 * MIN, 1)).toBe('');
    });

    it('without groups every step\'s work counts; records from before workMs was kept count their span; no waiting, nothing named', () => {
      const old = [
        { step: 'a', startedAt: 0, finishedAt: 3 * MIN },
        { step: 'b', startedAt: 3 * MIN, finishedAt: 6 * MIN, workMs: 3 * MIN },
      ];
      expect(estimateAccuracy({ totalMs: 5 * MIN }, old)).toBe('estimated 5m, took 6m of step work, +20%');
      expect(estimateAccuracy({ totalMs: 5 * MIN }, [])).toBeUndefined();
    });
  });
});

describe('wording helpers', () => {
  it('plural() handles one, many and irregular plurals', () => {
    expect(plural(1, 'shard')).toBe('1 shard');
    expect(plural(6, 'shard')).toBe('6 shards');
    expect(plural(1, 'index', 'indices')).toBe('1 index');
    expect(plural(3, 'index', 'indices')).toBe('3 indices');
  });

  it('slackDate() is a Slack date token over real time, with a UTC fallback', () => {
    expect(slackDate(Date.UTC(2026, 11, 1, 9, 12, 30))).toBe(`<!date^${Date.UTC(2026, 11, 1, 9, 12, 30) / 1000}^{date_short_pretty} {time}|2026-12-01 09:12 UTC>`);
  });
});
