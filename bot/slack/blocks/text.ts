/** Small formatting helpers every part of the message shares: icons, mrkdwn pieces, dates, names. */
import type { ContextBlock, SectionBlock } from '@slack/types';
import type { Report, Status, Verdict } from '../../model/report';
import { escapeMrkdwn } from '../limits';

export const VERDICT: Record<Verdict, { emoji: string; label: string }> = {
  failing: { emoji: ':red_circle:', label: 'Failing' },
  'at-risk': { emoji: ':large_yellow_circle:', label: 'At risk' },
  healthy: { emoji: ':large_green_circle:', label: 'Healthy' },
  unknown: { emoji: ':white_circle:', label: 'Unknown' },
};

export const STATUS_ICON: Record<Status, string> = {
  fail: ':x:',
  error: ':grey_question:',
  warn: ':warning:',
  pass: ':white_check_mark:',
  skip: ':heavy_minus_sign:',
};

export const STATUS_RANK: Record<Status, number> = { fail: 0, error: 1, warn: 2, pass: 3, skip: 4 };

export function mrkdwn(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function context(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

/** Slack renders this in the reader's own time zone; the fallback is for clients that cannot. */
export function slackDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeMrkdwn(iso);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

/** A Slack user id as a mention; anything else (a sandbox or test name) as escaped text. */
export function userMention(id: string): string {
  return /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

export function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

interface ParsedArn {
  partition: string;
  name: string;
  qualifier?: string;
}

export function parseFunctionArn(arn: string | undefined): ParsedArn | undefined {
  const m = arn ? /^arn:([a-z-]+):lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::(.+))?$/.exec(arn) : null;
  if (!m) return undefined;
  return { partition: m[1]!, name: m[2]!, ...(m[3] ? { qualifier: m[3] } : {}) };
}

export function clusterName(clusterArn: string): string {
  return /:cluster\/([^/]+)\//.exec(clusterArn)?.[1] ?? clusterArn;
}

export function functionLabel(report: Report): string {
  const fn = parseFunctionArn(report.esm?.functionArn);
  if (fn) return fn.qualifier ? `${fn.name}:${fn.qualifier}` : fn.name;
  return report.esm?.functionArn ?? `ESM ${report.target.uuid}`;
}

export function subject(report: Report): string {
  const topics = report.esm?.topics ?? [];
  return topics.length ? `${functionLabel(report)} ← ${topics.join(', ')}` : functionLabel(report);
}
