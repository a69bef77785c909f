import { pino, type Logger } from 'pino';
import { prettyStream } from './pretty-log';

/**
 * Structured logs. Secrets are redacted by key wherever they appear, as a second line of defence: the code
 * never logs config objects or request headers on purpose. A person at a terminal gets one readable line per
 * record (redaction happens before formatting); anything else gets pino's JSON. LOG_FORMAT=json|pretty forces one.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', pretty = wantsPretty()): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: ['*.password', '*.apiKey', '*.token', '*.botToken', '*.signingSecret', '*.appToken', '*.webhookSecret', '*.secretAccessKey', '*.authorization', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return pretty ? pino(options, prettyStream(process.stdout, !process.env.NO_COLOR)) : pino(options);
}

function wantsPretty(env = process.env): boolean {
  if (env.LOG_FORMAT === 'json') return false;
  if (env.LOG_FORMAT === 'pretty') return true;
  return !!process.stdout.isTTY;
}

export type { Logger };
