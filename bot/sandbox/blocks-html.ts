/**
 * Block Kit → HTML, drawn the way Slack's desktop client draws a message: header, section (mrkdwn or
 * plain text, fields in two columns, a button accessory), context (small grey line), divider,
 * actions (buttons, primary / danger styles, URL buttons), image as a placeholder (the page loads
 * nothing from the network). Blocks arrive as JSON over HTTP from the bot, so they are read
 * defensively: a malformed or unknown block shows a note, never throws, never injects markup.
 */
import { escapeHtml, mrkdwnToHtml, plainTextToHtml, type MrkdwnContext } from './mrkdwn';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A text object (plain_text or mrkdwn) → HTML. */
export function textObjectHtml(value: unknown, context: MrkdwnContext): string {
  if (!isObject(value)) return '';
  const t = str(value.text) ?? '';
  if (value.type === 'mrkdwn') return mrkdwnToHtml(t, context);
  return plainTextToHtml(t, value.emoji !== false);
}

function safeHref(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) && !/[\s\p{Cc}]/u.test(url) ? url : undefined;
}

function buttonHtml(element: Json, blockId: string | undefined, context: MrkdwnContext): string {
  const style = element.style === 'primary' || element.style === 'danger' ? ` btn-${element.style}` : '';
  const attrs = [
    `data-action-id="${escapeHtml(str(element.action_id) ?? '')}"`,
    `data-block-id="${escapeHtml(blockId ?? '')}"`,
    ...(str(element.value) !== undefined ? [`data-value="${escapeHtml(str(element.value)!)}"`] : []),
  ];
  const label = textObjectHtml(element.text, context);
  const href = safeHref(str(element.url));
  if (href) {
    // A URL button opens the link and, as in Slack, still sends the click to the app.
    return `<a class="btn${style}" role="button" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer" ${attrs.join(' ')}>${label}<span class="ext" aria-hidden="true">↗</span></a>`;
  }
  return `<button type="button" class="btn${style}" ${attrs.join(' ')}>${label}</button>`;
}

function elementHtml(element: unknown, blockId: string | undefined, context: MrkdwnContext): string {
  if (!isObject(element)) return '';
  if (element.type === 'button') return buttonHtml(element, blockId, context);
  if (element.type === 'image') return `<span class="img-placeholder" title="image">${escapeHtml(str(element.alt_text) ?? 'image')}</span>`;
  return `<span class="unsupported">[${escapeHtml(str(element.type) ?? 'element')}]</span>`;
}

function sectionHtml(block: Json, context: MrkdwnContext): string {
  const parts: string[] = [];
  if (block.text) parts.push(`<div class="section-text">${textObjectHtml(block.text, context)}</div>`);
  if (Array.isArray(block.fields) && block.fields.length) {
    parts.push(`<div class="fields">${block.fields.map((f) => `<div class="field">${textObjectHtml(f, context)}</div>`).join('')}</div>`);
  }
  const accessory = block.accessory ? `<div class="accessory">${elementHtml(block.accessory, str(block.block_id), context)}</div>` : '';
  return `<div class="block section"><div class="section-body">${parts.join('')}</div>${accessory}</div>`;
}

function contextHtml(block: Json, context: MrkdwnContext): string {
  const elements = Array.isArray(block.elements) ? block.elements : [];
  const html = elements
    .map((e) => {
      if (!isObject(e)) return '';
      if (e.type === 'image') return `<span class="ctx-el img-placeholder">${escapeHtml(str(e.alt_text) ?? 'image')}</span>`;
      return `<span class="ctx-el">${textObjectHtml(e, context)}</span>`;
    })
    .join('');
  return `<div class="block context">${html}</div>`;
}

function actionsHtml(block: Json, context: MrkdwnContext): string {
  const elements = Array.isArray(block.elements) ? block.elements : [];
  return `<div class="block actions">${elements.map((e) => elementHtml(e, str(block.block_id), context)).join('')}</div>`;
}

export function blockHtml(block: unknown, context: MrkdwnContext): string {
  if (!isObject(block)) return '';
  switch (block.type) {
    case 'header':
      return `<div class="block header">${textObjectHtml(block.text, context)}</div>`;
    case 'section':
      return sectionHtml(block, context);
    case 'context':
      return contextHtml(block, context);
    case 'divider':
      return '<hr class="block divider">';
    case 'actions':
      return actionsHtml(block, context);
    case 'image': {
      const title = block.title ? textObjectHtml(block.title, context) : '';
      return `<div class="block image"><span class="img-placeholder">${title || escapeHtml(str(block.alt_text) ?? 'image')}</span></div>`;
    }
    case 'markdown':
      return `<div class="block section"><div class="section-text">${mrkdwnToHtml(str(block.text) ?? '', context)}</div></div>`;
    default:
      return `<div class="block unsupported">This block (${escapeHtml(String(block.type ?? 'unknown'))}) is not drawn by the sandbox.</div>`;
  }
}

/** A message's body: its blocks, or its `text` as mrkdwn when it has none (as Slack does). */
export function messageBodyHtml(message: { text?: string; blocks?: unknown }, context: MrkdwnContext): string {
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  if (blocks.length === 0) return `<div class="blocks"><div class="block section"><div class="section-text">${mrkdwnToHtml(message.text ?? '', context)}</div></div></div>`;
  return `<div class="blocks">${blocks.map((b) => blockHtml(b, context)).join('')}</div>`;
}
