import { describe, expect, it } from 'vitest';
import { checkIndexExpression } from '../../commands/index-expression';
import { kindOfJobId, looksLikeJobId, newJobId } from '../../src/queues/names';
import { code, echo } from '../../src/slack/blocks/text';

describe('index expressions, by Elasticsearch naming rules', () => {
  it.each(['logs-2024.01.*', 'logs-a,logs-b', 'logs-*,-logs-debug', 'logs-*,-*-debug', 'données-2024', 'a'.repeat(255)])('accepts %s', (expr) => {
    expect(checkIndexExpression(expr)).toBeUndefined();
  });

  it.each([
    ['a'.repeat(256), /longer than the 255 bytes/],
    ['é'.repeat(128), /longer than the 255 bytes/], // 256 bytes in 128 characters
    ['Logs', /upper-case/],
    ...['\\', '/', '?', '"', '<', '>', '|', '#', ':'].map((c) => [`logs${c}x`, /not a valid index name or pattern: no \\/] as [string, RegExp]),
    ['logs x', /no spaces/],
    ['logs\tx', /no spaces or control/],
    ['logs-a,', /empty item/],
    [',logs-a', /empty item/],
    ['-logs', /exclusion needs a pattern before it/],
    ['logs-*,--x', /cannot start with/],
    ['_logs', /cannot start with/],
    ['+logs', /cannot start with/],
    ['.', /system indices|not an index name/],
    ['..', /not an index name/],
    ['logs-*,-', /not an index name/],
    ['_all', /system indices/],
    ['*', /system indices/],
    ['logs-*,-*', /system indices/],
    ['.kibana', /system indices/],
    ['logs-*,.security*', /system indices/],
    ['*-2024', /system indices/],
    ['<logs-{now/d}>', /no \\/],
  ])('refuses %s', (expr, message) => {
    expect(checkIndexExpression(expr)).toMatch(message);
  });

  it('caps the whole expression, and quotes only a short, escaped part of it', () => {
    const many = Array.from({ length: 100 }, (_, i) => `logs-2024.01.${String(i).padStart(2, '0')}`).join(',');
    expect(checkIndexExpression(many)).toMatch(/at most 1024 are accepted/);
    const bad = checkIndexExpression(`<!channel>${'x'.repeat(100_000)}`)!;
    expect(bad.length).toBeLessThan(300);
    expect(bad).toContain('&lt;!channel&gt;');
    expect(bad).not.toContain('<!channel>');
  });
});

describe('echoing user text', () => {
  it('cuts at 80 characters (not inside a surrogate pair) and escapes what Slack would act on', () => {
    expect(echo('a'.repeat(80))).toBe('a'.repeat(80));
    expect(echo('a'.repeat(81))).toBe(`${'a'.repeat(80)}…`);
    expect(echo('😀'.repeat(100))).toBe(`${'😀'.repeat(80)}…`);
    expect(echo('<!here> & <@U1> <#C1|ops> <!subteam^S1>')).toBe('&lt;!here&gt; &amp; &lt;@U1&gt; &lt;#C1|ops&gt; &lt;!subteam^S1&gt;');
    // Escaping after cutting: an entity is never cut in half.
    expect(echo(`${'a'.repeat(79)}<b`)).toBe(`${'a'.repeat(79)}&lt;…`);
    expect(code('a`b')).toBe("`a'b`");
  });
});

describe('job ids', () => {
  it('are unique per run, readable, and still name their kind', () => {
    const at = Date.UTC(2026, 11, 1, 9, 12);
    // Random, not unique by construction (the bot draws again when an id is taken): in about one run in 85, two of
    // 200 ids drawn in one minute are the same, so "all 200 distinct" failed now and then.
    const ids = new Set(Array.from({ length: 200 }, () => newJobId('upgrade', 'prod', at)));
    expect(ids.size).toBeGreaterThanOrEqual(197);
    for (const id of ids) {
      expect(id).toMatch(/^upgrade-prod-20261201-0912-[a-z0-9]{4}$/);
      expect(kindOfJobId(id)).toBe('upgrade');
      expect(looksLikeJobId(id)).toBe(true);
    }
    expect(kindOfJobId(newJobId('alert-test', 'a-b', at))).toBe('alert-test');
    expect(kindOfJobId('demo-prod')).toBe('demo'); // an id of an older release
    expect(looksLikeJobId('upgrade-PROD')).toBe(false);
    expect(looksLikeJobId(`upgrade-${'x'.repeat(200)}`)).toBe(false);
    expect(looksLikeJobId('nope-prod')).toBe(false);
  });
});
