/**
 * The buttons on an alert thread's parent. Bolt has verified the request's signature; here the button's value
 * (group and episode) must match the stored group and the message clicked must be that group's current parent,
 * so a click on an old thread, a forged value or another channel's message changes nothing. The decision is
 * written to the group (the worker redraws the parent and posts the decision in the thread) and to the log.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import { ALERT_ACTIONS, parseAlertButtonValue, utc } from '../../../alerts/alert-blocks';
import type { AlertGroups } from '../../../alerts/alert-groups';
import type { Clock } from '../../../clock';
import type { BotDeps } from '../../bot-deps';

export interface AlertButtonDeps {
  groups: AlertGroups;
  clock: Clock;
}

const HOUR = 3_600_000;

type Decision = { set: Record<string, string | number>; note: string; requires: 'open' | 'silenced'; done: string };

function decisionFor(actionId: string, user: string, now: number): Decision | undefined {
  const who = `<@${user}>`;
  const silenceFor = (h: number): Decision => ({
    set: { silenceMode: 'time', silenceUntil: now + h * HOUR, silencedBy: user },
    note: `🔕 Silenced for ${h} h by ${who} (until ${utc(now + h * HOUR)}): new alerts are counted on the parent, not posted`,
    requires: 'open',
    done: `Silenced for ${h} h.`,
  });
  switch (actionId) {
    case ALERT_ACTIONS.ack:
      return { set: { ackBy: user, ackAt: now }, note: `👀 Acknowledged by ${who} at ${utc(now)}`, requires: 'open', done: 'Acknowledged.' };
    case ALERT_ACTIONS.silence1h:
      return silenceFor(1);
    case ALERT_ACTIONS.silence4h:
      return silenceFor(4);
    case ALERT_ACTIONS.silenceResolved:
      return {
        set: { silenceMode: 'resolved', silenceUntil: 0, silencedBy: user },
        note: `🔕 Silenced until resolved by ${who}: new alerts are counted on the parent, not posted`,
        requires: 'open',
        done: 'Silenced until resolved.',
      };
    case ALERT_ACTIONS.unsilence:
      return { set: { silenceMode: '', silenceUntil: 0, silencedBy: '' }, note: `🔔 Unsilenced by ${who}: new alerts are posted again`, requires: 'silenced', done: 'Unsilenced.' };
    case ALERT_ACTIONS.resolve:
      return {
        set: { state: 'resolved', resolvedAt: now, resolvedBy: user, silenceMode: '', silenceUntil: 0 },
        note: `✅ *Resolved* by ${who} at ${utc(now)}`,
        requires: 'open',
        done: 'Resolved. A new firing soon after says so in this thread.',
      };
  }
  return undefined;
}

const REFUSED: Record<string, string> = {
  gone: 'This alert group no longer exists; the button does nothing.',
  stale: 'This button belongs to an older alert thread; use the buttons on the newest one.',
  'not-open': 'This alert is already resolved; nothing changed.',
  'not-silenced': 'This alert is not silenced; nothing changed.',
};

export function registerAlertButtons(app: App, deps: BotDeps, alerts: AlertButtonDeps): void {
  app.action<BlockButtonAction>(/^alert_/, async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const tell = async (text: string) => {
      if (channel) await deps.slack.ephemeral(channel, body.user.id, { text, blocks: [] }).catch(() => undefined);
    };
    const ids = parseAlertButtonValue(action.value);
    const now = alerts.clock.now();
    const decision = decisionFor(action.action_id, body.user.id, now);
    if (!ids || !decision) return tell('This button is malformed; it does nothing.');
    const g = await alerts.groups.get(ids.gid);
    const clicked = body.message?.ts ?? body.container?.message_ts;
    if (!g) return tell(REFUSED.gone);
    if (g.channel !== channel || g.threadTs !== clicked) return tell(REFUSED.stale);
    if (action.action_id === ALERT_ACTIONS.ack && g.ackBy) return tell(`Already acknowledged by <@${g.ackBy}> at ${utc(g.ackAt)}.`);
    const res = await alerts.groups.decide(ids.gid, { epi: ids.epi, threadTs: g.threadTs, set: decision.set, note: decision.note, requires: decision.requires });
    deps.log.info({ group: ids.gid, rule: g.rule, action: action.action_id, user: body.user.id, result: res }, 'alert button');
    await tell(res === 'ok' ? decision.done : (REFUSED[res] ?? `Nothing changed (${res}).`));
  });
}
