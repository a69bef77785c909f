import { describe, expect, it } from 'vitest';
import { estimateError, groupOf, remainingMs } from '../../src/runner/eta';
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
