import { describe, expect, it } from 'vitest';
import { reindexCommand } from '../../../commands/reindex';
import { checkExpression } from '../../../jobs/reindex/expression';
import { newestOfSeries } from '../../../jobs/reindex/time-series';
import { globMatch, pickTemplate } from '../../../src/elasticsearch/reindex/pick-template';

describe('/elk reindex parsing', () => {
  it('accepts names, comma lists, wildcards and exclusions with every flag', () => {
    const r = reindexCommand.parse(['prod', 'logs-2024.01.*,-logs-2024.01.31', '--dry-run', '--slices', 'auto', '--rps', '500', '--suffix', '-tmp', '--max-indices', '40', '--restore', 'reindex']);
    expect(r).toEqual({
      ok: true,
      value: { cluster: 'prod', expression: 'logs-2024.01.*,-logs-2024.01.31', dryRun: true, slices: 'auto', rps: 500, suffix: '-tmp', maxIndices: 40, restoreVia: 'reindex' },
    });
    expect(reindexCommand.parse(['prod', 'logs-a', '--slices=4'])).toMatchObject({ ok: true, value: { slices: 4 } });
  });

  it.each([['*'], ['.kibana'], ['logs-*,.security*'], ['_all'], ['*-2024.01'], ['logs-*,*']])('refuses %s at parse time as reaching system indices', (expr) => {
    const r = reindexCommand.parse(['prod', expr]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/system indices/);
  });

  it('explains a missing expression, a bad slice count and an unknown restore path', () => {
    expect(reindexCommand.parse(['prod'])).toMatchObject({ ok: false, error: expect.stringContaining('index expression') });
    expect(reindexCommand.parse(['prod', 'logs-a', '--slices', 'many'])).toMatchObject({ ok: false, error: expect.stringContaining('auto') });
    expect(reindexCommand.parse(['prod', 'logs-a', '--restore', 'copy'])).toMatchObject({ ok: false, error: expect.stringContaining('clone') });
    expect(reindexCommand.parse(['prod', 'logs-a', '--suffix', 'X*'])).toMatchObject({ ok: false });
    expect(checkExpression('Logs-A')).toMatch(/not a valid/);
  });

  it('rejects an unknown cluster listing the known ones, without enqueuing', async () => {
    const enqueued: unknown[] = [];
    const reply = await reindexCommand.run(
      { config: { clusters: { prod: {}, staging: {} } } as never, user: 'U1', channel: 'C1', enqueue: async (...a) => (enqueued.push(a), { jobId: 'x' }), status: async () => ({ text: '' }), cancel: async () => ({ text: '' }) },
      { cluster: 'prd', expression: 'logs-a' },
    );
    expect(reply.text).toMatch(/`prod`, `staging`/);
    expect(enqueued).toEqual([]);
  });
});

describe('time series and templates', () => {
  it('finds the newest member of a dated or rollover series', () => {
    const names = ['logstash-2024.01.01.22', 'logstash-2024.01.01.23', 'logstash-2024.01.02.00', 'logstash-old', 'other-2024.01.03.00'];
    expect(newestOfSeries('logstash-2024.01.01.22', names)).toBe('logstash-2024.01.02.00');
    expect(newestOfSeries('logs-000002', ['logs-000001', 'logs-000002'])).toBe('logs-000002');
    expect(newestOfSeries('customers', ['customers'])).toBeUndefined();
  });

  it('picks the highest-priority matching template', () => {
    const t = (name: string, p: string[], priority?: number) => ({ name, index_template: { index_patterns: p, priority } });
    expect(pickTemplate('logs-2024.01', [t('all-logs', ['logs-*'], 1), t('logs-2024', ['logs-2024*'], 5), t('metrics', ['metrics-*'], 9)])).toBe('logs-2024');
    expect(pickTemplate('x', [t('logs', ['logs-*'])])).toBeUndefined();
    expect(globMatch('logs-*', 'logs-a.b')).toBe(true);
    expect(globMatch('logs.*', 'logsXa')).toBe(false);
  });
});
