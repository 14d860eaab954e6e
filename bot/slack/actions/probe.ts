/**
 * Run live probe: like Re-run, but the diagnosis also replays the ESM's connection (DNS, TCP, TLS,
 * SASL, topic, group) from the ESM's network position. Offered only when probing is configured.
 */
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { renderNotice } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure } from '../failure';
import { clickedTarget } from './verify';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

export function probeAction(deps: ListenerDeps) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    if (deps.config.probe === 'off') {
      // A message rendered while probing was on, clicked after it was turned off.
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice('The live probe is not enabled for this workspace (ESM_DOCTOR_PROBE).') });
      return;
    }
    const clicked = await clickedTarget(deps, body, action, respond);
    if (!clicked) return;
    try {
      await deps.dispatch({
        kind: 'recheck',
        probe: true,
        target: clicked.target,
        channel: clicked.channel,
        messageTs: clicked.ts,
        responseUrl: body.response_url,
        user: clicked.user,
        idempotencyKey: `probe#${clicked.channel}#${clicked.ts}#${action.action_ts}`,
      });
      deps.logger.event('info', 'probe.dispatched', { user: clicked.user, channel: clicked.channel, uuid: clicked.target.uuid });
    } catch (err) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(explainFailure(err, deps.logger, { action: 'probe' })) });
    }
  };
}
