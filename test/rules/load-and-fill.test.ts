import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fillPlaceholders, isSecretName, maskSecrets, PlaceholderError } from '../../src/rules/fill-placeholders';
import { loadRuleFile, loadRules, loadRulesFromFolder, memoryRuleFiles } from '../../src/rules/load-rules';
import { PyFloat } from '../../src/rules/py-values';

const fixtures = fileURLToPath(new URL('../fixtures/rules/', import.meta.url));
const ci = { 'general-spike-5xxs.yaml.threshold_cur': '10', KIBANA_URL: 'https://kibana.ci', HIPCHAT_ROOM: '42', HIPCHAT_TOKEN: 'hc-very-secret' };

describe('fillPlaceholders', () => {
  it('substitutes global and file-scoped names in the raw text, so numbers stay numbers', () => {
    const r = loadRulesFromFolder(`${fixtures}field-notes`, { environment: 'ci', values: ci });
    expect(r.issues).toEqual([]);
    const raw = r.rules[0].raw;
    expect(raw.threshold_cur).toBe(10);
    expect(raw.alert_text).toContain('href="https://kibana.ci"');
    expect(raw.hipchat_room_id).toBe('42');
    expect(r.rules[0].secretValues).toEqual(['hc-very-secret']);
  });
  it('names the unresolved placeholder, the file and the environment, and how to fix it — never a value', () => {
    const r = loadRulesFromFolder(`${fixtures}field-notes`, { environment: 'prod', values: { ...ci, KIBANA_URL: undefined as unknown as string } });
    expect(r.rules).toEqual([]);
    expect(r.issues[0].message).toBe(
      'general-spike-5xxs.yaml: @@KIBANA_URL@@ has no value for environment "prod". Add elastalert.values.prod."KIBANA_URL" to the bot config, or remove the placeholder from the rule.',
    );
    expect(r.issues[0].message).not.toContain('hc-very-secret');
    expect(() => fillPlaceholders('a: @@X@@ @@Y@@', { file: 'f.yaml', environment: 'ci', values: {} })).toThrow(PlaceholderError);
  });
  it('treats TOKEN/PASSWORD/SECRET/KEY names and names marked secret as secrets, and masks their values', () => {
    expect(['HIPCHAT_TOKEN', 'DB_PASSWORD', 'x.yaml.api_key', 'WEBHOOK_SECRET'].every((n) => isSecretName(n))).toBe(true);
    expect(isSecretName('KIBANA_URL')).toBe(false);
    expect(isSecretName('ROOM', ['ROOM'])).toBe(true);
    const f = fillPlaceholders('room: @@ROOM@@', { file: 'f.yaml', environment: 'ci', values: { ROOM: 'r-1' }, secretNames: ['ROOM'] });
    expect(maskSecrets(`bad ${f.text}`, f.secretValues)).toBe('bad room: ••••');
    // A configured key name covers that key in every file; a configured file-scoped name only its file.
    expect(isSecretName('a.yaml.webhook_url', ['webhook_url'])).toBe(true);
    expect(isSecretName('a.yaml.webhook_url', ['b.yaml.webhook_url'])).toBe(false);
    expect(isSecretName('b.yaml.webhook_url', ['b.yaml.webhook_url'])).toBe(true);
  });
  it('masks a secret in a YAML parse error', () => {
    const r = loadRules(memoryRuleFiles({ 'a.yaml': 'name: x\ntoken: "@@API_TOKEN@@\n' }), { environment: 'ci', values: { API_TOKEN: 'tk-123' } });
    expect(r.issues[0].message).toMatch(/could not parse a\.yaml/);
    expect(r.issues[0].message).not.toContain('tk-123');
  });
});

describe('loading like Elastalert', () => {
  it('finds *.yaml and *.yml recursively and merges import: the importing file wins, filters are concatenated (base first)', () => {
    const r = loadRulesFromFolder(`${fixtures}imports`, { environment: 'ci', values: {} });
    expect(r.rules.map((x) => x.file)).toEqual(['base.yml', 'team/api-errors.yaml']);
    const api = r.rules[1];
    expect(api.imports).toEqual(['base.yml']);
    expect(api.raw).toMatchObject({ name: 'API errors', num_events: 20, type: 'frequency', index: 'logstash-*' });
    expect(api.raw.filter).toEqual([{ term: { service: 'api' } }, { term: { level: 'error' } }]);
    expect('import' in api.raw).toBe(false);
  });
  it('resolves nested relative imports from the original rule file folder (Elastalert keeps rule_file)', () => {
    const files = memoryRuleFiles({ 'a/rule.yaml': 'import: mid.yaml\nname: r', 'a/mid.yaml': 'import: top.yaml\nx: 1', 'a/top.yaml': 'y: 2.0\nx: 0' });
    const r = loadRuleFile(files, 'a/rule.yaml', { environment: 'ci', values: {} });
    expect(r.imports).toEqual(['a/mid.yaml', 'a/top.yaml']);
    expect(r.raw.x).toBe(1);
    expect(r.raw.y).toBeInstanceOf(PyFloat);
  });
  it('reports import cycles, duplicate names, non-mapping files; skips is_enabled: false', () => {
    const r = loadRules(
      memoryRuleFiles({ 'c1.yaml': 'import: c2.yaml', 'c2.yaml': 'import: c1.yaml', 'd1.yaml': 'name: same', 'd2.yaml': 'name: same', 'l.yaml': '- a', 'off.yaml': 'name: off\nis_enabled: false' }),
      { environment: 'ci', values: {} },
    );
    const msgs = r.issues.map((i) => `${i.file}: ${i.message}`);
    expect(msgs.some((m) => m.startsWith('c1.yaml') && m.includes('import cycle'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('d2.yaml') && m.includes('duplicate rule name "same" (also in d1.yaml)'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('l.yaml') && m.includes('not a YAML mapping'))).toBe(true);
    expect(r.disabled).toEqual(['off.yaml']);
  });
  it('reads YAML as PyYAML does: y stays a string, on is true, 2.0 is a float', () => {
    const r = loadRuleFile(memoryRuleFiles({ 'a.yaml': 'a: y\nb: on\nc: 2.0\nd: 2' }), 'a.yaml', { environment: 'ci', values: {} });
    expect(r.raw.a).toBe('y');
    expect(r.raw.b).toBe(true);
    expect(r.raw.c).toEqual(new PyFloat(2));
    expect(r.raw.d).toBe(2);
  });
  it('explains a missing rules folder', () => {
    expect(() => loadRulesFromFolder('/nonexistent/rules', { environment: 'ci', values: {} })).toThrow(/set elastalert.rulesDir/);
  });
});
