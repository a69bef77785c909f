/**
 * `@@NAME@@` substitution, done on the raw YAML text as the team's deploy step did, so `threshold_cur: @@X@@`
 * with X = "10" parses as the number 10. Names are global (`@@KIBANA_URL@@`) or file-scoped
 * (`@@general-spike-5xxs.yaml.threshold_cur@@`); both are plain keys of one environment's values.
 */

const PLACEHOLDER = /@@([A-Za-z0-9_.\-]+)@@/g;
const SECRET_WORD = /(TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL)/i;

export class PlaceholderError extends Error {
  constructor(
    readonly file: string,
    readonly environment: string,
    readonly missing: string[],
  ) {
    super(
      `${file}: ${missing.map((m) => `@@${m}@@`).join(', ')} ha${missing.length === 1 ? 's' : 've'} no value for environment ` +
        `"${environment}". Add ${missing.map((m) => `elastalert.values.${environment}.${JSON.stringify(m)}`).join(', ')} ` +
        `to the bot config, or remove the placeholder from the rule.`,
    );
    this.name = 'PlaceholderError';
  }
}

export interface FillInput {
  /** The rule file's path; its base name scopes file-scoped placeholders in messages. */
  file: string;
  environment: string;
  values: Readonly<Record<string, string>>;
  /** Names to treat as secrets besides those that look like one (TOKEN, PASSWORD, SECRET, KEY …). */
  secretNames?: readonly string[];
}

export interface Filled {
  text: string;
  /** Placeholder names that were substituted. */
  used: string[];
  /** The values of secret placeholders used, for `maskSecrets`; never print these. */
  secretValues: string[];
}

/**
 * True when a value name looks like a credential, judged on its last segment (`x.yaml.api_key` → `api_key`), or
 * is named in secretNames — whole (`x.yaml.webhook_url`, `WEBHOOK_URL`) or by that last segment (`webhook_url`).
 */
export function isSecretName(name: string, secretNames: readonly string[] = []): boolean {
  const last = name.split('.').pop() ?? name;
  if (secretNames.includes(name) || secretNames.includes(last)) return true;
  return SECRET_WORD.test(last);
}

export function fillPlaceholders(raw: string, input: FillInput): Filled {
  const used = new Set<string>();
  const missing = new Set<string>();
  const secretValues = new Set<string>();
  const text = raw.replace(PLACEHOLDER, (whole, name: string) => {
    const value = input.values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    used.add(name);
    if (isSecretName(name, input.secretNames) && value !== '') secretValues.add(value);
    return value;
  });
  if (missing.size) throw new PlaceholderError(input.file, input.environment, [...missing]);
  return { text, used: [...used], secretValues: [...secretValues] };
}

/** Replaces every secret value in text (an error message, a rendered alert, a YAML excerpt) with `••••`. */
export function maskSecrets(text: string, secretValues: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const s of [...secretValues].sort((a, b) => b.length - a.length)) out = out.split(s).join('••••');
  return out;
}
