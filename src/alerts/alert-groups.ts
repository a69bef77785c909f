import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { APPLY_ALERT, CONSUME, DECIDE, RESCHEDULE, RESOLVE_IF_QUIET } from './group-scripts';

/** One alert group: a rule (+ query_key value) in one channel, and its current thread. Stored as a Redis hash. */
export interface GroupState {
  gid: string;
  epi: number;
  state: 'open' | 'resolved';
  rule: string;
  qkField: string;
  qkValue: string;
  channel: string;
  cluster: string;
  threadTs: string;
  prevTs: string;
  openedAt: number;
  lastRecv: number;
  firstMatch?: number;
  lastMatch?: number;
  count: number;
  silenced: number;
  pending: number;
  peak?: number;
  ver: number;
  parentVer: number;
  reopened: number;
  replies: number;
  resolvedAt?: number;
  resolvedBy?: string;
  ackBy?: string;
  ackAt?: number;
  silenceMode: '' | 'time' | 'resolved';
  silenceUntil: number;
  silencedBy?: string;
  first: Record<string, unknown>;
  latest: Record<string, unknown>;
  /** "field\tvalue" → how many matches had it. */
  top: Record<string, number>;
  intent?: PostIntent;
  /** The route's (or the payload's) severity, '' when none: what elastalert.alerts.holdUpgradesOn matches. */
  severity: string;
  /** The once-per-thread extras already claimed (claimOnce): 'chart', 'ops', 'breakdown'. */
  once: string[];
}

/** Written before a post and cleared with its effect: after a crash it says which post may already be in Slack. */
export interface PostIntent {
  kind: 'parent' | 'reply';
  /** The block_id the post carries, to find it in the channel. */
  marker: string;
  at: number;
  pending: number;
  samples: number;
  notes: number;
}

export interface ApplyInput {
  alertId: string;
  now: number;
  nowReal: number;
  matchTs?: number;
  peak?: number;
  sample: string;
  groupWindow: number;
  reopenWindow: number;
  rule: string;
  qkField?: string;
  qkValue?: string;
  channel: string;
  cluster?: string;
  summary: Record<string, unknown>;
  top: string[];
  reopenNote: string;
  severity?: string;
}

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

export function groupId(channel: string, rule: string, qkValue?: string): string {
  return createHash('sha1').update(`${channel}\u0000${rule}\u0000${qkValue ?? ''}`).digest('hex').slice(0, 20);
}

export class AlertGroups {
  constructor(
    readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(gid: string): string[] {
    const g = `${this.prefix}:alerts:g:${gid}`;
    return [g, `${g}:seen`, `${g}:samples`, `${g}:notes`, this.dueKey];
  }

  get dueKey(): string {
    return `${this.prefix}:alerts:due`;
  }

  private run(script: string, gid: string, args: (string | number)[]): Promise<unknown> {
    return this.redis.eval(script, 5, ...this.keys(gid), ...args.map(String));
  }

  /** Counts one alert into its group (a no-op for an alert id already counted). */
  async apply(gid: string, a: ApplyInput): Promise<{ outcome: 'new' | 'repeat' | 'reopened' | 'duplicate'; epi: number }> {
    const [outcome, epi] = (await this.run(APPLY_ALERT, gid, [
      a.alertId, a.now, a.matchTs ?? '', a.peak ?? '', a.sample, a.groupWindow, a.reopenWindow, a.rule, a.qkField ?? '', a.qkValue ?? '',
      a.channel, a.cluster ?? '', JSON.stringify(a.summary), a.nowReal, JSON.stringify(a.top), gid, a.reopenNote, a.severity ?? '',
    ])) as [string, string];
    return { outcome: outcome as never, epi: Number(epi) };
  }

  async get(gid: string): Promise<GroupState | undefined> {
    const h = await this.redis.hgetall(this.keys(gid)[0]);
    if (!h.gid) return undefined;
    const top: Record<string, number> = {};
    for (const [k, v] of Object.entries(h)) if (k.startsWith('top:')) top[k.slice(4)] = Number(v);
    const json = (v: string | undefined) => {
      try {
        return v ? JSON.parse(v) : undefined;
      } catch {
        return undefined;
      }
    };
    return {
      gid: h.gid, epi: Number(h.epi), state: h.state as GroupState['state'], rule: h.rule, qkField: h.qkField ?? '', qkValue: h.qkValue ?? '',
      channel: h.channel, cluster: h.cluster ?? '', threadTs: h.threadTs ?? '', prevTs: h.prevTs ?? '', openedAt: Number(h.openedAt),
      lastRecv: Number(h.lastRecv), firstMatch: num(h.firstMatch), lastMatch: num(h.lastMatch), count: Number(h.count), silenced: Number(h.silenced ?? 0),
      pending: Number(h.pending ?? 0), peak: num(h.peak), ver: Number(h.ver), parentVer: Number(h.parentVer), reopened: Number(h.reopened ?? 0),
      replies: Number(h.replies ?? 0), resolvedAt: num(h.resolvedAt), resolvedBy: h.resolvedBy || undefined, ackBy: h.ackBy || undefined, ackAt: num(h.ackAt),
      silenceMode: (h.silenceMode ?? '') as GroupState['silenceMode'], silenceUntil: Number(h.silenceUntil ?? 0), silencedBy: h.silencedBy || undefined,
      first: json(h.first) ?? {}, latest: json(h.latest) ?? {}, top, intent: json(h.intent), severity: h.severity ?? '',
      once: Object.keys(h).filter((k) => k.startsWith('once:')).map((k) => k.slice(5)),
    };
  }

  private clusterKey(cluster: string): string {
    return `${this.prefix}:alerts:cluster:${cluster}`;
  }

  /**
   * Remembers that the group's alerts belong to `cluster`, for the upgrade's read of open alerts. Done before
   * the alert is counted (and again on a re-run: SADD is idempotent), so a counted alert is always findable.
   */
  async indexCluster(cluster: string, gid: string): Promise<void> {
    await this.redis.sadd(this.clusterKey(cluster), gid);
  }

  /** Every group ever indexed under `cluster`, current state read fresh (groups whose hash is gone are dropped). */
  async onCluster(cluster: string): Promise<GroupState[]> {
    const gids = await this.redis.smembers(this.clusterKey(cluster));
    const out: GroupState[] = [];
    for (const gid of gids) {
      const g = await this.get(gid);
      if (g && g.cluster === cluster) out.push(g);
      else await this.redis.srem(this.clusterKey(cluster), gid);
    }
    return out;
  }

  /**
   * Claims a once-per-thread extra (the chart, the link to a running job) for episode `epi`: true for the first
   * caller only. At most once: a worker that dies after claiming leaves the extra out rather than post it twice;
   * a new episode (new thread) starts unclaimed, as opening a thread rewrites the hash.
   */
  async claimOnce(gid: string, what: 'chart' | 'ops' | 'breakdown', epi: number): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys(gid)[0], `once:${what}`, String(epi))) === 1;
  }

  samples(gid: string): Promise<string[]> {
    return this.redis.lrange(this.keys(gid)[2], 0, -1);
  }

  notes(gid: string): Promise<string[]> {
    return this.redis.lrange(this.keys(gid)[3], 0, -1);
  }

  setIntent(gid: string, intent: PostIntent): Promise<number> {
    return this.redis.hset(this.keys(gid)[0], 'intent', JSON.stringify(intent));
  }

  clearIntent(gid: string): Promise<number> {
    return this.redis.hdel(this.keys(gid)[0], 'intent');
  }

  /** The parent is in Slack: remember its ts (and the version it shows). */
  async parentPosted(gid: string, ts: string, ver: number): Promise<void> {
    await this.redis.multi().hset(this.keys(gid)[0], 'threadTs', ts, 'parentVer', ver).hdel(this.keys(gid)[0], 'intent').exec();
  }

  parentUpdated(gid: string, ver: number): Promise<number> {
    return this.redis.hset(this.keys(gid)[0], 'parentVer', ver);
  }

  /** A superseded thread's parent got its last update. */
  prevDone(gid: string): Promise<number> {
    return this.redis.hset(this.keys(gid)[0], 'prevTs', '');
  }

  async consume(gid: string, i: Pick<PostIntent, 'pending' | 'samples' | 'notes'>): Promise<void> {
    await this.run(CONSUME, gid, [i.pending, i.samples, i.notes]);
  }

  async resolveIfQuiet(gid: string, lastRecv: number, now: number, note: string): Promise<boolean> {
    return (await this.run(RESOLVE_IF_QUIET, gid, [lastRecv, now, note])) === 1;
  }

  async reschedule(gid: string, nowReal: number, flushIntervalMs: number, idleDueReal?: number): Promise<void> {
    await this.run(RESCHEDULE, gid, [nowReal, flushIntervalMs, idleDueReal ?? '']);
  }

  async decide(gid: string, d: { epi: number; threadTs: string; set: Record<string, string | number>; note: string; requires: 'open' | 'any' | 'silenced' }): Promise<string> {
    return (await this.run(DECIDE, gid, [d.epi, d.threadTs, JSON.stringify(d.set), d.note, Date.now(), d.requires])) as string;
  }

  /** Groups whose flush is due now (real time). */
  due(nowReal: number, limit = 50): Promise<string[]> {
    return this.redis.zrangebyscore(this.dueKey, '-inf', nowReal, 'LIMIT', 0, limit);
  }

  /**
   * The group's flush lock: only its holder talks to Slack about the group. It expires by itself when the holder
   * dies (SIGKILL), so another worker takes over; the holder renews it while a post waits out a 429.
   */
  async lock(gid: string, ttlMs: number): Promise<{ release(): Promise<void>; lost(): boolean } | undefined> {
    const key = `${this.keys(gid)[0]}:lock`;
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    let lost = false;
    const renew = setInterval(async () => {
      const ok = await this.redis
        .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`, 1, key, token, String(ttlMs))
        .catch(() => 0);
      if (ok !== 1) lost = true;
    }, Math.max(100, ttlMs / 3));
    renew.unref();
    return {
      lost: () => lost,
      release: async () => {
        clearInterval(renew);
        await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, key, token).catch(() => undefined);
      },
    };
  }
}
