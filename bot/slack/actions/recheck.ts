/** Re-run checks: acknowledged at once; the job edits the same message and says what changed. */
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { renderNotice } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure } from '../failure';
import { clickedTarget } from './verify';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

export function recheckAction(deps: ListenerDeps) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const clicked = await clickedTarget(deps, body, action, respond);
    if (!clicked) return;
    try {
      await deps.dispatch({
        kind: 'recheck',
        target: clicked.target,
        channel: clicked.channel,
        messageTs: clicked.ts,
        responseUrl: body.response_url,
        user: clicked.user,
        idempotencyKey: `act#${clicked.channel}#${clicked.ts}#${action.action_ts}`,
      });
      deps.logger.event('info', 'recheck.dispatched', { user: clicked.user, channel: clicked.channel, uuid: clicked.target.uuid });
    } catch (err) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderNotice(explainFailure(err, deps.logger, { action: 'recheck' })),
      });
    }
  };
}
