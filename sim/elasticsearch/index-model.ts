import type { ShardStore } from './refresh';
import type { FlatSettings } from './settings';
import type { ShardCopy } from './types';

/** One shard id of an index: its copies (one primary, N replicas) and its documents. */
export interface ShardGroup {
  index: string;
  num: number;
  copies: ShardCopy[];
  store: ShardStore;
  /** A primary that has never started belongs to a new index: health treats it as yellow, not red. */
  everStarted: boolean;
  /** Every copy was lost with its node; the documents are gone and no node can recover the shard. */
  dataLost: boolean;
}

export interface IndexState {
  name: string;
  uuid: string;
  createdAt: number;
  settings: FlatSettings;
  mappings: { properties: Record<string, unknown> };
  aliases: Map<string, { is_write_index?: boolean }>;
  groups: ShardGroup[];
  lastRefreshAt: number;
  bytesPerDoc: number;
}

export const isActive = (c: ShardCopy) => c.state === 'STARTED' || c.state === 'RELOCATING';
export const primaryOf = (g: ShardGroup) => g.copies.find((c) => c.primary)!;
export const isHidden = (idx: IndexState) => idx.settings['index.hidden'] === 'true';
export const shardBytes = (idx: IndexState, g: ShardGroup) => g.store.live.size * idx.bytesPerDoc;

/** Java's String.hashCode, so a document id always routes to the same shard. */
export function shardFor(id: string, shards: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(31, h) + id.charCodeAt(i)) | 0;
  return Math.abs(h) % shards;
}

/** Dynamic mapping as Elasticsearch infers it from the first document carrying a field. */
export function inferMappings(props: Record<string, unknown>, doc: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || v === undefined || k in props) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      const sub: Record<string, unknown> = {};
      inferMappings(sub, v as Record<string, unknown>);
      props[k] = { properties: sub };
    } else {
      const sample = Array.isArray(v) ? v[0] : v;
      if (typeof sample === 'number') props[k] = { type: Number.isInteger(sample) ? 'long' : 'float' };
      else if (typeof sample === 'boolean') props[k] = { type: 'boolean' };
      else if (typeof sample === 'string' && /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(sample))
        props[k] = { type: 'date' };
      else props[k] = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    }
  }
}
