/**
 * Slack's Block Kit limits, and the one place that enforces them. A message over a limit is not
 * shortened by Slack: the API rejects it (`invalid_blocks`, `msg_too_long`), so the on-call engineer
 * would get nothing at all. The renderer summarises first (fitLines); enforceLimits is the net under
 * it, so that whatever a report contains, the message is postable.
 *
 * https://docs.slack.dev/reference/block-kit/blocks (per-block limits),
 * https://docs.slack.dev/reference/methods/chat.postMessage (50 blocks, `text` fallback).
 */
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  actionsElements: 25,
  contextElements: 10,
  contextElementText: 2000,
  /** The top-level `text`: Slack truncates past 40 000 characters; notifications show far less. */
  fallbackText: 3000,
} as const;

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot draw blocks. */
  text: string;
  blocks: KnownBlock[];
}

const ELLIPSIS = '…';

/**
 * Shortens `text` to at most `max` characters, ending on a word boundary with "…". Never leaves a
 * Slack link (`<url|label>`) or a code span half-open, never splits a surrogate pair.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, max);
  let cut = text.slice(0, max - ELLIPSIS.length);
  const onBoundary = /\s/.test(text.charAt(cut.length));
  const space = cut.search(/\s\S*$/);
  // Only a single "word" longer than half the budget (a long ARN, a URL) is cut inside itself.
  if (!onBoundary && space >= cut.length / 2) cut = cut.slice(0, space);
  const openLink = cut.lastIndexOf('<');
  if (openLink > cut.lastIndexOf('>')) cut = cut.slice(0, openLink);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, ''); // half an &amp; / &lt; / &gt; entity
  cut = cut.replace(/[\s,;:.\-–—]+$/u, '');
  const fences = (cut.match(/```/g) ?? []).length;
  if (fences % 2 === 1) {
    const closing = '\n```';
    if (cut.length + closing.length + ELLIPSIS.length > max) return fitText(cut.slice(0, cut.lastIndexOf('```')), max);
    return `${cut}${ELLIPSIS}${closing}`;
  }
  if ((cut.replace(/```/g, '').match(/`/g) ?? []).length % 2 === 1) {
    cut = cut.slice(0, cut.lastIndexOf('`')).replace(/\s+$/, '');
  }
  return cut + ELLIPSIS;
}

/**
 * Joins whole lines up to `max` characters; what does not fit is summarised by `more(n)` (e.g.
 * "…and 12 more") instead of being cut. A single line that is itself too long is shortened by fitText.
 */
export function fitLines(lines: string[], max: number, more: (omitted: number) => string): string {
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sep = kept.length ? 1 : 0;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? 1 + more(rest).length : 0;
    if (used + sep + line.length + tail <= max) {
      kept.push(line);
      used += sep + line.length;
      continue;
    }
    if (kept.length === 0) {
      const budget = max - tail;
      kept.push(fitText(line, Math.max(budget, 1)));
      used = kept[0]!.length;
      continue;
    }
    const summary = more(lines.length - i);
    kept.push(summary.length + used + 1 <= max ? summary : fitText(summary, Math.max(max - used - 1, 1)));
    return kept.join('\n');
  }
  return kept.join('\n');
}

/**
 * The one escaping helper for everything an AWS API or a person wrote that reaches a channel.
 * Slack reads `&`, `<` and `>` as control characters in every mrkdwn text, code blocks included
 * (`<https://x|y>` or `<!channel>` inside backticks is still a link or a mention), and decodes
 * exactly these three entities for display, inside code blocks too. So code is escaped the same
 * way, and nothing else is escaped anywhere: any other escape would be shown literally.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The inverse, for text Slack sends us already escaped (a slash command's `text`): decoded once at
 * the boundary, so that escapeMrkdwn on the way out does not turn `&lt;` into `&amp;lt;`.
 */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/**
 * `content` as a Slack code block, to be copied as printed: escaped as above and not otherwise
 * touched. Undefined when it cannot be shown faithfully: mrkdwn has no way to escape a backtick, so
 * content holding ``` would end the block early.
 */
export function codeBlock(content: string): string | undefined {
  if (content.includes('```') || content.length === 0) return undefined;
  return `\`\`\`${escapeMrkdwn(content)}\`\`\``;
}

function fitSection(block: SectionBlock): SectionBlock {
  const out: SectionBlock = { ...block };
  if (out.text) out.text = { ...out.text, text: fitText(out.text.text, SLACK_LIMITS.sectionText) };
  if (out.fields) {
    out.fields = out.fields
      .slice(0, SLACK_LIMITS.sectionFields)
      .map((f) => ({ ...f, text: fitText(f.text, SLACK_LIMITS.sectionFieldText) }));
  }
  return out;
}

function fitHeader(block: HeaderBlock): HeaderBlock {
  return { ...block, text: { ...block.text, text: fitText(block.text.text, SLACK_LIMITS.headerText) } };
}

function fitContext(block: ContextBlock): ContextBlock {
  let elements = block.elements.map((e) =>
    e.type === 'mrkdwn' || e.type === 'plain_text' ? { ...e, text: fitText(e.text, SLACK_LIMITS.contextElementText) } : e,
  );
  if (elements.length > SLACK_LIMITS.contextElements) {
    // Keep the first nine as they are and fold the rest into the tenth.
    const head = elements.slice(0, SLACK_LIMITS.contextElements - 1);
    const folded = elements
      .slice(SLACK_LIMITS.contextElements - 1)
      .map((e) => ('text' in e ? e.text : ''))
      .filter(Boolean)
      .join(' · ');
    elements = [...head, { type: 'mrkdwn', text: fitText(folded, SLACK_LIMITS.contextElementText) }];
  }
  return { ...block, elements };
}

function fitButton(button: Button): Button {
  const out: Button = { ...button, text: { ...button.text, text: fitText(button.text.text, SLACK_LIMITS.buttonText) } };
  if (out.value !== undefined && out.value.length > SLACK_LIMITS.buttonValue) {
    // A value cannot be summarised without breaking what it carries: fail loudly in tests instead.
    throw new RangeError(`button ${button.action_id ?? ''} carries a value of ${out.value.length} characters (limit ${SLACK_LIMITS.buttonValue})`);
  }
  return out;
}

/** An actions block of more than 25 elements becomes several actions blocks. */
function fitActions(block: ActionsBlock): ActionsBlock[] {
  const elements = block.elements.map((e) => (e.type === 'button' ? fitButton(e) : e));
  const out: ActionsBlock[] = [];
  for (let i = 0; i < elements.length; i += SLACK_LIMITS.actionsElements) {
    const chunk: ActionsBlock = { type: 'actions', elements: elements.slice(i, i + SLACK_LIMITS.actionsElements) };
    if (block.block_id) chunk.block_id = i === 0 ? block.block_id : `${block.block_id}-${i / SLACK_LIMITS.actionsElements}`;
    out.push(chunk);
  }
  return out;
}

/**
 * Returns a copy of `message` inside every limit: texts shortened on word boundaries, oversized
 * context and actions blocks folded or split, and — past 50 blocks — the middle of the message
 * replaced by one line saying how many blocks were left out, keeping the buttons at the end.
 */
export function enforceLimits(message: SlackMessage): SlackMessage {
  let blocks: KnownBlock[] = message.blocks.flatMap((b): KnownBlock[] => {
    switch (b.type) {
      case 'section':
        return [fitSection(b)];
      case 'header':
        return [fitHeader(b)];
      case 'context':
        return [fitContext(b)];
      case 'actions':
        return fitActions(b);
      default:
        return [b];
    }
  });
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    let tailStart = blocks.length;
    while (tailStart > 0 && blocks[tailStart - 1]!.type === 'actions') tailStart--;
    const tail = blocks.slice(tailStart).slice(-(SLACK_LIMITS.blocksPerMessage - 2));
    const headCount = SLACK_LIMITS.blocksPerMessage - tail.length - 1;
    const omitted = blocks.length - headCount - tail.length;
    const note: ContextBlock = {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…${omitted} more block${omitted === 1 ? '' : 's'} left out to stay within Slack's limits` }],
    };
    blocks = [...blocks.slice(0, headCount), note, ...tail];
  }
  return { text: fitText(message.text, SLACK_LIMITS.fallbackText), blocks };
}

/** Every limit `message` breaks, in words; empty when it is postable. Used by tests and by the renderer's own assertions. */
export function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (!message.text) problems.push('no fallback text');
  if (message.text.length > SLACK_LIMITS.fallbackText) problems.push(`fallback text is ${message.text.length} characters`);
  if (message.blocks.length > SLACK_LIMITS.blocksPerMessage) problems.push(`${message.blocks.length} blocks`);
  message.blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    if (b.type === 'section') {
      if (b.text && b.text.text.length > SLACK_LIMITS.sectionText) problems.push(`${at}: text is ${b.text.text.length} characters`);
      if (b.fields && b.fields.length > SLACK_LIMITS.sectionFields) problems.push(`${at}: ${b.fields.length} fields`);
      b.fields?.forEach((f) => {
        if (f.text.length > SLACK_LIMITS.sectionFieldText) problems.push(`${at}: a field is ${f.text.length} characters`);
      });
    }
    if (b.type === 'header' && b.text.text.length > SLACK_LIMITS.headerText) problems.push(`${at}: header is ${b.text.text.length} characters`);
    if (b.type === 'context') {
      if (b.elements.length > SLACK_LIMITS.contextElements) problems.push(`${at}: ${b.elements.length} elements`);
      b.elements.forEach((e) => {
        if ('text' in e && typeof e.text === 'string' && e.text.length > SLACK_LIMITS.contextElementText) {
          problems.push(`${at}: an element is ${e.text.length} characters`);
        }
      });
    }
    if (b.type === 'actions') {
      if (b.elements.length > SLACK_LIMITS.actionsElements) problems.push(`${at}: ${b.elements.length} elements`);
      b.elements.forEach((e) => {
        if (e.type !== 'button') return;
        if (e.text.text.length > SLACK_LIMITS.buttonText) problems.push(`${at}: button text is ${e.text.text.length} characters`);
        if (e.value && e.value.length > SLACK_LIMITS.buttonValue) problems.push(`${at}: button value is ${e.value.length} characters`);
        if (e.url && e.url.length > SLACK_LIMITS.buttonUrl) problems.push(`${at}: button url is ${e.url.length} characters`);
        if (e.action_id && e.action_id.length > SLACK_LIMITS.actionId) problems.push(`${at}: action_id is ${e.action_id.length} characters`);
      });
    }
  });
  return problems;
}
