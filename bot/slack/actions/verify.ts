/**
 * What both buttons check before doing anything: the value is ours (HMAC) and names an ESM, and the
 * click came from a channel message (an ephemeral one cannot be edited in place).
 */
import type { BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { boundChannel, verifyButtonValue, type ButtonTarget } from '../button';
import { renderNotice } from '../blocks';
import type { ListenerDeps } from '../deps';

export interface Clicked {
  target: ButtonTarget;
  channel: string;
  ts: string;
  user: string;
}

export async function clickedTarget(
  deps: ListenerDeps,
  body: BlockAction,
  action: ButtonAction,
  respond: RespondFn,
): Promise<Clicked | undefined> {
  const user = body.user.id;
  const channel = body.channel?.id ?? body.container?.channel_id;
  const ts = body.message?.ts ?? body.container?.message_ts;
  const target = verifyButtonValue(deps.config.buttonKey, action.value);
  if (!target) {
    deps.logger.event('warn', 'button.refused', { reason: 'value did not verify', action: action.action_id, user, channel });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...renderNotice(':no_entry: That button did not check out, so I ignored it. Run `/esm diagnose &lt;uuid&gt;` for a fresh report.'),
    });
    return undefined;
  }
  const bound = boundChannel(action.value);
  if (bound && channel && bound !== channel) {
    // A genuine value, copied into a request from another channel: the button belongs to its message.
    deps.logger.event('warn', 'button.refused', { reason: 'value bound to another channel', action: action.action_id, user, channel, bound });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...renderNotice(':no_entry: That button belongs to a message in another channel, so I ignored it. Use the buttons on the report itself, or run `/esm diagnose <uuid>` here.'),
    });
    return undefined;
  }
  if (!channel || !ts || body.container?.is_ephemeral) {
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...renderNotice('This button only works on a report esm-doctor posted in a channel. Run `/esm diagnose &lt;uuid&gt;` there.'),
    });
    return undefined;
  }
  return { target, channel, ts, user };
}
