/**
 * Load → fill → validate, as Elastalert would at start-up, for the one rule asked for or all of them.
 * Everything shown is masked with the secret placeholder values the rule used.
 */
import { posix } from 'node:path';
import { loadRulesFromFolder, maskSecrets, validateRule, type RuleConfig, type RuleIssue } from '../../src/rules';
import { closestKey } from '../../src/rules/closest-key';
import { esc } from '../../src/slack/blocks/text';
import type { AlertTestArgs, AlertTestDeps } from './types';

export interface CheckedRule {
  file: string;
  /** The rule's name, masked (secret placeholder values replaced). */
  name: string;
  rule?: RuleConfig;
  issues: RuleIssue[];
  /** Values of the secret placeholders the rule used: mask them in anything posted. */
  secretValues: string[];
}

export interface Selection {
  checked: CheckedRule[];
  /** Set when the rule asked for is not there, with the names that are. */
  notFound?: string;
}

const stem = (f: string) => posix.basename(f).replace(/\.(ya?ml)$/, '');

export function selectRules(deps: AlertTestDeps, args: AlertTestArgs): Selection {
  const loaded = loadRulesFromFolder(deps.rules.dir, { environment: args.env, values: deps.rules.values[args.env] ?? {}, secretNames: deps.rules.secretNames });
  const checked: CheckedRule[] = loaded.rules.map((l) => {
    const v = validateRule(l);
    // The name is rule text like any other: a placeholder may have filled it with a secret.
    const name = maskSecrets(typeof l.raw.name === 'string' ? l.raw.name : stem(l.file), l.secretValues);
    const issues = v.issues.map((i) => ({ ...i, message: maskSecrets(i.message, l.secretValues) }));
    return { file: l.file, name, rule: v.rule, issues, secretValues: l.secretValues };
  });
  // Files that did not even load (placeholders without a value, bad YAML, duplicate names) count as rules with errors.
  for (const i of loaded.issues) checked.push({ file: i.file, name: stem(i.file), issues: [i], secretValues: [] });
  checked.sort((a, b) => a.file.localeCompare(b.file));
  if (args.all) return { checked };
  const want = args.rule ?? '';
  const hit = checked.filter((c) => c.name === want || c.file === want || stem(c.file) === want || posix.basename(c.file) === want);
  if (hit.length) return { checked: hit.slice(0, 1) };
  const names = checked.map((c) => stem(c.file));
  const guess = closestKey(want, names);
  return {
    checked: [],
    notFound:
      `no rule \`${esc(want)}\` in ${esc(deps.rules.dir)}${guess ? `; did you mean \`${esc(guess)}\`?` : ''} ` +
      `Rules there: ${names.slice(0, 30).map((n) => `\`${esc(n)}\``).join(', ') || '(none)'}${loaded.disabled.length ? ` (disabled: ${loaded.disabled.length})` : ''}`,
  };
}

/** One line per issue: severity, file › key, message (already masked). */
export function issueLines(c: CheckedRule): string[] {
  return c.issues.map((i) => `${i.severity === 'error' ? '❌' : '⚠️'} \`${esc(i.file)}\`${i.key ? ` › \`${esc(i.key)}\`` : ''}: ${esc(i.message)}`);
}
