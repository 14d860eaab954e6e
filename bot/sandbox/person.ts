/**
 * Playing Slack towards the app: what the person does on the page (a slash command, a click on a
 * button) becomes the request Slack would send, signed with the app's signing secret, and what
 * Slack shows when the app does not answer in time (Slackbot's ephemeral notes) shows here too.
 */
import { randomBytes } from 'node:crypto';
import { escapeMrkdwn } from '../slack/limits';
import { blockActionBody, signedHeaders, slashCommandBody, type Workspace } from './signing';
import { SANDBOX_IDS, type SandboxWorkspace } from './workspace';

export interface ActionResult {
  ok: boolean;
  error?: string;
}

export interface SandboxPerson {
  /** What the person types after the command, sent as Slack would send it. */
  command(text: string, command?: string): Promise<ActionResult>;
  /** A click on a button of a message in the channel, by "you" or, with `as: 'teammate'`, by the second sandbox person. */
  click(ts: string, actionId: string, blockId?: string, as?: 'you' | 'teammate'): Promise<ActionResult>;
}

const WORKSPACE: Workspace = { teamId: SANDBOX_IDS.team, teamDomain: SANDBOX_IDS.teamDomain, appId: SANDBOX_IDS.app };

function findButton(blocks: unknown[] | undefined, actionId: string, blockId?: string): Record<string, unknown> | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as Record<string, unknown>;
    if (blockId && b.block_id !== blockId) continue;
    const candidates = [...(Array.isArray(b.elements) ? b.elements : []), ...(b.accessory ? [b.accessory] : [])];
    for (const e of candidates) {
      if (typeof e === 'object' && e !== null && (e as Record<string, unknown>).type === 'button' && (e as Record<string, unknown>).action_id === actionId) {
        return e as Record<string, unknown>;
      }
    }
  }
  return undefined;
}

/** `base`: the server's own URL (the app's `/slack/events` and the response URLs live there). */
export function sandboxPerson(deps: { workspace: SandboxWorkspace; base: string; signingSecret: string }): SandboxPerson {
  const { workspace, base, signingSecret } = deps;
  const user = workspace.people[SANDBOX_IDS.user]!;

  const toApp = async (body: string): Promise<{ ok: true; status: number; body: string } | { ok: false; error: string }> => {
    try {
      // Slack gives an app 3 seconds to acknowledge; then it shows the person an error.
      const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: signedHeaders(body, signingSecret), body, signal: AbortSignal.timeout(3000) });
      const text = await res.text();
      if (!res.ok) return { ok: false, error: 'dispatch_failed' };
      return { ok: true, status: res.status, body: text };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed' };
    }
  };
  const slackbotSays = (text: string) => workspace.post({ user: SANDBOX_IDS.slackbot, text, ephemeralFor: user.id });
  let triggers = 0;
  const triggerId = () => `${Date.now()}.${++triggers}.${randomBytes(6).toString('hex')}`;

  const command = async (text: string, name = '/esm'): Promise<ActionResult> => {
    if (name !== '/esm') {
      slackbotSays(`\`${escapeMrkdwn(name)}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`);
      return { ok: false, error: 'unknown_command' };
    }
    const responseUrl = workspace.issueResponseUrl(base, { user: user.id });
    const body = slashCommandBody(WORKSPACE, {
      command: name,
      // As Slack does: the command's text arrives with &, < and > escaped.
      text: escapeMrkdwn(text),
      userId: user.id,
      userName: user.name,
      channelId: workspace.channel.id,
      channelName: workspace.channel.name,
      responseUrl,
      triggerId: triggerId(),
    });
    // The acknowledgement answers this moment, even if the job's first message reaches the channel first.
    const ackTs = workspace.reserveTs();
    const answer = await toApp(body);
    if (!answer.ok) {
      slackbotSays(`${escapeMrkdwn(name)} failed with the error "${answer.error}"`);
      return { ok: false, error: answer.error };
    }
    // The acknowledgement's body is the immediate answer: JSON (text, blocks, response_type) or plain text.
    if (answer.body) {
      let ack: Record<string, unknown>;
      try {
        ack = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        ack = { text: answer.body };
      }
      if (ack.text || Array.isArray(ack.blocks)) {
        workspace.post({
          user: SANDBOX_IDS.botUser,
          text: String(ack.text ?? ''),
          ...(Array.isArray(ack.blocks) ? { blocks: ack.blocks } : {}),
          ...(ack.response_type === 'in_channel' ? {} : { ephemeralFor: user.id }),
        }, ackTs);
      }
    }
    return { ok: true };
  };

  const click = async (ts: string, actionId: string, blockId?: string, as: 'you' | 'teammate' = 'you'): Promise<ActionResult> => {
    const clicker = as === 'teammate' ? workspace.people[SANDBOX_IDS.teammate]! : user;
    const message = workspace.find(ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    // The value comes from the message as the channel has it, never from the page.
    const button = findButton(message.blocks, actionId, blockId);
    if (!button) return { ok: false, error: 'action_not_found' };
    const containerBlock = (message.blocks ?? []).find((b) => findButton([b], actionId, blockId)) as Record<string, unknown> | undefined;
    const body = blockActionBody(WORKSPACE, {
      userId: clicker.id,
      userName: clicker.name,
      channelId: workspace.channel.id,
      channelName: workspace.channel.name,
      message: { ts, user: message.user, ...(message.user === SANDBOX_IDS.botUser ? { botId: SANDBOX_IDS.botId } : {}), text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
      isEphemeral: Boolean(message.ephemeralFor),
      action: {
        actionId,
        ...(typeof containerBlock?.block_id === 'string' ? { blockId: containerBlock.block_id } : {}),
        text: button.text,
        ...(typeof button.value === 'string' ? { value: button.value } : {}),
        ...(typeof button.url === 'string' ? { url: button.url } : {}),
        ...(typeof button.style === 'string' ? { style: button.style } : {}),
      },
      actionTs: `${(Date.now() / 1000).toFixed(6)}`,
      responseUrl: workspace.issueResponseUrl(base, { user: clicker.id, messageTs: ts }),
      triggerId: triggerId(),
    });
    const answer = await toApp(body);
    if (!answer.ok) {
      slackbotSays(`esm-doctor did not answer that click (\`${answer.error}\`).`);
      return { ok: false, error: answer.error };
    }
    return { ok: true };
  };

  return { command, click };
}
