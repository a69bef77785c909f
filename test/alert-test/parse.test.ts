// The pure parse of `/elk alert-test`: good input gives typed args; bad flags a message naming the fix.
import { describe, expect, it } from 'vitest';
import { parseAlertTest } from '../../commands/alert-test';
import { splitWords } from '../../commands/parse-flags';

const parse = (text: string) => parseAlertTest(splitWords(text));
const error = (text: string) => {
  const r = parse(text);
  if (r.ok) throw new Error(`expected an error for "${text}", got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('parseAlertTest', () => {
  it('reads a rule with every flag', () => {
    expect(parse('general-spike-5xxs --env prod --cluster prod --from 2024-01-01T10:00:00Z --to now --sweep spike_height=1.5..4 --post')).toEqual({
      ok: true,
      value: { rule: 'general-spike-5xxs', env: 'prod', cluster: 'prod', from: '2024-01-01T10:00:00Z', to: 'now', sweep: 'spike_height=1.5..4', post: true },
    });
    expect(parse('"Spike in 5xxs" --days 2')).toEqual({ ok: true, value: { rule: 'Spike in 5xxs', days: 2 } });
    expect(parse('--all --env staging')).toEqual({ ok: true, value: { all: true, env: 'staging' } });
    // --all honours a range: every rule is evaluated over it.
    expect(parse('--all --from now-6h --to now')).toEqual({ ok: true, value: { all: true, from: 'now-6h', to: 'now' } });
    expect(parse('--all --days 2')).toEqual({ ok: true, value: { all: true, days: 2 } });
  });

  it('refuses bad input with a message that says how to fix it', () => {
    expect(error('')).toMatch(/give a rule name or file.*--all/);
    expect(error('a b')).toMatch(/give one rule, got 2/);
    expect(error('r --all')).toMatch(/not both/);
    expect(error('r --from 2024-01-01T10:00:00Z')).toMatch(/both `--from` and `--to`/);
    expect(error('r --from yesterday --to now')).toMatch(/`--from` `yesterday`: write an ISO time/);
    expect(error('r --from now-2h --to now --days 1')).toMatch(/not both/);
    expect(error('r --days 0')).toMatch(/positive number/);
    expect(error('r --days 365')).toMatch(/at most 90/);
    expect(error('r --sweep spike_hieght=1..2')).toMatch(/cannot sweep spike_hieght: sweepable options are spike_height/);
    expect(error('r --sweep spike_height=4..1')).toMatch(/from ≤ to/);
    expect(error('--all --sweep spike_height=1..2')).toMatch(/works on one rule/);
    expect(error('--all --post')).toMatch(/`--post` sends one TEST alert for one rule; drop `--all`/);
    expect(error('r --evn prod')).toMatch(/unknown option `--evn`; accepted: --env/);
    expect(error('r --env <!channel>')).toMatch(/`--env` takes a name/);
    expect(error('r --env <!channel>')).not.toContain('<!channel>');
    expect(error('r --post=yes')).toMatch(/takes no value/);
  });
});
