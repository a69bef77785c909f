/**
 * Loads Elastalert rules as `FileRulesLoader` does (loaders.py): every `*.yaml` / `*.yml` under the folder
 * (recursively: `scan_subdirectories` defaults to true), placeholders filled per environment first (as the
 * deploy did), then `import` chains merged: the importing file's keys win (a shallow `dict.update`), except
 * `filter`, where the imported file's filters come first and both apply (AND). A relative `import` is resolved
 * against the directory of the rule file being loaded, even for an import inside an imported file — that is
 * what Elastalert does (it keeps `rule_file` of the original).
 * Rules with `is_enabled: false` are skipped; two rules with one name are an error (Elastalert refuses to start).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix, join, isAbsolute } from 'node:path';
import { fillPlaceholders, maskSecrets, PlaceholderError } from './fill-placeholders';
import { parsePythonYaml } from './python-yaml';

/** Where rule files come from: the rules folder, or an in-memory map in tests. Paths are '/'-separated. */
export interface RuleFiles {
  /** Rule file paths relative to the rules folder. */
  list(): string[];
  /** The text of a path returned by list() or reached by import; throws if absent. */
  read(path: string): string;
}

export interface PlaceholderInput {
  environment: string;
  values: Readonly<Record<string, string>>;
  secretNames?: readonly string[];
}

export interface LoadedRule {
  /** Path relative to the rules folder. */
  file: string;
  /** The merged rule as Python values (PyFloat for YAML floats), before defaults. */
  raw: Record<string, unknown>;
  /** Files merged in by `import`, nearest first. */
  imports: string[];
  /** Values of secret placeholders used, to mask in anything shown. */
  secretValues: string[];
}

export interface RuleIssue {
  file: string;
  /** Key path inside the rule, e.g. `alert_text` or `timeframe.minutes`. */
  key?: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface LoadResult {
  rules: LoadedRule[];
  /** Files skipped because of `is_enabled: false`. */
  disabled: string[];
  issues: RuleIssue[];
}

export function isRuleFileName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** RuleFiles over a folder on disk. */
export function folderRuleFiles(dir: string): RuleFiles {
  const walk = (rel: string): string[] =>
    readdirSync(join(dir, rel), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) return walk(p);
        return e.isFile() && isRuleFileName(e.name) ? [p] : [];
      });
  return {
    list: () => walk(''),
    read: (p) => readFileSync(isAbsolute(p) ? p : join(dir, p), 'utf8'),
  };
}

/** RuleFiles over an in-memory map (tests, and rules fetched from elsewhere). */
export function memoryRuleFiles(files: Readonly<Record<string, string>>): RuleFiles {
  return {
    list: () => Object.keys(files).filter(isRuleFileName).sort(),
    read: (p) => {
      const text = files[posix.normalize(p)];
      if (text === undefined) throw new Error(`no such file: ${p}`);
      return text;
    },
  };
}

function readRuleDoc(files: RuleFiles, path: string, input: PlaceholderInput, secrets: Set<string>): Record<string, unknown> {
  let text: string;
  try {
    text = files.read(path);
  } catch {
    throw new Error(`cannot read ${path}: check the path (a relative import is resolved from the rule file's folder)`);
  }
  const filled = fillPlaceholders(text, { file: path, ...input });
  filled.secretValues.forEach((s) => secrets.add(s));
  let doc: unknown;
  try {
    doc = parsePythonYaml(filled.text, path);
  } catch (e) {
    throw new Error(`could not parse ${path}: ${maskSecrets((e as Error).message, [...secrets])}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${path} is not a YAML mapping of rule options (key: value lines); Elastalert cannot load it`);
  return doc as Record<string, unknown>;
}

/** loaders.py `load_yaml`: follow `import`, merging as Elastalert does. */
export function loadRuleFile(files: RuleFiles, file: string, input: PlaceholderInput): LoadedRule {
  const secrets = new Set<string>();
  const imports: string[] = [];
  let rule: Record<string, unknown> = {};
  let current = file;
  const seen = new Set<string>([file]);
  for (;;) {
    const loaded = readRuleDoc(files, current, input, secrets);
    if ('filter' in rule && 'filter' in loaded) {
      if (!Array.isArray(rule.filter) || !Array.isArray(loaded.filter))
        throw new Error(`${current}: filter must be a list in both ${current} and the file importing it, so they can be combined`);
      rule.filter = [...loaded.filter, ...rule.filter];
    }
    rule = { ...loaded, ...rule };
    if (!('import' in rule)) break;
    const target = rule.import;
    delete rule.import;
    if (typeof target !== 'string') throw new Error(`${current}: import must be a file path string`);
    const next = target.startsWith('/') ? target : posix.normalize(posix.join(posix.dirname(file), target));
    if (seen.has(next)) throw new Error(`${file}: import cycle through ${next}; Elastalert would loop forever loading it`);
    seen.add(next);
    imports.push(next);
    current = next;
  }
  return { file, raw: rule, imports, secretValues: [...secrets] };
}

/** Loads every rule file; problems are collected per file instead of stopping at the first. */
export function loadRules(files: RuleFiles, input: PlaceholderInput): LoadResult {
  const result: LoadResult = { rules: [], disabled: [], issues: [] };
  const byName = new Map<string, string>();
  for (const file of files.list()) {
    let loaded: LoadedRule;
    try {
      loaded = loadRuleFile(files, file, input);
    } catch (e) {
      const message = e instanceof PlaceholderError || e instanceof Error ? e.message : String(e);
      result.issues.push({ file, severity: 'error', message });
      continue;
    }
    if ('is_enabled' in loaded.raw && !loaded.raw.is_enabled) {
      result.disabled.push(file);
      continue;
    }
    const name = typeof loaded.raw.name === 'string' ? loaded.raw.name : defaultRuleName(file);
    const other = byName.get(name);
    if (other !== undefined) {
      result.issues.push({
        file,
        key: 'name',
        severity: 'error',
        message: maskSecrets(`duplicate rule name "${name}" (also in ${other}); Elastalert refuses to start. Rename one of them.`, loaded.secretValues),
      });
      continue;
    }
    byName.set(name, file);
    result.rules.push(loaded);
  }
  return result;
}

export function loadRulesFromFolder(dir: string, input: PlaceholderInput): LoadResult {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`rules folder ${dir} does not exist: set elastalert.rulesDir to the folder holding the *.yaml rules`);
  return loadRules(folderRuleFiles(dir), input);
}

/** Elastalert's fallback name: the rule file path without its extension. */
export function defaultRuleName(file: string): string {
  return file.replace(/\.(yaml|yml)$/, '');
}
