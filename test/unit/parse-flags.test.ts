import { describe, expect, it } from 'vitest';
import { parseFlags, splitWords } from '../../commands/parse-flags';

describe('parseFlags', () => {
  const spec = { 'dry-run': 'boolean', slices: 'string', rps: 'number' } as const;
  it('separates positionals from flags in both --f v and --f=v forms', () => {
    expect(parseFlags(['prod', 'logs-*', '--dry-run', '--slices=auto', '--rps', '500'], spec)).toEqual({
      ok: true,
      value: { positionals: ['prod', 'logs-*'], flags: { 'dry-run': true, slices: 'auto', rps: 500 } },
    });
  });
  it('refuses unknown, repeated, valueless and malformed flags with a message naming them', () => {
    expect(parseFlags(['--dryrun'], spec)).toEqual({ ok: false, error: 'unknown option `--dryrun`; accepted: --dry-run, --slices, --rps' });
    expect(parseFlags(['--rps', '1', '--rps', '2'], spec)).toMatchObject({ ok: false, error: '`--rps` is given twice' });
    expect(parseFlags(['--slices'], spec)).toMatchObject({ ok: false, error: '`--slices` needs a value' });
    expect(parseFlags(['--slices', '--dry-run'], spec)).toMatchObject({ ok: false, error: '`--slices` needs a value' });
    expect(parseFlags(['--rps', 'fast'], spec)).toMatchObject({ ok: false, error: '`--rps` needs a positive number, got `fast`' });
    expect(parseFlags(['--dry-run=yes'], spec)).toMatchObject({ ok: false, error: '`--dry-run` takes no value' });
  });
  it('splits words with quotes', () => {
    expect(splitWords('reindex prod "logs-2024.01.*,logs-2024.02.*"  --dry-run')).toEqual(['reindex', 'prod', 'logs-2024.01.*,logs-2024.02.*', '--dry-run']);
  });
});
