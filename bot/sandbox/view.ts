/**
 * One channel message → the HTML the page shows for it: avatar, name (with the APP badge for the
 * bot), time, "Only visible to you" for an ephemeral one, the Block Kit body, "(edited)".
 */
import { messageBodyHtml } from './blocks-html';
import { escapeHtml, type MrkdwnContext } from './mrkdwn';
import type { ChannelMessage, Person } from './workspace';

export interface ViewContext extends MrkdwnContext {
  people: Record<string, Person>;
}

export function messageTime(ts: string, context: Pick<MrkdwnContext, 'timeZone'>): string {
  const d = new Date(Number(ts.split('.')[0]) * 1000);
  return new Intl.DateTimeFormat('en-US', { timeZone: context.timeZone, hour: 'numeric', minute: '2-digit' }).format(d);
}

function avatar(person: Person | undefined): string {
  const who = person?.id === 'U0ESMDOCTOR' ? 'bot' : person?.id === 'USLACKBOT' ? 'slackbot' : 'user';
  return `<img class="avatar" src="/sandbox/avatar/${who}" alt="" width="36" height="36" draggable="false">`;
}

function threadHtml(parentTs: string, replies: ChannelMessage[], context: ViewContext): string {
  if (!replies.length) return '';
  const last = replies[replies.length - 1]!;
  const n = replies.length;
  return [
    `<button type="button" class="thread-summary" data-thread-toggle="${escapeHtml(parentTs)}">`,
    `<span class="thread-count">${n} ${n === 1 ? 'reply' : 'replies'}</span>`,
    `<span class="thread-last">Last reply ${escapeHtml(messageTime(last.ts, context))}</span>`,
    '</button>',
    `<div class="thread" data-thread="${escapeHtml(parentTs)}" hidden>`,
    replies.map((r) => messageHtml(r, context, [], true)).join(''),
    '</div>',
  ].join('');
}

export function messageHtml(message: ChannelMessage, context: ViewContext, replies: ChannelMessage[] = [], inThread = false): string {
  const person = context.people[message.user];
  const users = Object.fromEntries(Object.values(context.people).map((p) => [p.id, p.name]));
  const body = messageBodyHtml(message, { ...context, users: { ...users, ...context.users } });
  const ephemeral = Boolean(message.ephemeralFor);
  const classes = [inThread ? 'msg reply' : 'msg', ...(ephemeral ? ['ephemeral'] : [])].join(' ');
  const when = new Date(Number(message.ts.split('.')[0]) * 1000);
  return [
    `<div class="${classes}" data-ts="${escapeHtml(message.ts)}">`,
    avatar(person),
    '<div class="msg-content">',
    '<div class="msg-meta">',
    `<span class="author">${escapeHtml(person?.name ?? message.user)}</span>`,
    person?.bot && person.id !== 'USLACKBOT' ? '<span class="app-badge">APP</span>' : '',
    `<time class="msg-time" datetime="${when.toISOString()}">${escapeHtml(messageTime(message.ts, context))}</time>`,
    '</div>',
    ephemeral ? '<div class="ephemeral-note"><span class="eye" aria-hidden="true"></span>Only visible to you</div>' : '',
    message.broadcast && !inThread ? '<div class="broadcast-note">replied to a thread</div>' : '',
    body,
    message.edited ? '<span class="edited">(edited)</span>' : '',
    ephemeral ? '<button type="button" class="dismiss" data-dismiss="1">Dismiss message</button>' : '',
    inThread ? '' : threadHtml(message.ts, replies, context),
    '</div>',
    '</div>',
  ].join('');
}
