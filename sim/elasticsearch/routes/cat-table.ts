import type { EsRequest, EsResponse } from '../router';
import { humanBytes } from '../time-units';

export interface CatColumn {
  name: string;
  aliases?: string[];
  /** Shown when no `h` is given. */
  dflt?: boolean;
  /** Right-aligned in the text format, as numbers are. */
  numeric?: boolean;
}

export type CatRow = Record<string, string | null>;

/** Byte values as `bytes=` asks: b/kb/mb/gb give whole numbers in that unit, otherwise human sizes. */
export function catBytes(req: EsRequest, n: number): string {
  const unit = req.query.get('bytes');
  const div: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
  return unit && div[unit] ? String(Math.floor(n / div[unit])) : humanBytes(n);
}

/** JSON when `format=json` or the Accept header asks for JSON, aligned text otherwise (with `v` for headers). */
export function renderCat(req: EsRequest, columns: CatColumn[], rows: CatRow[]): EsResponse {
  const h = req.query.get('h');
  const picked = h
    ? h.split(',').flatMap((want) => {
        const w = want.trim();
        if (w.includes('*')) {
          const re = new RegExp(`^${w.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
          return columns.filter((c) => re.test(c.name));
        }
        const col = columns.find((c) => c.name === w || c.aliases?.includes(w));
        return col ? [col] : [];
      })
    : columns.filter((c) => c.dflt);
  const sort = req.query.get('s');
  if (sort) {
    const keys = sort.split(',').map((k) => {
      const [name, dir] = k.split(':');
      const col = columns.find((c) => c.name === name || c.aliases?.includes(name));
      return { name: col?.name ?? name, desc: dir === 'desc', numeric: !!col?.numeric };
    });
    rows.sort((a, b) => {
      for (const k of keys) {
        const x = a[k.name] ?? '';
        const y = b[k.name] ?? '';
        const c = k.numeric ? Number(x) - Number(y) : x.localeCompare(y);
        if (c) return k.desc ? -c : c;
      }
      return 0;
    });
  }
  const format = req.query.get('format') ?? (/json/.test(String(req.headers.accept ?? '')) ? 'json' : 'text');
  if (format === 'json') return { body: rows.map((r) => Object.fromEntries(picked.map((c) => [c.name, r[c.name] ?? null]))) };
  const withHeader = req.query.has('v') && req.query.get('v') !== 'false';
  const table = rows.map((r) => picked.map((c) => r[c.name] ?? ''));
  if (withHeader) table.unshift(picked.map((c) => c.name));
  const widths = picked.map((_, i) => Math.max(0, ...table.map((row) => row[i].length)));
  const text = table
    .map((row, ri) =>
      row
        .map((cell, i) => (picked[i].numeric && !(withHeader && ri === 0) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
  return { text: text ? `${text}\n` : '' };
}
