import { randomBytes } from 'node:crypto';
import { checkBlocks } from './block-kit-limits';
import type { Block, EphemeralMessage, StoredMessage, Violation } from './types';
import type { Workspace } from './workspace';

/** Slack honours a response_url up to 5 times within 30 minutes. */
const MAX_USES = 5;
const LIFETIME_MS = 30 * 60 * 1000;

interface ResponseTarget {
  channel: string;
  user: string;
  createdAt: number;
  uses: number;
  /** What `replace_original` / `delete_original` act on: the clicked message, or a command's latest response. */
  original?: StoredMessage | EphemeralMessage;
  /** A click's response_url always refers to the clicked message; a command's follows its latest response. */
  fromClick: boolean;
}

export interface ResponseAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Issues response URLs for deliveries and applies what the bot posts to them. */
export class ResponseUrls {
  private readonly targets = new Map<string, ResponseTarget>();

  constructor(
    private readonly workspace: Workspace,
    private readonly violations: Violation[],
    private readonly baseUrl: () => string,
  ) {}

  issue(channel: string, user: string, original?: StoredMessage | EphemeralMessage): string {
    const id = randomBytes(12).toString('hex');
    this.targets.set(id, { channel, user, createdAt: Date.now(), uses: 0, original, fromClick: original !== undefined });
    return `${this.baseUrl()}/respond/${id}`;
  }

  /** A command's immediate ack is what a later `replace_original` on its response_url replaces. */
  setOriginal(url: string, original: StoredMessage | EphemeralMessage): void {
    const target = this.targets.get(url.slice(url.lastIndexOf('/') + 1));
    if (target) target.original = original;
  }

  respond(id: string, payload: Record<string, any>): ResponseAnswer {
    const target = this.targets.get(id);
    if (!target || Date.now() - target.createdAt > LIFETIME_MS || target.uses >= MAX_USES) {
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    }
    target.uses++;
    const ws = this.workspace;
    const original = target.original;
    if (payload.delete_original === true || payload.delete_original === 'true') {
      if (original && isLive(ws, original)) {
        if ('ephemeral' in original) ws.deleteEphemeral(original);
        else ws.delete(original);
      }
      return { status: 200, body: { ok: true } };
    }
    const text = typeof payload.text === 'string' ? payload.text : '';
    const blocks: Block[] | undefined = Array.isArray(payload.blocks) ? payload.blocks : undefined;
    if (blocks) {
      const problems = checkBlocks(blocks);
      if (problems.length) {
        const at = Date.now();
        for (const p of problems) this.violations.push({ method: 'response_url', channel: target.channel, pointer: p.pointer, message: p.message, at });
        return { status: 400, body: { ok: false, error: 'invalid_blocks' } };
      }
    }
    if (!text && !blocks?.length) return { status: 400, body: { ok: false, error: 'no_text' } };
    if ((payload.replace_original === true || payload.replace_original === 'true') && original && isLive(ws, original)) {
      if ('ephemeral' in original) ws.replaceEphemeral(original, { text, blocks });
      else ws.edit(original, ws.bot, { text, blocks: blocks ?? [] }, false);
      return { status: 200, body: { ok: true } };
    }
    const thread_ts = typeof payload.thread_ts === 'string' ? payload.thread_ts : undefined;
    const posted =
      payload.response_type === 'in_channel'
        ? ws.post(target.channel, ws.bot, { text, blocks, thread_ts })
        : ws.addEphemeral({ channel: target.channel, user: target.user, text, blocks, thread_ts, source: 'response_url' });
    if (!target.fromClick) target.original = posted;
    return { status: 200, body: { ok: true } };
  }
}

function isLive(ws: Workspace, m: StoredMessage | EphemeralMessage): boolean {
  return 'ephemeral' in m ? ws.ephemerals().includes(m) : ws.findMessage(m.channel, m.ts) === m;
}
