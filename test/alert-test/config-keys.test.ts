// The config keys /elk alert-test reads: per-environment daemon settings and extra secret names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config';
import { configSchema } from '../../src/config/schema';

const base = { slack: { botToken: 'xoxb-x', signingSecret: 's' }, clusters: { prod: { opsChannel: 'C0OPS', elasticsearch: { url: 'http://127.0.0.1:9200' } } } };

describe('elastalert.daemon and elastalert.secretNames', () => {
  it('read durations per environment, each optional, and default to none', () => {
    const c = configSchema.parse({ ...base, elastalert: { daemon: { ci: { runEvery: '30s', bufferTime: '4h' }, prod: { runEvery: '5m' } }, secretNames: ['TEAM_ALIAS'] } });
    expect(c.elastalert.daemon).toEqual({ ci: { runEvery: 30_000, bufferTime: 4 * 3_600_000 }, prod: { runEvery: 300_000 } });
    expect(c.elastalert.secretNames).toEqual(['TEAM_ALIAS']);
    const d = configSchema.parse(base);
    expect(d.elastalert.daemon).toEqual({});
    expect(d.elastalert.secretNames).toEqual([]);
  });
  it('refuses a duration it cannot read, naming the key', () => {
    const r = configSchema.safeParse({ ...base, elastalert: { daemon: { ci: { runEvery: 'every 30 seconds' } } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['elastalert', 'daemon', 'ci', 'runEvery']);
    expect(r.error!.issues[0].message).toMatch(/is not a duration; write it like 500ms, 30s/);
  });
  it('the example config documents both', () => {
    const text = readFileSync('elk-ops.example.yml', 'utf8');
    const c = parseConfig(text, { ...process.env, SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'x', SLACK_APP_TOKEN: 'x', ELASTALERT_WEBHOOK_SECRET: 'x', ES_PASSWORD: 'x' });
    expect(c.elastalert.daemon.sandbox).toEqual({ runEvery: 60_000, bufferTime: 15 * 60_000 });
    expect(c.elastalert.secretNames).toEqual([]);
  });
});
