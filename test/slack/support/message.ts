/**
 * Reading a Block Kit message the way a person in Slack reads it: the mrkdwn texts, the code blocks
 * in them (decoded as Slack decodes them for display), the header, the buttons.
 */
import type { ActionsBlock, Button, HeaderBlock, KnownBlock } from '@slack/types';
import { unescapeMrkdwn, type SlackMessage } from '../../../bot/slack/limits';

/** Every `text` string in the blocks, in order (section, context, header, button labels). */
export function texts(blocks: KnownBlock[]): string[] {
  const out: string[] = [];
  JSON.stringify(blocks, (key, value: unknown) => {
    if (key === 'text' && typeof value === 'string') out.push(value);
    return value;
  });
  return out;
}

/** The mrkdwn texts only (sections and context elements), where code blocks can be. */
export function mrkdwnTexts(blocks: KnownBlock[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === 'section' && b.text?.type === 'mrkdwn') out.push(b.text.text);
    if (b.type === 'context') for (const e of b.elements) if (e.type === 'mrkdwn') out.push(e.text);
  }
  return out;
}

/** The content of every ``` code block, as Slack shows it (its three entities decoded). */
export function codeBlocks(message: SlackMessage): string[] {
  const out: string[] = [];
  for (const text of mrkdwnTexts(message.blocks)) {
    for (const m of text.matchAll(/```([\s\S]*?)```/g)) out.push(unescapeMrkdwn(m[1]!));
  }
  return out;
}

/** What a text shows outside its code blocks (prose). */
export function prose(message: SlackMessage): string {
  return mrkdwnTexts(message.blocks)
    .map((t) => t.replace(/```[\s\S]*?```/g, ' '))
    .join('\n');
}

export function header(message: SlackMessage): string {
  const h = message.blocks.find((b): b is HeaderBlock => b.type === 'header');
  if (!h) throw new Error('no header');
  return h.text.text;
}

export function buttons(message: SlackMessage): Button[] {
  return message.blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

/** The blocks' texts that contain `needle`. */
export function textsWith(message: SlackMessage, needle: string): string[] {
  return texts(message.blocks).filter((t) => t.includes(needle));
}
