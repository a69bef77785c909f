import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEnqueueBench, type EnqueueBench } from './enqueue-fixture';

const HUGE = `logs-${'a'.repeat(100_000)}`;
const PINGS = ['<!channel>', '<!here>', '<!everyone>', '<@U0BOB>', '<#C0OPS>', '<!subteam^S0ONCALL>'];

/**
 * Input that must be refused, quoted back short and harmless: nothing is enqueued, no lock is taken, no
 * reply pings anyone or floods the channel.
 */
describe('bad input is refused before enqueueing, and never echoed whole or as a mention', () => {
  let b: EnqueueBench;
  beforeAll(async () => {
    b = await startEnqueueBench();
  });
  afterAll(async () => {
    await b?.close();
  });
  afterEach(async () => {
    expect(await b.totalJobs()).toBe(0);
    expect(await b.lock.holder('prod')).toBeNull();
    expect(b.h.slack.violations).toEqual([]);
  });

  /** A reply that quotes user input: short, with no Slack control sequence left in it. */
  const harmless = (reply: string) => {
    expect(reply.length).toBeLessThan(600);
    expect(reply).not.toMatch(/<[!@#]/);
  };

  it('a 100 KB index expression is refused with its size, quoting only its start', async () => {
    const reply = await b.h.command('alice', `reindex prod ${HUGE}`);
    expect(reply).toMatch(/the index expression is 100005 bytes .* at most 1024 are accepted/);
    expect(reply).toContain('…');
    harmless(reply);
  });

  it.each([
    ['a name longer than 255 bytes', `logs-${'é'.repeat(130)}`, /longer than the 255 bytes/],
    ['upper case', 'Logs-2024', /upper-case/],
    ['a colon (8.x)', 'logs:2024', /no \\ \/ \? " &lt; &gt; \| # or :/],
    ['a question mark', 'logs-2024.0?', /no \\ \/ \?/],
    ['a space inside quotes', '"logs 2024"', /no spaces/],
    ['an empty list item', 'logs-a,,logs-b', /empty item/],
    ['a leading exclusion', '-logs-a', /an exclusion needs a pattern before it/],
    ['a leading underscore', '_logs', /cannot start with/],
    ['a leading plus', '+logs', /cannot start with/],
    ['`..`', '..', /not an index name/],
    ['_all', '_all', /system indices/],
    ['a leading wildcard', '*-2024', /system indices/],
  ])('refuses %s', async (_what, expression, message) => {
    const reply = await b.h.command('alice', `reindex prod ${expression}`);
    expect(reply).toMatch(message);
    expect(reply).toMatch(/Usage: `\/elk reindex/);
    harmless(reply);
  });

  it('escapes every kind of mention in every reply that quotes user text', async () => {
    for (const ping of PINGS) {
      const replies = [
        await b.h.command('alice', `${ping}`), // unknown subcommand
        await b.h.command('alice', `reindex prod logs-${ping}`),
        await b.h.command('alice', `upgrade ${ping}`), // unknown cluster
        await b.h.command('alice', `upgrade prod --only ${ping}`),
        await b.h.command('alice', `upgrade prod --green-timeout ${ping}`),
        await b.h.command('alice', `upgrade prod --${ping}`), // unknown flag
        await b.h.command('alice', `reindex prod logs-a --suffix ${ping}`),
        await b.h.command('alice', `status ${ping}`),
        await b.h.command('alice', `cancel ${ping}`),
      ];
      for (const r of replies) {
        harmless(r);
        expect(r).toContain(ping.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      }
    }
  });

  it('unknown subcommands and bad flags keep their clear messages, with the input capped', async () => {
    expect(await b.h.command('alice', 'upgarde prod')).toMatch(/Unknown subcommand `upgarde`. Did you mean `\/elk upgrade`\?/);
    const huge = await b.h.command('alice', `${'x'.repeat(100_000)} prod`);
    expect(huge).toMatch(/^Unknown subcommand `x{80}…`. Try `\/elk help`.$/);
    expect(await b.h.command('alice', `upgrade prod --${'f'.repeat(100_000)}`)).toMatch(/^⚠️ unknown option `--f{78}…`; accepted: --dry-run/);
    const many = await b.h.command('alice', `upgrade ${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(' ')}`);
    expect(many).toMatch(/one cluster at a time; got `c0`, `c1`, `c2` and 1997 more/);
    harmless(many);
    harmless(await b.h.command('alice', `upgrade prod --target 8.15.0-${'a'.repeat(100_000)}`));
    harmless(await b.h.command('alice', `upgrade prod --node ${Array.from({ length: 500 }, (_, i) => `es-${i}`).join(',')}`));
    expect(await b.h.command('alice', 'upgrade constructor')).toMatch(/no cluster `constructor` in the configuration/);
    expect(await b.h.command('alice', 'upgrade prod --constructor')).toMatch(/unknown option `--constructor`/);
  });

  it('/elk status and /elk cancel answer unknown or malformed ids briefly, without a lookup that could fail', async () => {
    expect(await b.h.command('alice', 'status upgrade-prod-20200101-0000-zzzz')).toMatch(/^No job `upgrade-prod-20200101-0000-zzzz`\. `\/elk status` lists recent jobs\.$/);
    expect(await b.h.command('alice', 'cancel reindex-nope')).toMatch(/^No job `reindex-nope`/);
    for (const sub of ['status', 'cancel']) {
      const reply = await b.h.command('alice', `${sub} upgrade-${'z'.repeat(100_000)}`);
      expect(reply).toMatch(/^No job `upgrade-z{72}…`: job ids look like `upgrade-prod-/);
      harmless(reply);
      expect(await b.h.command('alice', `${sub} Upgrade-PROD`)).toMatch(/^No job `Upgrade-PROD`: job ids look like/);
    }
    expect(await b.h.command('alice', 'status a b')).toMatch(/give at most one job id/);
  });
});
