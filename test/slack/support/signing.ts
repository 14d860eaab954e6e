/**
 * Requests signed the way Slack signs them, for the tests: the sandbox's product code (which plays
 * Slack for real) builds the bodies and signatures; this adds the test workspace's defaults.
 */
import {
  blockActionBody as productBlockAction,
  slackSignature,
  slashCommandBody as productSlashCommand,
  type Workspace,
} from '../../../bot/sandbox/signing';

export { slackSignature };

export const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';


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

const WORKSPACE: Workspace = { teamId: 'T0ACME', teamDomain: 'acme', appId: 'A0ESMDOC' };

/** A slash command as Slack sends it (form-encoded), with the test workspace's defaults. */
export function slashCommandBody(c: SlashCommand): string {
  return productSlashCommand(WORKSPACE, {
    command: '/esm',
    text: c.text,
    userId: c.user ?? 'U0ALICE',
    userName: 'alice',
    channelId: c.channel ?? 'C0INCIDENT',
    channelName: 'incidents',
    responseUrl: c.responseUrl,
    triggerId: c.triggerId ?? '13345224609.738474920.8088930838d88f008e0',
  });
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

/** A block_actions payload as Slack sends it (form-encoded `payload=<json>`), on a bot message. */
export function blockActionBody(c: ButtonClick): string {
  const user = c.user ?? 'U0ALICE';
  return productBlockAction(WORKSPACE, {
    userId: user,
    userName: user.toLowerCase(),
    channelId: c.channel ?? 'C0INCIDENT',
    channelName: 'incidents',
    message: { ts: c.messageTs, user: 'U0BOT', botId: 'B0BOT', text: 'report' },
    isEphemeral: false,
    action: { actionId: c.actionId, blockId: 'esm_actions', text: { type: 'plain_text', text: 'button', emoji: true }, value: c.value },
    actionTs: c.actionTs ?? '1763630100.123456',
    responseUrl: c.responseUrl,
    triggerId: '13345224609.738474920.8088930838d88f008e1',
  });
}
