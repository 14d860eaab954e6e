/**
 * The sandbox's stand-in for Slack's side of the conversation: one channel's history, the Web API
 * methods the bot calls (chat.postMessage, chat.update, chat.postEphemeral, chat.delete, …) and
 * `response_url`. It answers as Slack does (`ok`, `ts`, `error` codes such as `channel_not_found`,
 * `message_not_found`, `invalid_auth`, `invalid_blocks`), so the bot's error paths behave here as
 * they would against Slack. Every change is emitted for the page (server-sent events).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parse as parseQuery } from 'node:querystring';
import { limitViolations, type SlackMessage } from '../slack/limits';

export interface Person {
  id: string;
  name: string;
  /** Shown with an APP badge. */
  bot?: boolean;
}

export interface ChannelMessage {
  ts: string;
  /** Who posted it (a user id; the bot has one too). */
  user: string;
  text: string;
  blocks?: unknown[];
  /** Set for an ephemeral message: only this user sees it, and it is not in the channel's history. */
  ephemeralFor?: string;
  edited?: boolean;
  /** A reply in the thread of this top-level message. */
  threadTs?: string;
  /** A reply also sent to the channel (reply_broadcast). */
  broadcast?: boolean;
}

/** What changed, by the ts of the top-level entry the page shows (a reply changes its parent). */
export type ChannelEvent = { type: 'upsert'; ts: string } | { type: 'delete'; ts: string };

/** What a response_url was issued for. */
interface ResponseTarget {
  user: string;
  /** The message whose button was clicked (block_actions), for replace_original / delete_original. */
  messageTs?: string;
  expires: number;
}

export interface ApiResult {
  ok: boolean;
  [key: string]: unknown;
}

export const SANDBOX_IDS = {
  team: 'T0SANDBOX',
  teamDomain: 'esm-doctor-sandbox',
  app: 'A0ESMDOCTOR',
  botUser: 'U0ESMDOCTOR',
  botId: 'B0ESMDOCTOR',
  user: 'U0SANDBOX',
  /** A second person, so a fix asked by "you" can be approved by someone else (as remediation requires). */
  teammate: 'U0TEAMMATE',
  slackbot: 'USLACKBOT',
  channel: 'C0SANDBOX',
} as const;

/** The Web API client sends blocks (and a few other fields) as JSON strings inside a form body. */
export function parseApiArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  }
  const form = parseQuery(raw);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form)) {
    const value = Array.isArray(v) ? v[0] : v;
    if ((k === 'blocks' || k === 'attachments' || k === 'metadata') && typeof value === 'string') {
      try {
        out[k] = JSON.parse(value);
        continue;
      } catch {
        // Slack answers invalid_blocks for this; leave the string for the check below.
      }
    }
    out[k] = value;
  }
  return out;
}

export class SandboxWorkspace extends EventEmitter {
  readonly channel = { id: SANDBOX_IDS.channel as string, name: 'esm-alerts' };
  readonly people: Record<string, Person> = {
    [SANDBOX_IDS.botUser]: { id: SANDBOX_IDS.botUser, name: 'esm-doctor', bot: true },
    [SANDBOX_IDS.user]: { id: SANDBOX_IDS.user, name: 'you' },
    [SANDBOX_IDS.teammate]: { id: SANDBOX_IDS.teammate, name: 'sam (teammate)' },
    [SANDBOX_IDS.slackbot]: { id: SANDBOX_IDS.slackbot, name: 'Slackbot', bot: true },
  };
  private readonly messages: ChannelMessage[] = [];
  private readonly responseUrls = new Map<string, ResponseTarget>();
  private lastTs = 0;
  /** Every Web API call, for tests and for the console: method and channel, never the token. */
  readonly calls: { method: string; ok: boolean; error?: string }[] = [];

  constructor(
    private readonly botToken: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** A Slack ts: seconds.micro, unique and increasing within the channel. */
  private nextTs(): string {
    const micro = Math.max(this.now() * 1000, this.lastTs + 1);
    this.lastTs = micro;
    return `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, '0')}`;
  }

  history(): ChannelMessage[] {
    return this.messages.map((m) => structuredClone(m));
  }

  /** What the channel shows: top-level messages and broadcast replies, oldest first. */
  topLevel(): ChannelMessage[] {
    return this.messages.filter((m) => !m.threadTs || m.broadcast).map((m) => structuredClone(m));
  }

  replies(ts: string): ChannelMessage[] {
    return this.messages.filter((m) => m.threadTs === ts).map((m) => structuredClone(m));
  }

  private changed(m: ChannelMessage): void {
    if (m.threadTs) this.emitChange({ type: 'upsert', ts: m.threadTs });
    if (!m.threadTs || m.broadcast) this.emitChange({ type: 'upsert', ts: m.ts });
  }

  find(ts: string): ChannelMessage | undefined {
    const m = this.messages.find((x) => x.ts === ts);
    return m && structuredClone(m);
  }

  private emitChange(event: ChannelEvent): void {
    this.emit('change', event);
  }

  /** A ts taken now for a message that arrives later (a command's acknowledgement), so it sorts where it belongs. */
  reserveTs(): string {
    return this.nextTs();
  }

  post(message: Omit<ChannelMessage, 'ts'>, reservedTs?: string): ChannelMessage {
    const stored: ChannelMessage = { ...structuredClone(message), ts: reservedTs ?? this.nextTs() };
    if (stored.threadTs) {
      // A reply to a reply goes to the same thread; to a message that is not there, to the channel.
      const parent = this.messages.find((m) => m.ts === stored.threadTs && !m.ephemeralFor);
      if (!parent) delete stored.threadTs;
      else if (parent.threadTs) stored.threadTs = parent.threadTs;
    }
    if (!stored.threadTs) delete stored.broadcast;
    const after = this.messages.findIndex((m) => Number(m.ts) > Number(stored.ts));
    if (after < 0) this.messages.push(stored);
    else this.messages.splice(after, 0, stored);
    this.changed(stored);
    return structuredClone(stored);
  }

  update(ts: string, change: { text: string; blocks?: unknown[] }): ChannelMessage | undefined {
    const m = this.messages.find((x) => x.ts === ts);
    if (!m) return undefined;
    m.text = change.text;
    if (change.blocks !== undefined) m.blocks = structuredClone(change.blocks);
    m.edited = true;
    this.changed(m);
    return structuredClone(m);
  }

  delete(ts: string): boolean {
    const i = this.messages.findIndex((x) => x.ts === ts);
    if (i < 0) return false;
    const [m] = this.messages.splice(i, 1);
    if (m!.threadTs) this.emitChange({ type: 'upsert', ts: m!.threadTs });
    if (!m!.threadTs || m!.broadcast) this.emitChange({ type: 'delete', ts });
    // A deleted parent takes its thread with it (Slack keeps "This message was deleted."; the sandbox is simpler).
    for (const reply of this.messages.filter((x) => x.threadTs === ts)) this.delete(reply.ts);
    return true;
  }

  /** A response_url for a command or a click, valid for 30 minutes (as Slack's). */
  issueResponseUrl(baseUrl: string, target: Omit<ResponseTarget, 'expires'>): string {
    // Like Slack's, a response_url is a capability: unguessable.
    const id = randomBytes(18).toString('base64url');
    this.responseUrls.set(id, { ...target, expires: this.now() + 30 * 60_000 });
    return `${baseUrl}/response/${id}`;
  }

  // ----------------------------------------------------------------------------------------------
  // The Web API

  private checkMessage(args: Record<string, unknown>): string | undefined {
    const text = typeof args.text === 'string' ? args.text : '';
    if (args.blocks !== undefined && !Array.isArray(args.blocks)) return 'invalid_blocks';
    const blocks = (args.blocks as SlackMessage['blocks'] | undefined) ?? [];
    if (!text && blocks.length === 0) return 'no_text';
    if (text.length > 40_000) return 'msg_too_long';
    // Slack refuses a message over a Block Kit limit outright; so does the sandbox.
    const problems = limitViolations({ text: text || 'x', blocks }).filter((p) => !p.startsWith('fallback text'));
    return problems.length ? 'invalid_blocks' : undefined;
  }

  private isChannel(id: unknown): boolean {
    return id === this.channel.id || id === `#${this.channel.name}` || id === this.channel.name;
  }

  /** One Web API call. `token` is what the Authorization header (or the form) carried. */
  call(method: string, args: Record<string, unknown>, token: string | undefined): ApiResult {
    const result = this.dispatch(method, args, token);
    this.calls.push({ method, ok: result.ok, ...(typeof result.error === 'string' ? { error: result.error } : {}) });
    return result;
  }

  private dispatch(method: string, args: Record<string, unknown>, token: string | undefined): ApiResult {
    if (token !== this.botToken) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    const channel = this.channel.id;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: `https://${SANDBOX_IDS.teamDomain}.slack.com/`, team: 'esm-doctor sandbox', user: 'esm-doctor', team_id: SANDBOX_IDS.team, user_id: SANDBOX_IDS.botUser, bot_id: SANDBOX_IDS.botId };
      case 'chat.postMessage': {
        if (!this.isChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        const problem = this.checkMessage(args);
        if (problem) return { ok: false, error: problem };
        const thread = typeof args.thread_ts === 'string' && args.thread_ts ? { threadTs: args.thread_ts, broadcast: args.reply_broadcast === true || args.reply_broadcast === 'true' } : {};
        const m = this.post({ user: SANDBOX_IDS.botUser, text: String(args.text ?? ''), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}), ...thread });
        return {
          ok: true,
          channel,
          ts: m.ts,
          message: { type: 'message', user: m.user, bot_id: SANDBOX_IDS.botId, ts: m.ts, text: m.text, blocks: m.blocks, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) },
        };
      }
      case 'chat.update': {
        if (!this.isChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        const existing = typeof args.ts === 'string' ? this.messages.find((m) => m.ts === args.ts && !m.ephemeralFor) : undefined;
        if (!existing) return { ok: false, error: 'message_not_found' };
        if (existing.user !== SANDBOX_IDS.botUser) return { ok: false, error: 'cant_update_message' };
        const problem = this.checkMessage(args);
        if (problem) return { ok: false, error: problem };
        const m = this.update(existing.ts, { text: String(args.text ?? ''), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}) })!;
        return { ok: true, channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral': {
        if (!this.isChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (typeof args.user !== 'string' || !this.people[args.user]) return { ok: false, error: 'user_not_in_channel' };
        const problem = this.checkMessage(args);
        if (problem) return { ok: false, error: problem };
        const m = this.post({ user: SANDBOX_IDS.botUser, text: String(args.text ?? ''), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}), ephemeralFor: args.user });
        return { ok: true, message_ts: m.ts };
      }
      case 'chat.delete': {
        if (!this.isChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        const existing = typeof args.ts === 'string' ? this.messages.find((m) => m.ts === args.ts) : undefined;
        if (!existing) return { ok: false, error: 'message_not_found' };
        if (existing.user !== SANDBOX_IDS.botUser) return { ok: false, error: 'cant_delete_message' };
        this.delete(existing.ts);
        return { ok: true, channel, ts: existing.ts };
      }
      case 'chat.getPermalink': {
        const existing = typeof args.message_ts === 'string' ? this.messages.find((m) => m.ts === args.message_ts) : undefined;
        if (!existing) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel, permalink: `https://${SANDBOX_IDS.teamDomain}.slack.com/archives/${channel}/p${existing.ts.replace('.', '')}` };
      }
      case 'conversations.info':
        if (!this.isChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id: channel, name: this.channel.name, is_channel: true, is_member: true } };
      case 'users.info': {
        const person = typeof args.user === 'string' ? this.people[args.user] : undefined;
        if (!person) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: person.id, name: person.name, real_name: person.name, is_bot: Boolean(person.bot) } };
      }
      case 'usergroups.users.list':
        // The sandbox has no user groups; an allow-list by group would refuse everyone, as in Slack.
        return { ok: true, users: [] };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** A POST to a response_url, with Slack's semantics for response_type / replace_original / delete_original. */
  respond(id: string, body: Record<string, unknown>): ApiResult {
    const target = this.responseUrls.get(id);
    if (!target || target.expires < this.now()) return { ok: false, error: 'expired_url' };
    if (body.delete_original === true || body.delete_original === 'true') {
      if (target.messageTs) this.delete(target.messageTs);
      return { ok: true };
    }
    const problem = this.checkMessage(body);
    if (problem) return { ok: false, error: problem };
    const text = String(body.text ?? '');
    const blocks = Array.isArray(body.blocks) ? { blocks: body.blocks } : {};
    const replace = body.replace_original === true || body.replace_original === 'true';
    if (replace && target.messageTs) {
      const existing = this.messages.find((m) => m.ts === target.messageTs);
      if (existing?.ephemeralFor) {
        this.delete(existing.ts);
        this.post({ user: SANDBOX_IDS.botUser, text, ...blocks, ephemeralFor: target.user });
      } else if (existing) {
        this.update(existing.ts, { text, ...blocks });
      }
      return { ok: true };
    }
    if (body.response_type === 'in_channel') {
      this.post({ user: SANDBOX_IDS.botUser, text, ...blocks });
    } else {
      this.post({ user: SANDBOX_IDS.botUser, text, ...blocks, ephemeralFor: target.user });
    }
    return { ok: true };
  }
}
