import type { Block } from './types';

/**
 * All the words a person would read in a message: the fallback text plus every text in its blocks, one per line.
 * Assertions like "the thread mentions es-data-3" should not care whether the bot put it in `text` or in a block.
 */
export function messageText(m: { text: string; blocks?: Block[] }): string {
  const parts = [m.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.text === 'string') parts.push(obj.text);
    for (const [key, value] of Object.entries(obj)) if (key !== 'text' || typeof value !== 'string') walk(value);
  };
  walk(m.blocks);
  return parts.filter(Boolean).join('\n');
}
