import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatFields, pythonFormat, PythonFormatError } from '../../src/rules/python-format';
import { untag } from './py-tagged';

interface Golden {
  ok: { format: string; args: unknown[]; text: string }[];
  errors: { format: string; args: unknown[]; type: string; message: string }[];
  kw: { format: string; kwargs: Record<string, unknown>; text: string }[];
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/rules/golden/format-golden.json', import.meta.url), 'utf8')) as Golden;

describe('pythonFormat matches real Python str.format (golden: make-format-golden.py)', () => {
  it.each(golden.ok.map((c) => [c.format, c]))('%s', (_f, c) => {
    expect(pythonFormat(c.format, untag(c.args) as unknown[])).toBe(c.text);
  });
  it.each(golden.kw.map((c) => [c.format, c]))('keywords: %s', (_f, c) => {
    expect(pythonFormat(c.format, [], untag(c.kwargs) as Record<string, unknown>)).toBe(c.text);
  });
  it.each(golden.errors.map((c) => [c.format, c]))('raises like Python: %s', (_f, c) => {
    let thrown: unknown;
    try {
      pythonFormat(c.format, untag(c.args) as unknown[]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PythonFormatError);
    expect((thrown as PythonFormatError).pythonType).toBe(c.type);
    expect((thrown as PythonFormatError).message).toBe(`${c.type}: ${c.message}`);
  });
});

describe('formatFields', () => {
  it('numbers auto fields and names keyword fields, including nested specs', () => {
    expect(formatFields('{} {} {x:{}}').map((f) => f.ref)).toEqual([0, 1, 'x', 2]);
    expect(formatFields('{{not}} {3[a]} {host}').map((f) => f.ref)).toEqual([3, 'host']);
  });
  it('reports mixing auto and manual numbering as Python does', () => {
    expect(() => formatFields('{} {0}')).toThrow(/cannot switch/);
  });
});
