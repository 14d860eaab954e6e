/**
 * Acknowledge: stamps the message with who and when, and records it per ESM and cause, so the
 * alerting code stays quiet about this cause until the ESM recovers or fails for another reason.
 * A second click answers, privately, who acknowledged it already. Acked first; the record (one
 * conditional write) is made here; the stamp on the message is a job for the worker, because a
 * chat.update may have to wait out a 429 far past Slack's 3 seconds.
 */
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { renderNotice, slackDate } from '../blocks';
import type { ListenerDeps } from '../deps';
import { causeOf } from '../diff';
import { explainFailure } from '../failure';
import { clickedTarget } from './verify';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

export function ackAction(deps: ListenerDeps) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const clicked = await clickedTarget(deps, body, action, respond);
    if (!clicked) return;
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(text) });
    try {
      const stored = await deps.store.getMessage(clicked.channel, clicked.ts);
      if (!stored) {
        await say("I no longer have this report (it is too old). Press *Re-run checks* first, then acknowledge the fresh result.");
        return;
      }
      if (stored.target.uuid !== clicked.target.uuid) {
        deps.logger.event('warn', 'button.refused', { reason: 'value names another ESM', user: clicked.user, channel: clicked.channel });
        await say(':no_entry: That button belongs to another report, so I ignored it.');
        return;
      }
      const at = deps.now().toISOString();
      const cause = causeOf(stored.report);
      const result = await deps.store.acknowledge({ uuid: stored.target.uuid, cause, by: clicked.user, at, channel: clicked.channel, ts: clicked.ts });
      if (!result.recorded) {
        const who = result.existing.by === clicked.user ? 'you' : `<@${result.existing.by}>`;
        await say(`Already acknowledged by ${who} ${slackDate(result.existing.at)}.`);
        return;
      }
      await deps.dispatch({
        kind: 'stamp',
        target: stored.target,
        channel: clicked.channel,
        messageTs: clicked.ts,
        responseUrl: body.response_url,
        user: clicked.user,
        idempotencyKey: `ack#${clicked.channel}#${clicked.ts}#${action.action_ts}`,
      });
      deps.logger.event('info', 'esm.acknowledged', { uuid: stored.target.uuid, cause, user: clicked.user, channel: clicked.channel });
    } catch (err) {
      await say(explainFailure(err, deps.logger, { action: 'ack' }));
    }
  };
}
