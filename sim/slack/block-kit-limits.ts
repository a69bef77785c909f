import type { Block } from './types';

/** A broken rule, worded as Slack words it in `response_metadata.messages`. */
export interface BlockProblem {
  pointer: string;
  message: string;
}

const KNOWN_BLOCKS = new Set(['section', 'divider', 'image', 'actions', 'context', 'input', 'file', 'header', 'video', 'rich_text', 'markdown']);
const MAX_BLOCKS = 50;
/** Past this Slack refuses the whole message with `msg_too_long` rather than `invalid_blocks`. */
export const MAX_TEXT_CHARS = 40_000;

/**
 * The Block Kit limits a chat-ops bot is likely to trip over, checked the way Slack checks them: every problem in
 * the message is reported, each with a JSON pointer, and any one of them makes Slack refuse the message.
 */
export function checkBlocks(blocks: unknown): BlockProblem[] {
  const problems: BlockProblem[] = [];
  const add = (pointer: string, message: string) => problems.push({ pointer, message });
  if (!Array.isArray(blocks)) {
    add('/blocks', 'expected array');
    return problems;
  }
  if (blocks.length > MAX_BLOCKS) add('/blocks', `no more than ${MAX_BLOCKS} items allowed`);
  const blockIds = new Set<string>();
  blocks.forEach((block: Block, i) => {
    const at = `/blocks/${i}`;
    if (!block || typeof block !== 'object' || !KNOWN_BLOCKS.has(block.type)) {
      add(at, 'failed to match all allowed schemas');
      return;
    }
    if (block.block_id !== undefined) {
      maxLen(add, `${at}/block_id`, block.block_id, 255);
      if (blockIds.has(block.block_id)) add(`${at}/block_id`, `duplicate block_id: ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section':
        if (!block.text && !block.fields) add(at, 'must provide either text or fields');
        if (block.text) textObject(add, `${at}/text`, block.text, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) add(`${at}/fields`, 'expected array');
          else {
            if (block.fields.length > 10) add(`${at}/fields`, 'no more than 10 items allowed');
            block.fields.forEach((f: Block, j: number) => textObject(add, `${at}/fields/${j}`, f, 2000));
          }
        }
        if (block.accessory) element(add, `${at}/accessory`, block.accessory, new Set());
        break;
      case 'header':
        textObject(add, `${at}/text`, block.text, 150, 'plain_text');
        break;
      case 'actions':
        elements(add, at, block.elements, 25, (el, p, ids) => element(add, p, el, ids));
        break;
      case 'context':
        elements(add, at, block.elements, 10, (el, p) => {
          if (el?.type === 'image') return;
          textObject(add, p, el, 3000);
        });
        break;
    }
  });
  return problems;
}

function elements(
  add: (p: string, m: string) => void,
  at: string,
  list: unknown,
  max: number,
  each: (el: Block, pointer: string, actionIds: Set<string>) => void,
) {
  if (!Array.isArray(list)) return add(`${at}/elements`, 'expected array');
  if (list.length === 0) add(`${at}/elements`, 'must provide at least 1 item');
  if (list.length > max) add(`${at}/elements`, `no more than ${max} items allowed`);
  const actionIds = new Set<string>();
  list.forEach((el, j) => each(el, `${at}/elements/${j}`, actionIds));
}

/** Interactive elements; action_id must be unique within the block that holds them. */
function element(add: (p: string, m: string) => void, at: string, el: Block, actionIds: Set<string>) {
  if (!el || typeof el !== 'object') return add(at, 'failed to match all allowed schemas');
  if (el.action_id !== undefined) {
    maxLen(add, `${at}/action_id`, el.action_id, 255);
    if (actionIds.has(el.action_id)) add(`${at}/action_id`, `duplicate action_id: ${el.action_id}`);
    actionIds.add(el.action_id);
  }
  if (el.type === 'button') {
    textObject(add, `${at}/text`, el.text, 75, 'plain_text');
    if (el.value !== undefined) maxLen(add, `${at}/value`, el.value, 2000);
    if (el.url !== undefined) maxLen(add, `${at}/url`, el.url, 3000);
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') add(`${at}/style`, 'must be one of: primary, danger');
  }
  if (el.confirm) {
    const c = el.confirm;
    textObject(add, `${at}/confirm/title`, c.title, 100, 'plain_text');
    textObject(add, `${at}/confirm/text`, c.text, 300);
    textObject(add, `${at}/confirm/confirm`, c.confirm, 30, 'plain_text');
    textObject(add, `${at}/confirm/deny`, c.deny, 30, 'plain_text');
  }
}

function textObject(add: (p: string, m: string) => void, at: string, obj: Block | undefined, max: number, only?: 'plain_text') {
  if (!obj || typeof obj !== 'object' || typeof obj.text !== 'string') return add(at, 'must provide an object');
  if (obj.type !== 'plain_text' && obj.type !== 'mrkdwn') return add(`${at}/type`, 'must be one of: plain_text, mrkdwn');
  if (only && obj.type !== only) add(`${at}/type`, `must be ${only}`);
  if (obj.text.length === 0) add(`${at}/text`, 'must be more than 0 characters');
  maxLen(add, `${at}/text`, obj.text, max);
}

function maxLen(add: (p: string, m: string) => void, at: string, value: unknown, max: number) {
  if (typeof value !== 'string') return add(at, 'must be a string');
  if (value.length > max) add(at, `must be less than ${max + 1} characters`);
}

/** `[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]` */
export function slackWording(p: BlockProblem): string {
  return `[ERROR] ${p.message} [json-pointer:${p.pointer}]`;
}
