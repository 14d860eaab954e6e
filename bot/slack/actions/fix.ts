/**
 * Fix it: posts the plan the message shows in the message's thread and asks for approval. The plan
 * comes from the stored report of the clicked message (never from the button), and must be the one
 * whose hash the signed value names: a message whose plan changed since it was rendered is refused.
 * One live request per plan: a second click while it waits points at the first. A few store
 * calls and one post: quick enough for Slack's 3 seconds, after the ack.
 */
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { AccessControl } from '../access';
import { ACTION_IDS, fixableFindings, renderNotice } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure } from '../failure';
import { signDecisionValue, verifyFixValue } from '../fix-button';
import { renderFixRequest } from '../fix-messages';
import type { FixRequest } from '../store';
import { approveAction, cancelAction } from './fix-decision';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

/** How long a request may wait for its approval. */
export const FIX_REQUEST_TTL_MS = 15 * 60_000;

export function approversOf(deps: ListenerDeps): { users: string[]; groups: string[] } {
  return { users: deps.config.remediation?.approvers ?? [], groups: deps.config.remediation?.approverGroups ?? [] };
}

export function decisionValue(deps: ListenerDeps, request: FixRequest): string {
  return signDecisionValue(deps.config.buttonKey, {
    id: request.id,
    hash: request.hash,
    channel: request.channel,
    ts: request.ts,
    exp: Math.floor(Date.parse(request.expiresAt) / 1000),
  });
}

export function fixAction(deps: ListenerDeps) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(text) });
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    if (!deps.config.remediation) {
      await say('Fixing from Slack is not enabled for this workspace (ESM_DOCTOR_REMEDIATION). The commands in the report apply the same fix.');
      return;
    }
    const button = verifyFixValue(deps.config.buttonKey, action.value);
    if (!button || !channel || !ts || body.container?.is_ephemeral) {
      deps.logger.event('warn', 'button.refused', { reason: button ? 'not a channel message' : 'fix value did not verify', action: action.action_id, user, channel });
      await say(':no_entry: That button did not check out, so I ignored it. Run `/esm diagnose &lt;uuid&gt;` for a fresh report.');
      return;
    }
    try {
      const stored = await deps.store.getMessage(channel, ts);
      if (!stored || stored.target.uuid !== button.uuid) {
        await say('I no longer have the report this button belongs to. Press *Re-run checks* first, then *Fix it* on the fresh result.');
        return;
      }
      const plan = fixableFindings(stored.report).find((f) => f.plan.hash === button.hash && f.plan.check === button.check)?.plan;
      if (!plan) {
        deps.logger.event('info', 'fix.stale', { user, channel, check: button.check });
        await say('This report no longer shows that fix (the plan changed, or the finding is gone). Press *Re-run checks* and use the fresh *Fix it*.');
        return;
      }
      const now = deps.now();
      const request: FixRequest = {
        hash: plan.hash,
        id: randomUUID(),
        state: 'pending',
        plan,
        target: stored.target,
        channel,
        ts,
        requestedBy: user,
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + FIX_REQUEST_TTL_MS).toISOString(),
      };
      const created = await deps.store.createFixRequest(request);
      if (!created.created) {
        const e = created.existing;
        await say(`This fix is already ${e.state === 'pending' ? 'waiting for approval' : 'being applied'} (asked by ${e.requestedBy === user ? 'you' : `<@${e.requestedBy}>`}); see the thread of the message it was asked from.`);
        return;
      }
      const message = renderFixRequest(request, { decisionValue: decisionValue(deps, request), approvers: approversOf(deps) });
      let planTs: string | undefined;
      try {
        planTs = (await deps.slack.chat.postMessage({ channel, thread_ts: ts, ...message, unfurl_links: false, unfurl_media: false })).ts;
      } catch (err) {
        await deps.store.updateFixRequest(request.hash, request.id, ['pending'], { state: 'cancelled', closedBy: user, outcome: 'the request could not be posted' });
        throw err;
      }
      if (planTs) await deps.store.updateFixRequest(request.hash, request.id, ['pending'], { planTs });
      deps.logger.event('info', 'fix.requested', { user, channel, uuid: plan.esm.uuid, check: plan.check, hash: plan.hash });
    } catch (err) {
      await say(explainFailure(err, deps.logger, { action: 'fix' }));
    }
  };
}

export function registerFixActions(app: App, deps: ListenerDeps): void {
  // Who may approve is a user list and user groups, checked like the allow-list (cached lookups).
  const approvers = new AccessControl(
    { allowedChannels: [], allowedUsers: deps.config.remediation?.approvers ?? [], allowedUserGroups: deps.config.remediation?.approverGroups ?? [] },
    deps.slack,
  );
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTION_IDS.fix}\\d+$`), fixAction(deps));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.fixApprove, approveAction(deps, approvers));
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.fixCancel, cancelAction(deps, approvers));
}
