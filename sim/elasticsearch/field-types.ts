import { getField } from './settings';

/**
 * Field types as the simulator's mappings know them, and how a document's _source values turn into the terms
 * a query compares against. Elasticsearch matches indexed terms, not _source: a `text` field is analysed
 * (lower-cased words), a `keyword` field is one exact term, numbers and dates compare as numbers.
 */
export type Props = Record<string, unknown>;

export interface FieldInfo {
  /** The field name as queried ("host.keyword"). */
  name: string;
  type: string;
  /** Where its values live in _source: a multi-field ("host.keyword") reads its parent ("host"). */
  sourcePath: string;
  ignoreAbove?: number;
}

export const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);

type Mapping = { type?: string; properties?: Props; fields?: Record<string, Mapping>; ignore_above?: number };

/** Every queryable leaf field of a mapping, multi-fields included (what `*` expands to). */
export function listFields(props: Props | undefined, prefix = ''): FieldInfo[] {
  const out: FieldInfo[] = [];
  for (const [k, raw] of Object.entries(props ?? {})) {
    const m = raw as Mapping;
    const name = prefix ? `${prefix}.${k}` : k;
    if (m.properties) {
      out.push(...listFields(m.properties, name));
      continue;
    }
    out.push({ name, type: m.type ?? 'object', sourcePath: name, ignoreAbove: m.ignore_above });
    for (const [sub, sm] of Object.entries(m.fields ?? {}))
      out.push({ name: `${name}.${sub}`, type: sm.type ?? 'keyword', sourcePath: name, ignoreAbove: sm.ignore_above });
  }
  return out;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Dynamic mapping's guess for a value, used where an index has no mapping for a field (as inferMappings would map it). */
function inferredType(v: unknown): string {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s === 'number') return Number.isInteger(s) ? 'long' : 'float';
  if (typeof s === 'boolean') return 'boolean';
  if (typeof s === 'string' && DATE_LIKE.test(s)) return 'date';
  if (s && typeof s === 'object') return 'object';
  return 'text';
}

/** Resolves a field name against the mappings, falling back to the type dynamic mapping would give the document's value. */
export function resolveField(props: Props | undefined, name: string, doc?: Record<string, unknown>): FieldInfo {
  const known = props ? listFields(props).find((f) => f.name === name) : undefined;
  if (known) return known;
  if (name.endsWith('.keyword')) return { name, type: 'keyword', sourcePath: name.slice(0, -'.keyword'.length), ignoreAbove: 256 };
  return { name, type: doc ? inferredType(getField(doc, name)) : 'unknown', sourcePath: name };
}

/** The _source values of a field, arrays flattened, nulls dropped. */
export function sourceValues(doc: Record<string, unknown>, f: FieldInfo): unknown[] {
  const v = getField(doc, f.sourcePath);
  const list = v === undefined || v === null ? [] : Array.isArray(v) ? v.flat(Infinity) : [v];
  const present = list.filter((x) => x !== null && x !== undefined);
  // keyword's ignore_above: longer strings are kept in _source but not indexed, so queries never see them.
  if (f.type === 'keyword' && f.ignoreAbove !== undefined) return present.filter((x) => String(x).length <= f.ignoreAbove!);
  return present;
}

/**
 * The standard analyzer, approximately: Unicode word runs, lower-cased. UAX#29 keeps "example.com", "10.0.0.1"
 * and "don't" as one token; so does this. Not modelled: stop words (standard has none by default), CJK splitting.
 */
export function analyze(text: unknown): string[] {
  return String(text).toLowerCase().match(/[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu) ?? [];
}

/** A text field's indexed terms for one document, in position order. */
export function textTokens(doc: Record<string, unknown>, f: FieldInfo): string[] {
  return sourceValues(doc, f).flatMap((v) => analyze(v));
}
