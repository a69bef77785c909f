// Rebuilds Python-typed values from the golden fixtures' tags ({"$float": x}, {"$td": ms}).
import { PyFloat, PyTimedelta } from '../../src/rules/py-values';

export function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$float' in o) return new PyFloat(o.$float as number);
    if ('$td' in o) return new PyTimedelta(o.$td as number);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x)]));
  }
  return v;
}
