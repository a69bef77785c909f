import { describe, expect, it } from 'vitest';
import { upgradeCommand } from '../../../commands/upgrade';
import type { CommandContext } from '../../../commands/types';

const parse = (text: string) => upgradeCommand.parse(text.split(' ').filter(Boolean));

describe('/elk upgrade parsing', () => {
  it('reads every flag into typed arguments', () => {
    expect(parse('prod --dry-run --only data --target 8.15.0 --order masters-first --green-timeout 45m --join-timeout 30m --node es-data-1,es-data-2')).toEqual({
      ok: true,
      value: { cluster: 'prod', dryRun: true, only: 'data', target: '8.15.0', order: 'masters-first', greenTimeoutMs: 45 * 60_000, joinTimeoutMs: 30 * 60_000, nodes: ['es-data-1', 'es-data-2'] },
    });
    expect(parse('prod')).toEqual({ ok: true, value: { cluster: 'prod' } });
  });

  it('says what is wrong and how to fix it', () => {
    expect(parse('')).toEqual({ ok: false, error: 'name the cluster: `/elk upgrade <cluster>` (add `--dry-run` to see the plan first)' });
    expect(parse('prod es-data-1')).toMatchObject({ ok: false, error: expect.stringMatching(/one cluster at a time.*--node <name>/) });
    expect(parse('prod --only kibana')).toEqual({ ok: false, error: '`--only` takes `masters` or `data`, got `kibana`' });
    expect(parse('prod --target latest')).toEqual({ ok: false, error: '`--target` needs a version like 8.15.0, got `latest`' });
    expect(parse('prod --order random')).toMatchObject({ ok: false, error: expect.stringMatching(/`--order` takes `data-first` or `masters-first`/) });
    expect(parse('prod --green-timeout soon')).toMatchObject({ ok: false, error: expect.stringMatching(/`--green-timeout`: "soon" is not a duration/) });
    expect(parse('prod --force')).toMatchObject({ ok: false, error: expect.stringMatching(/unknown option `--force`; accepted: --dry-run, --only/) });
    expect(parse('prod --node es;rm')).toMatchObject({ ok: false, error: expect.stringMatching(/`es;rm` is not one/) });
  });

  it('lists its flags in the help details', () => {
    const help = upgradeCommand.details!.join('\n');
    for (const flag of ['--dry-run', '--only', '--target', '--node', '--order', '--green-timeout', '--join-timeout']) expect(help).toContain(flag);
  });

  it('refuses an unknown cluster by listing the known ones, and enqueues a known one without touching the cluster', async () => {
    const queued: unknown[] = [];
    const ctx = {
      config: { clusters: { prod: { aws: { region: 'eu-west-1', groups: {} } }, staging: {} } },
      user: 'U1',
      channel: 'C1',
      enqueue: async (kind: string, cluster: string, args: unknown) => (queued.push({ kind, cluster, args }), { jobId: 'upgrade-prod' }),
    } as unknown as CommandContext;
    expect((await upgradeCommand.run(ctx, { cluster: 'prdo' })).text).toBe('no cluster `prdo` in the configuration; known clusters: `prod`, `staging`');
    expect((await upgradeCommand.run(ctx, { cluster: 'staging' })).text).toMatch(/has no `aws` section/);
    expect((await upgradeCommand.run(ctx, { cluster: 'prod', dryRun: true })).text).toMatch(/Upgrade plan \(dry run\) queued for `prod` as job upgrade-prod/);
    expect(queued).toEqual([{ kind: 'upgrade', cluster: 'prod', args: { dryRun: true } }]);
  });
});
