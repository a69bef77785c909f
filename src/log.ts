import { pino, type Logger } from 'pino';

/**
 * Structured logs. Secrets are redacted by key wherever they appear, as a second line of defence: the code
 * never logs config objects or request headers on purpose.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.password', '*.apiKey', '*.token', '*.botToken', '*.signingSecret', '*.appToken', '*.webhookSecret', '*.secretAccessKey', '*.authorization', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
