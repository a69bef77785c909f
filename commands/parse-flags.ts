import { code } from '../src/slack/blocks/text';
import type { Parsed } from './types';

export type FlagKind = 'boolean' | 'string' | 'number';

export interface FlagSpec {
  [flag: string]: FlagKind;
}

export interface ParsedWords {
  positionals: string[];
  flags: Record<string, string | number | boolean>;
}

/**
 * Splits words into positionals and `--flag[=value]` / `--flag value` options. Unknown flags and missing or
 * malformed values are errors that name the flag and list the accepted ones, so a typo never runs a job with
 * a default the operator did not choose.
 */
export function parseFlags(words: string[], spec: FlagSpec): Parsed<ParsedWords> {
  const positionals: string[] = [];
  const flags: ParsedWords['flags'] = {};
  const known = Object.keys(spec)
    .map((f) => `--${f}`)
    .join(', ');
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq === -1 ? undefined : eq);
    // Own keys only: `--constructor` or `--__proto__` must be unknown, not Object's.
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) return { ok: false, error: `unknown option ${code(`--${name}`)}${known ? `; accepted: ${known}` : ''}` };
    if (Object.hasOwn(flags, name)) return { ok: false, error: `\`--${name}\` is given twice` };
    if (kind === 'boolean') {
      if (eq !== -1) return { ok: false, error: `\`--${name}\` takes no value` };
      flags[name] = true;
      continue;
    }
    let value = eq === -1 ? words[++i] : word.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      return { ok: false, error: `\`--${name}\` needs a value` };
    }
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) return { ok: false, error: `\`--${name}\` needs a positive number, got ${code(value)}` };
      flags[name] = n;
    } else {
      flags[name] = value;
    }
  }
  return { ok: true, value: { positionals, flags } };
}

/** Splits the slash command text like a shell would for simple cases: whitespace, with "quoted words". */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[1] ?? m[2]);
  return words;
}
