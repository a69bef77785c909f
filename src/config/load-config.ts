import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { configSchema, type Config } from './schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Replaces `${VAR}` references with environment values. Secrets live only in the environment; a missing
 * variable is an error naming the key that wanted it, so a typo never becomes an empty password.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const v = env[name] ?? fallback;
      if (v === undefined) throw new ConfigError(`${path.join('.') || '(root)'}: environment variable ${name} is not set; export it or remove the reference`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  }
  return value;
}

const SECRET_KEYS = ['botToken', 'signingSecret', 'appToken', 'password', 'apiKey', 'webhookSecret'];

/** Secrets must be `${ENV}` references: a literal in the file would end up in git and in backups. */
function rejectLiteralSecrets(raw: unknown, path: string[] = []): void {
  if (!raw || typeof raw !== 'object') return;
  for (const [k, v] of Object.entries(raw)) {
    if (SECRET_KEYS.includes(k) && typeof v === 'string' && !/^\$\{[A-Z0-9_]+(:-[^}]*)?\}$/.test(v.trim())) {
      throw new ConfigError(`${[...path, k].join('.')}: secrets must be an environment reference like \${SLACK_BOT_TOKEN}, not a literal value`);
    }
    rejectLiteralSecrets(v, [...path, k]);
  }
}

/** Parses and validates a config document; errors name the key path and what was expected. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env, source = 'config'): Config {
  let raw: unknown;
  try {
    raw = yaml.load(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  rejectLiteralSecrets(raw);
  const result = configSchema.safeParse(expandEnv(raw, env));
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}; set ELK_CONFIG to its path`);
  }
  return parseConfig(text, env, file);
}
