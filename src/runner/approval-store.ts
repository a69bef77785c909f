import type { Redis } from 'ioredis';
import type { Decision } from './types';

/**
 * Decisions are written once (HSETNX): the first click — or the timeout — wins, and a later click cannot
 * flip an approval the job already acted on. The hash is the audit record: it outlives the run, and goes with the job's history.
 */
export class ApprovalStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(jobId: string) {
    return `${this.prefix}:approvals:${jobId}`;
  }

  /** Records the decision unless one exists; returns the decision that stands. */
  async decide(jobId: string, approvalId: string, decision: Decision): Promise<{ decision: Decision; first: boolean }> {
    const first = (await this.redis.hsetnx(this.key(jobId), approvalId, JSON.stringify(decision))) === 1;
    if (first) return { decision, first };
    return { decision: (await this.get(jobId, approvalId))!, first };
  }

  async get(jobId: string, approvalId: string): Promise<Decision | undefined> {
    const raw = await this.redis.hget(this.key(jobId), approvalId);
    return raw ? (JSON.parse(raw) as Decision) : undefined;
  }

  async all(jobId: string): Promise<Record<string, Decision>> {
    const raw = await this.redis.hgetall(this.key(jobId));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as Decision]));
  }

  /** Once the job has ended, the record is kept as long as the job's own history (jobs.history.keepDays). */
  async keepFor(jobId: string, seconds: number): Promise<void> {
    await this.redis.expire(this.key(jobId), Math.max(1, Math.round(seconds)));
  }
}
