/**
 * Slack mrkdwn → HTML, for the sandbox's channel page. Pure and total: whatever the text, the output
 * is well-formed HTML in which every character of the input is escaped, so a message can never
 * inject markup or script into the page (the page's Content-Security-Policy is the second net).
 *
 * What it understands is what Slack clients draw from mrkdwn
 * (https://docs.slack.dev/messaging/formatting-message-text): *bold*, _italic_, ~strike~, `code`,
 * ```code blocks```, > quotes, <url|links>, <@user> / <#channel> / <!subteam^…> mentions,
 * <!date^…> dates, :emoji: shortcodes, and the three entities Slack escapes (&amp; &lt; &gt;).
 */
import { emojiHtml } from './emoji';

export interface MrkdwnContext {
  /** User id → display name, for <@U…>. */
  users?: Record<string, string>;
  /** Channel id → name, for <#C…>. */
  channels?: Record<string, string>;
  /** "Today" / "Yesterday" are relative to this; default now. */
  now?: Date;
  /** IANA zone for <!date^…>; default the process's (the sandbox runs on the reader's machine). */
  timeZone?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The only entities Slack puts in message text. Anything else (`&quot;`, `&#60;`) stays literal, as in Slack. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** Text as it reads once Slack has decoded it, escaped for HTML. */
function text(raw: string): string {
  return escapeHtml(decodeEntities(raw));
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

function safeUrl(raw: string): string | undefined {
  const url = decodeEntities(raw).trim();
  if (!SAFE_URL.test(url)) return undefined;
  // No whitespace or control characters in an href (they are how attribute and scheme tricks start).
  if (/[\s\p{Cc}]/u.test(url)) return undefined;
  return url;
}

export function linkHtml(url: string, labelHtml: string): string {
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
}

// ------------------------------------------------------------------------------------------------
// Dates: <!date^1763630043^{date_short_pretty} at {time}|2026-11-20 09:14 UTC>

function dayKey(d: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

function relativeDay(d: Date, now: Date, timeZone: string | undefined): string | undefined {
  const day = dayKey(d, timeZone);
  const dayMs = 24 * 3600 * 1000;
  if (day === dayKey(now, timeZone)) return 'Today';
  if (day === dayKey(new Date(now.getTime() - dayMs), timeZone)) return 'Yesterday';
  if (day === dayKey(new Date(now.getTime() + dayMs), timeZone)) return 'Tomorrow';
  return undefined;
}

function ago(d: Date, now: Date): string {
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
  const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return s >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** Formats one of Slack's date tokens strings ("{date_short_pretty} at {time}") in the reader's zone. */
export function formatSlackDate(epochSeconds: number, format: string, context: MrkdwnContext = {}): string {
  const d = new Date(epochSeconds * 1000);
  const now = context.now ?? new Date();
  const tz = context.timeZone;
  const sameYear = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric' }).format(d) === new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric' }).format(now);
  const fmt = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: tz, ...options }).format(d);
  const short = () => fmt({ month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
  const long = () => fmt({ month: 'long', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
  const tokens: Record<string, () => string> = {
    date_num: () => dayKey(d, tz),
    date: () => fmt({ month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: () => fmt({ month: 'short', day: 'numeric', year: 'numeric' }),
    date_long: () => fmt({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    date_pretty: () => relativeDay(d, now, tz) ?? long(),
    date_short_pretty: () => relativeDay(d, now, tz) ?? short(),
    date_long_pretty: () => relativeDay(d, now, tz) ?? fmt({ weekday: 'long', month: 'long', day: 'numeric' }),
    time: () => fmt({ hour: 'numeric', minute: '2-digit' }),
    time_secs: () => fmt({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: () => ago(d, now),
  };
  return format.replace(/\{(\w+)\}/g, (whole, name: string) => (tokens[name] ? tokens[name]() : whole));
}

function dateHtml(body: string, fallback: string | undefined, context: MrkdwnContext): string {
  // !date^<epoch>^<format>[^<link>]
  const [, epoch, format, link] = body.split('^');
  const seconds = Number(epoch);
  if (!epoch || !/^\d+$/.test(epoch) || !Number.isFinite(seconds) || format === undefined) {
    return text(fallback ?? body);
  }
  const iso = new Date(seconds * 1000).toISOString();
  const shown = `<time datetime="${iso}" title="${escapeHtml(new Date(seconds * 1000).toUTCString())}">${escapeHtml(formatSlackDate(seconds, decodeEntities(format), context))}</time>`;
  const url = link ? safeUrl(link) : undefined;
  return url ? linkHtml(url, shown) : shown;
}

// ------------------------------------------------------------------------------------------------
// <…> sequences

function angleHtml(inner: string, context: MrkdwnContext): string {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : undefined;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = label ?? context.users?.[id] ?? id;
    return `<span class="mention">@${text(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = label ?? context.channels?.[id] ?? id;
    return `<span class="mention channel">#${text(name)}</span>`;
  }
  if (target.startsWith('!')) {
    const special = target.slice(1);
    if (special.startsWith('date^')) return dateHtml(special, label, context);
    if (special.startsWith('subteam^')) return `<span class="mention">${text(label ?? `@${special.slice('subteam^'.length)}`)}</span>`;
    if (/^(here|channel|everyone)$/.test(special)) return `<span class="mention broadcast">@${special}</span>`;
    return text(label ?? special);
  }
  const url = safeUrl(target);
  if (url) return linkHtml(url, text(label ?? target));
  // Not a link Slack would draw: show what it says, never as markup.
  return text(label ?? target);
}

/**
 * The inside of a code span or block. Slack applies no bold or italic there, but it still reads
 * `<…>` as a link or mention (a raw `<string,string>` in backticks loses its brackets), and decodes
 * &amp; &lt; &gt;. Drawn the same way here, so that a bot message that forgot to escape a `<` in a
 * command looks as broken in the sandbox as it would in Slack.
 */
function codeHtml(raw: string, context: MrkdwnContext): string {
  let out = '';
  let pos = 0;
  for (const m of raw.matchAll(/<([^<>\n]+)>/g)) {
    out += text(raw.slice(pos, m.index));
    out += angleHtml(m[1]!, context);
    pos = m.index + m[0].length;
  }
  return out + text(raw.slice(pos));
}

// ------------------------------------------------------------------------------------------------
// Inline formatting

interface Pattern {
  kind: 'code' | 'angle' | 'bold' | 'italic' | 'strike' | 'emoji';
  re: RegExp;
}

// Slack only opens *, _ and ~ at the start of a word and closes them at its end, so snake_case_names
// and 2*3*4 stay as they are.
const PATTERNS: Pattern[] = [
  { kind: 'code', re: /`([^`\n]+)`/g },
  { kind: 'angle', re: /<([^<>\n]+)>/g },
  { kind: 'bold', re: /(?<![\p{L}\p{N}_*])\*(?!\s)([^*\n]*?[^*\s])\*(?![\p{L}\p{N}_*])/gu },
  { kind: 'italic', re: /(?<![\p{L}\p{N}_])_(?!\s)([^_\n]*?[^_\s])_(?![\p{L}\p{N}_])/gu },
  { kind: 'strike', re: /(?<![\p{L}\p{N}_~])~(?!\s)([^~\n]*?[^~\s])~(?![\p{L}\p{N}_~])/gu },
  { kind: 'emoji', re: /:([a-z0-9_+-]+):/g },
];

function nextMatch(source: string, from: number): { pattern: Pattern; match: RegExpExecArray } | undefined {
  let best: { pattern: Pattern; match: RegExpExecArray } | undefined;
  for (const pattern of PATTERNS) {
    pattern.re.lastIndex = from;
    let match = pattern.re.exec(source);
    // An unknown shortcode is text; look past it (its closing colon may open a known one).
    while (match && pattern.kind === 'emoji' && !emojiHtml(match[1]!)) {
      pattern.re.lastIndex = match.index + 1;
      match = pattern.re.exec(source);
    }
    if (match && (!best || match.index < best.match.index)) best = { pattern, match };
  }
  return best;
}

export function inlineHtml(source: string, context: MrkdwnContext = {}): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const found = nextMatch(source, pos);
    if (!found) break;
    const { pattern, match } = found;
    out += text(source.slice(pos, match.index));
    const inner = match[1]!;
    switch (pattern.kind) {
      case 'code':
        out += `<code>${codeHtml(inner, context)}</code>`;
        break;
      case 'angle':
        out += angleHtml(inner, context);
        break;
      case 'bold':
        out += `<b>${inlineHtml(inner, context)}</b>`;
        break;
      case 'italic':
        out += `<i>${inlineHtml(inner, context)}</i>`;
        break;
      case 'strike':
        out += `<s>${inlineHtml(inner, context)}</s>`;
        break;
      case 'emoji':
        out += emojiHtml(inner)!;
        break;
    }
    pos = match.index + match[0].length;
  }
  return out + text(source.slice(pos));
}

/** Lines, with runs of lines starting with ">" drawn as one quote. */
function linesHtml(source: string, context: MrkdwnContext): string {
  const lines = source.split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  let plain: string[] = [];
  const flushPlain = () => {
    if (plain.length) out.push(plain.join('<br>'));
    plain = [];
  };
  for (const line of lines) {
    if (line.startsWith('>')) {
      flushPlain();
      quote.push(inlineHtml(line.slice(1).replace(/^ /, ''), context));
    } else {
      flush();
      plain.push(inlineHtml(line, context));
    }
  }
  flush();
  flushPlain();
  return out.join('');
}

/** A whole mrkdwn text object → HTML (a fragment; block-level code and quotes included). */
export function mrkdwnToHtml(source: string, context: MrkdwnContext = {}): string {
  const parts: string[] = [];
  const fence = /```([\s\S]*?)```/g;
  let pos = 0;
  for (let m = fence.exec(source); m; m = fence.exec(source)) {
    const before = source.slice(pos, m.index).replace(/\n$/, '');
    if (before) parts.push(`<div class="p">${linesHtml(before, context)}</div>`);
    parts.push(`<pre class="code-block">${codeHtml(m[1]!.replace(/^\n/, '').replace(/\n$/, ''), context)}</pre>`);
    pos = m.index + m[0].length;
    if (source.charAt(pos) === '\n') pos += 1;
  }
  const rest = source.slice(pos);
  if (rest || !parts.length) parts.push(`<div class="p">${linesHtml(rest, context)}</div>`);
  return parts.join('');
}

/** plain_text objects: no formatting at all, only :emoji: when `emoji` is true (Block Kit's default). */
export function plainTextToHtml(source: string, emoji = true): string {
  if (!emoji) return escapeHtml(source);
  let out = '';
  let pos = 0;
  const re = /:([a-z0-9_+-]+):/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const img = emojiHtml(m[1]!);
    if (!img) {
      re.lastIndex = m.index + 1;
      continue;
    }
    out += escapeHtml(source.slice(pos, m.index)) + img;
    pos = m.index + m[0].length;
  }
  return out + escapeHtml(source.slice(pos));
}
