import type { StoredDoc } from './types';

type Op = { id: string; doc: StoredDoc | undefined };

/** A read-only view of one shard's documents as a search would see them. */
export interface DocView {
  get(id: string): StoredDoc | undefined;
  values(): Iterable<StoredDoc>;
  readonly size: number;
}

/**
 * One shard's documents. Writes land in `live` at once (what realtime GET and ground truth see); searches see
 * `visible`, which only catches up when a refresh is applied. A refresh may become visible later than it was
 * taken (the refreshLagMs knob), and recent refreshes are remembered so a stale replica's view can be rebuilt.
 */
export class ShardStore {
  readonly live = new Map<string, StoredDoc>();
  private visible = new Map<string, StoredDoc>();
  private pending: Op[] = [];
  private inflight: Array<{ visibleAt: number; ops: Op[]; applied: boolean }> = [];
  private history: Array<{ appliedAt: number; undo: Op[] }> = [];
  seqNo = -1;

  write(id: string, doc: StoredDoc | undefined): void {
    if (doc) this.live.set(id, doc);
    else this.live.delete(id);
    this.pending.push({ id, doc });
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Takes a refresh point; returns a handle whose `applied` flips once it is visible. */
  refresh(now: number, lagMs: number, keepHistoryMs: number): { applied: boolean } {
    const entry = { visibleAt: now + lagMs, ops: this.pending, applied: false };
    this.pending = [];
    this.inflight.push(entry);
    this.applyDue(now, keepHistoryMs);
    return entry;
  }

  /** Makes refreshes whose lag has passed visible, in the order they were taken. */
  applyDue(now: number, keepHistoryMs: number): boolean {
    let changed = false;
    while (this.inflight.length && this.inflight[0].visibleAt <= now) {
      const entry = this.inflight.shift()!;
      const undo: Op[] = [];
      for (const op of entry.ops) {
        undo.push({ id: op.id, doc: this.visible.get(op.id) });
        if (op.doc) this.visible.set(op.id, op.doc);
        else this.visible.delete(op.id);
      }
      entry.applied = true;
      if (keepHistoryMs > 0 && undo.length) this.history.push({ appliedAt: now, undo });
      changed = true;
    }
    const horizon = now - keepHistoryMs - 1000;
    while (this.history.length && this.history[0].appliedAt < horizon) this.history.shift();
    return changed;
  }

  /** The searchable view, optionally as it was at clock time `asOf`. */
  view(asOf?: number): DocView {
    const visible = this.visible;
    const recent = asOf === undefined ? [] : this.history.filter((h) => h.appliedAt > asOf);
    if (!recent.length) return { get: (id) => visible.get(id), values: () => visible.values(), size: visible.size };
    const overlay = new Map<string, StoredDoc | undefined>();
    for (let i = recent.length - 1; i >= 0; i--) {
      for (let j = recent[i].undo.length - 1; j >= 0; j--) overlay.set(recent[i].undo[j].id, recent[i].undo[j].doc);
    }
    let size = visible.size;
    for (const [id, doc] of overlay) size += (doc ? 1 : 0) - (visible.has(id) ? 1 : 0);
    return {
      get: (id) => (overlay.has(id) ? overlay.get(id) : visible.get(id)),
      *values() {
        for (const [id, doc] of visible) if (!overlay.has(id)) yield doc;
        for (const doc of overlay.values()) if (doc) yield doc;
      },
      size,
    };
  }

  /**
   * Clone hard-links the source's last commit; resizing flushes the source first, so every acknowledged
   * document is in it and the target opens with all of them searchable.
   */
  static cloneOf(src: ShardStore): ShardStore {
    const s = new ShardStore();
    for (const [id, d] of src.live) {
      s.live.set(id, d);
      s.visible.set(id, d);
    }
    s.seqNo = src.seqNo;
    return s;
  }
}
