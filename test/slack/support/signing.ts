/** Requests signed the way Slack signs them: v0= + HMAC-SHA256("v0:<ts>:<body>") with the signing secret. */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  retryNum?: number;
  /** Replaces the computed signature (to forge one). */
  signature?: string;
}

export function signedHeaders(body: string, contentType: string, options: SignedOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
    ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
  };
}

export interface SlashCommand {
  text: string;
  user?: string;
  channel?: string;
  triggerId?: string;
  responseUrl: string;
}

/** A slash command as Slack sends it: form-encoded. */
export function slashCommandBody(c: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0ACME',
    team_domain: 'acme',
    channel_id: c.channel ?? 'C0INCIDENT',
    channel_name: 'incidents',
    user_id: c.user ?? 'U0ALICE',
    user_name: 'alice',
    command: '/esm',
    text: c.text,
    api_app_id: 'A0ESMDOC',
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: c.triggerId ?? '13345224609.738474920.8088930838d88f008e0',
  }).toString();
}

export interface ButtonClick {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  messageTs: string;
  responseUrl: string;
  actionTs?: string;
}

/** A block_actions payload as Slack sends it: form-encoded `payload=<json>`. */
export function blockActionBody(c: ButtonClick): string {
  const channel = c.channel ?? 'C0INCIDENT';
  const user = c.user ?? 'U0ALICE';
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0ACME' },
    api_app_id: 'A0ESMDOC',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: c.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: '13345224609.738474920.8088930838d88f008e1',
    team: { id: 'T0ACME', domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'incidents' },
    message: { type: 'message', user: 'U0BOT', ts: c.messageTs, bot_id: 'B0BOT', text: 'report' },
    state: { values: {} },
    response_url: c.responseUrl,
    actions: [
      {
        action_id: c.actionId,
        block_id: 'esm_actions',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: c.value,
        type: 'button',
        action_ts: c.actionTs ?? '1763630100.123456',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
