/**
 * Approve and Cancel on a fix request in a report's thread. The signed value names the request, its
 * plan hash, the channel and report message, and its expiry; the click must come from that channel,
 * on the request's own thread message, before the expiry, and the request must still be the one the
 * value names. Approve: by an approver who is not the requester; the request moves pending →
 * approved with one conditional write (a double click or a retried request approves once) and the
 * remediation runner is handed the request id. Cancel: the requester or an approver withdraws it.
 */
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AccessControl } from '../access';
import { renderNotice, userMention } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure, slackErrorCode } from '../failure';
import { verifyDecisionValue, type DecisionButton } from '../fix-button';
import { renderFixRequest } from '../fix-messages';
import type { FixRequest } from '../store';
import { approversOf } from './fix';

type Args = Pick<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>, 'ack' | 'body' | 'action' | 'respond'>;

interface Decision {
  user: string;
  button: DecisionButton;
  request: FixRequest;
  say: (text: string) => Promise<unknown>;
}

const GONE: Partial<Record<FixRequest['state'], string>> = {
  approved: 'already approved',
  applying: 'already approved and being applied',
  applied: 'already applied',
  failed: 'already approved (and it failed; see the thread)',
  refused: 'closed without applying (see the thread)',
  cancelled: 'withdrawn',
  expired: 'expired',
};

/** The checks Approve and Cancel share; undefined (after telling the user why) when the click does not count. */
async function decision(deps: ListenerDeps, { body, action, respond }: Args, what: 'approve' | 'cancel'): Promise<Decision | undefined> {
  const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(text) });
  const user = body.user.id;
  const channel = body.channel?.id ?? body.container?.channel_id;
  const messageTs = body.message?.ts ?? body.container?.message_ts;
  const refuse = async (reason: string, text: string) => {
    deps.logger.event('warn', 'fix.refused', { reason, action: what, user, channel });
    await say(text);
    return undefined;
  };
  if (!deps.config.remediation) return refuse('remediation off', 'Fixing from Slack is not enabled for this workspace (ESM_DOCTOR_REMEDIATION).');
  const button = verifyDecisionValue(deps.config.buttonKey, action.value);
  if (!button) return refuse('value did not verify', ':no_entry: That button did not check out, so I ignored it.');
  if (button.channel !== channel) return refuse('another channel', ':no_entry: That button belongs to a request in another channel, so I ignored it.');
  const request = await deps.store.getFixRequest(button.hash);
  if (!request || request.id !== button.id || request.channel !== button.channel || request.ts !== button.ts || (request.planTs && request.planTs !== messageTs)) {
    return refuse('not this request', ':no_entry: That request is no longer current (a newer request for the same fix replaced it, or it is too old). Press *Fix it* again.');
  }
  if (request.state !== 'pending') {
    const by = request.state === 'cancelled' && request.closedBy ? ` by ${userMention(request.closedBy)}` : request.approvedBy ? ` by ${userMention(request.approvedBy)}` : '';
    await say(`This fix was ${GONE[request.state] ?? request.state}${by}.`);
    return undefined;
  }
  const nowMs = deps.now().getTime();
  if (button.exp * 1000 <= nowMs || Date.parse(request.expiresAt) <= nowMs) {
    const expired = await deps.store.updateFixRequest(request.hash, request.id, ['pending'], { state: 'expired' });
    if (expired) await editRequest(deps, expired);
    return refuse('expired', ':hourglass: This fix request expired (15 minutes) without approval; nothing was changed. Press *Fix it* again for a fresh plan.');
  }
  return { user, button, request, say };
}

async function editRequest(deps: ListenerDeps, request: FixRequest): Promise<void> {
  if (!request.planTs) return;
  await deps.slack.chat
    .update({ channel: request.channel, ts: request.planTs, ...renderFixRequest(request, { approvers: approversOf(deps) }) })
    .catch((err: unknown) => deps.logger.event('warn', 'fix.request-update-failed', { slackError: slackErrorCode(err) }));
}

async function isApprover(approvers: AccessControl, deps: ListenerDeps, user: string): Promise<boolean | 'lookup-failed'> {
  const { users, groups } = approversOf(deps);
  // Empty lists would read as "anyone" to the access check; the configuration forbids it, and so does this.
  if (!users.length && !groups.length) return false;
  const answer = await approvers.check(user, undefined);
  if (answer.allowed) return true;
  return answer.reason === 'lookup-failed' ? 'lookup-failed' : false;
}

/** Approve and Cancel alike: ack at once, the shared checks, then `act`; a failure becomes an ephemeral notice naming the action. */
function decisionAction(deps: ListenerDeps, what: 'approve' | 'cancel', act: (d: Decision) => Promise<void>) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    try {
      const d = await decision(deps, args, what);
      if (d) await act(d);
    } catch (err) {
      await args.respond({ response_type: 'ephemeral', replace_original: false, ...renderNotice(explainFailure(err, deps.logger, { action: `fix-${what}` })) });
    }
  };
}

export function approveAction(deps: ListenerDeps, approvers: AccessControl) {
  return decisionAction(deps, 'approve', async ({ user, request, say }) => {
    if (user === request.requestedBy) {
      deps.logger.event('warn', 'fix.refused', { reason: 'self-approval', user, hash: request.hash });
      await say(':no_entry: You asked for this fix, so someone else must approve it: another approver has to press *Approve*.');
      return;
    }
    const allowed = await isApprover(approvers, deps, user);
    if (allowed !== true) {
      deps.logger.event('warn', 'fix.refused', { reason: allowed === false ? 'not an approver' : 'approver lookup failed', user, hash: request.hash });
      await say(
        allowed === false
          ? ':no_entry: Only the configured approvers can approve a fix (ESM_DOCTOR_FIX_APPROVERS / ESM_DOCTOR_FIX_APPROVER_GROUPS).'
          : 'I could not check whether you are an approver (the user group lookup failed). Please try again in a minute.',
      );
      return;
    }
    const approved = await deps.store.updateFixRequest(request.hash, request.id, ['pending'], { state: 'approved', approvedBy: user, approvedAt: deps.now().toISOString() });
    if (!approved) {
      const now = await deps.store.getFixRequest(request.hash);
      await say(`This fix was ${now ? (GONE[now.state] ?? now.state) : 'closed'}${now?.approvedBy ? ` by ${userMention(now.approvedBy)}` : ''}.`);
      return;
    }
    deps.logger.event('info', 'fix.approved', { user, requestedBy: approved.requestedBy, hash: approved.hash, uuid: approved.target.uuid });
    await editRequest(deps, approved);
    if (!deps.remediate) throw new Error('no remediation runner is configured');
    try {
      await deps.remediate({ hash: approved.hash, id: approved.id });
    } catch (err) {
      // Not handed over: nothing was applied, so the request ends here rather than hang "applying".
      const failed = await deps.store.updateFixRequest(approved.hash, approved.id, ['approved'], { state: 'failed', outcome: 'the remediation function could not be started; nothing was changed' });
      if (failed) await editRequest(deps, failed);
      throw err;
    }
  });
}

export function cancelAction(deps: ListenerDeps, approvers: AccessControl) {
  return decisionAction(deps, 'cancel', async ({ user, request, say }) => {
    if (user !== request.requestedBy && (await isApprover(approvers, deps, user)) !== true) {
      deps.logger.event('warn', 'fix.refused', { reason: 'cancel by neither requester nor approver', user, hash: request.hash });
      await say(':no_entry: Only whoever asked for this fix, or an approver, can cancel it.');
      return;
    }
    const cancelled = await deps.store.updateFixRequest(request.hash, request.id, ['pending'], { state: 'cancelled', closedBy: user });
    if (!cancelled) {
      await say('This fix is no longer waiting for approval, so there is nothing to cancel.');
      return;
    }
    deps.logger.event('info', 'fix.cancelled', { user, hash: request.hash, uuid: request.target.uuid });
    await editRequest(deps, cancelled);
  });
}
