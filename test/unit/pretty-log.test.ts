import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { formatLogLine, prettyStream } from '../../src/pretty-log';

describe('pretty terminal logs', () => {
  it('turns a pino JSON line into time, level, message and key=values, without pid or hostname', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), pid: 1, hostname: 'vm', name: 'elk-ops', msg: 'sandbox worker exited', worker: 42, signal: 'SIGTERM', note: 'two words', nested: { a: 1 } });
    expect(formatLogLine(line)).toBe('03:04:05.678 WARN  sandbox worker exited worker=42 signal=SIGTERM note="two words" nested={"a":1}\n');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('not json')).toBe('not json\n');
  });

  it('keeps pino\'s redaction: a secret never reaches the terminal', () => {
    let out = '';
    const sink = new Writable({ write: (c, _e, done) => ((out += c.toString()), done()) });
    const log = pino({ redact: { paths: ['*.botToken'], censor: '[redacted]' } }, prettyStream(sink, false));
    log.info({ slack: { botToken: 'xoxb-secret' } }, 'connected');
    expect(out).toMatch(/ INFO  connected slack=\{"botToken":"\[redacted\]"\}\n$/);
    expect(out).not.toContain('xoxb-secret');
  });
});
