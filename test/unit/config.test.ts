import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load-config';
import { parseDuration, formatDuration } from '../../src/config/duration';

const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig', ES_PASS: 'hunter2', ELASTALERT_WEBHOOK_SECRET: 'whs' };
const minimal = `
slack: { botToken: "\${SLACK_BOT_TOKEN}", signingSecret: "\${SLACK_SIGNING_SECRET}" }
clusters:
  prod:
    opsChannel: C0OPS
    elasticsearch: { url: "https://es.internal:9200", auth: { username: elk-ops, password: "\${ES_PASS}" } }
`;

/** The message of the error `fn` throws; a config that wrongly parses fails the test here. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused, but it parsed');
}

describe('config', () => {
  it('parses a minimal file, fills defaults and expands secrets from the environment', () => {
    const c = parseConfig(minimal, env);
    expect(c.slack.botToken).toBe('xoxb-1');
    expect(c.clusters.prod.elasticsearch.auth).toEqual({ username: 'elk-ops', password: 'hunter2' });
    expect(c.clusters.prod.upgrade.greenTimeout).toBe(30 * 60_000);
    expect(c.clusters.prod.reindex.countChecks).toBe(3);
    expect(c.access.approvalTimeout).toBe(30 * 60_000);
    expect(c.access.requesterMayApprove).toBe(false);
  });

  it('names the key path and what is expected', () => {
    const bad = minimal.replace('opsChannel: C0OPS', 'opsChannel: elk-ops').replace('https://es.internal:9200', 'not a url');
    expect(() => parseConfig(bad, env)).toThrow(/clusters\.prod\.opsChannel: a channel id like C024BE91L/);
    expect(() => parseConfig(bad, env)).toThrow(/clusters\.prod\.elasticsearch\.url/);
    expect(() => parseConfig(minimal + '\nworker: { lockDuration: soon }', env)).toThrow(/worker\.lockDuration: "soon" is not a duration/);
  });

  it('refuses literal secrets and names a missing environment variable without echoing values', () => {
    const literal = errorOf(() => parseConfig(minimal.replace('"${ES_PASS}"', 'hunter2'), env));
    expect(literal).toMatch(/clusters\.prod\.elasticsearch\.auth\.password: secrets must be an environment reference/);
    expect(literal).not.toContain('hunter2');
    const missing = errorOf(() => parseConfig(minimal, { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig' }));
    expect(missing).toMatch(/elasticsearch\.auth\.password: environment variable ES_PASS is not set/);
    expect(missing).not.toContain('xoxb-1');
    const badChannel = errorOf(() => parseConfig(minimal.replace('C0OPS', 'nope'), env));
    expect(badChannel).toMatch(/clusters\.prod\.opsChannel/);
    expect(badChannel).not.toContain('hunter2');
    expect(badChannel).not.toContain('xoxb-1');
  });

  it('accepts the documented example config with the sandbox environment', () => {
    let text: string;
    try {
      text = readFileSync('elk-ops.example.yml', 'utf8');
    } catch {
      throw new Error('elk-ops.example.yml is missing: the README and the sandbox depend on it');
    }
    const c = parseConfig(text, { ...env, SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y' });
    expect(Object.keys(c.clusters).length).toBeGreaterThan(0);
  });

  it('parses and formats durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration(1500)).toBe(1500);
    expect(() => parseDuration('2 fortnights')).toThrow(/write it like/);
    expect(formatDuration(61_000)).toBe('1m 1s');
    expect(formatDuration(450)).toBe('450 ms');
  });
});
