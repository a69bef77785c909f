import type { Harness } from '../helpers/harness';
import { OPS_CHANNEL, USERS } from '../helpers/harness';
import { messageText, type StoredMessage } from '../../sim/slack';

/**
 * Clicks a button and returns what the clicker then sees: the rewritten message and any ephemerals that
 * arrived. Unlike the harness's clickOn it does not insist on an ephemeral (issue #12: a click that counts
 * is answered by the updated question, not by a private "Approved; the job continues.").
 */
export async function clickAndSee(h: Harness, user: keyof typeof USERS, msg: StoredMessage, actionId: string): Promise<{ message: string; ephemerals: string[] }> {
  const before = h.slack.ephemerals(USERS[user]).length;
  const edits = msg.revisions.length;
  const r = await h.slack.clickButton({ user: USERS[user], channel: OPS_CHANNEL, messageTs: msg.ts, actionId });
  if (r.status !== 200) throw new Error(`bot answered HTTP ${r.status} to the ${actionId} click`);
  await h.slack.waitUntil(() => msg.revisions.length > edits || h.slack.ephemerals(USERS[user]).length > before, { timeoutMs: 10_000, what: 'an answer to the click' });
  // An ephemeral sent together with the edit would land within a few ms: give it the chance to show up.
  await new Promise((res) => setTimeout(res, 300));
  return { message: messageText(msg), ephemerals: h.slack.ephemerals(USERS[user]).slice(before).map((e) => e.text ?? '') };
}
