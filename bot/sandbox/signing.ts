/**
 * Requests as Slack sends them to an app, signed as Slack signs them
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack): `v0=` + HMAC-SHA256 of
 * `v0:<timestamp>:<body>` with the app's signing secret. The sandbox plays Slack, so it signs every
 * slash command and button click it sends to the Bolt app, and Bolt verifies them as in production.
 */
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

export interface Workspace {
  teamId: string;
  teamDomain: string;
  appId: string;
}

export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  responseUrl: string;
  triggerId: string;
}

/** A slash command: form-encoded, as Slack posts it to the app's Request URL. */
export function slashCommandBody(workspace: Workspace, c: SlashCommand): string {
  return new URLSearchParams({
    // Slack still sends the deprecated verification token; Bolt ignores it and checks the signature.
    token: 'sandbox-verification-token',
    team_id: workspace.teamId,
    team_domain: workspace.teamDomain,
    channel_id: c.channelId,
    channel_name: c.channelName,
    user_id: c.userId,
    user_name: c.userName,
    command: c.command,
    text: c.text,
    api_app_id: workspace.appId,
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: c.triggerId,
  }).toString();
}

export interface ButtonClick {
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  /** The message the button is on, as the channel has it. */
  message: { ts: string; user?: string; botId?: string; text: string; blocks?: unknown[] };
  isEphemeral: boolean;
  action: { actionId: string; blockId?: string; text: unknown; value?: string; url?: string; style?: string };
  actionTs: string;
  responseUrl: string;
  triggerId: string;
}

/** A block_actions interaction: form-encoded `payload=<json>`. */
export function blockActionBody(workspace: Workspace, c: ButtonClick): string {
  const payload = {
    type: 'block_actions',
    user: { id: c.userId, username: c.userName, name: c.userName, team_id: workspace.teamId },
    api_app_id: workspace.appId,
    token: 'sandbox-verification-token',
    container: { type: 'message', message_ts: c.message.ts, channel_id: c.channelId, is_ephemeral: c.isEphemeral },
    trigger_id: c.triggerId,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: c.channelId, name: c.channelName },
    message: {
      type: 'message',
      ts: c.message.ts,
      text: c.message.text,
      ...(c.message.user ? { user: c.message.user } : {}),
      ...(c.message.botId ? { bot_id: c.message.botId } : {}),
      ...(c.message.blocks ? { blocks: c.message.blocks } : {}),
    },
    state: { values: {} },
    response_url: c.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: c.action.actionId,
        ...(c.action.blockId ? { block_id: c.action.blockId } : {}),
        text: c.action.text,
        ...(c.action.value !== undefined ? { value: c.action.value } : {}),
        ...(c.action.url ? { url: c.action.url } : {}),
        ...(c.action.style ? { style: c.action.style } : {}),
        action_ts: c.actionTs,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
