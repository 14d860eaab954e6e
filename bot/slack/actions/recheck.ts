/**
 * Re-run checks, and Run live probe (the same re-run with the live probe): acknowledged at once;
 * the job edits the same message and says what changed.
 */
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { renderNotice } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure } from '../failure';
import { clickedTarget } from './verify';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

export function recheckAction(deps: ListenerDeps, options: { probe?: boolean } = {}) {
  const probe = options.probe === true;
  const what = probe ? 'probe' : 'recheck';
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const notice = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(text) });
    if (probe && deps.config.probe === 'off') {
      // A message rendered while probing was on, clicked after it was turned off.
      await notice('The live probe is not enabled for this workspace (ESM_DOCTOR_PROBE).');
      return;
    }
    const clicked = await clickedTarget(deps, body, action, respond);
    if (!clicked) return;
    try {
      await deps.dispatch({
        kind: 'recheck',
        ...(probe ? { probe: true } : {}),
        target: clicked.target,
        channel: clicked.channel,
        messageTs: clicked.ts,
        responseUrl: body.response_url,
        user: clicked.user,
        idempotencyKey: `${probe ? 'probe' : 'act'}#${clicked.channel}#${clicked.ts}#${action.action_ts}`,
      });
      deps.logger.event('info', `${what}.dispatched`, { user: clicked.user, channel: clicked.channel, uuid: clicked.target.uuid });
    } catch (err) {
      await notice(explainFailure(err, deps.logger, { action: what }));
    }
  };
}
