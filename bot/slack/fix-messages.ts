/**
 * The remediation messages in a report's thread (Block Kit; pure):
 *   the request   who asked, the calls with what each changes, each call's undo, Approve · Cancel
 *   the outcome   who asked, who approved, what was called, the undo commands, the re-diagnosis
 * The request message is edited as the request moves on (approved, applied, cancelled, expired),
 * so the thread always says where it stands; the buttons disappear once it is no longer pending.
 */
import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { FixPlan } from '../model/fix-plan';
import type { Verdict } from '../model/report';
import { ACTION_IDS, slackDate, userMention } from './blocks';
import { codeBlock, enforceLimits, escapeMrkdwn, fitText, SLACK_LIMITS, type SlackMessage } from './limits';
import type { FixRequest } from './store';

function mrkdwn(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.sectionText) } };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.contextElementText) }] };
}

const CODE_BUDGET = SLACK_LIMITS.sectionText - 300;

function command(label: string, text: string): string {
  const block = codeBlock(text);
  return block && block.length <= CODE_BUDGET ? `${label}\n${block}` : `${label} _(too long for Slack: \`esm-doctor fix --dry-run\` prints it)_`;
}

/** Each call with what it changes, and its undo, as a reviewer reads them. */
export function planBlocks(plan: FixPlan): KnownBlock[] {
  return plan.steps.flatMap((step, i) => [
    mrkdwn(`*${i + 1}. ${escapeMrkdwn(step.call.service)}:${escapeMrkdwn(step.call.operation)}* — ${escapeMrkdwn(step.effect)}\n${command('', step.command).trim()}`),
    mrkdwn(command(`_Undo (${escapeMrkdwn(step.undo.service)}:${escapeMrkdwn(step.undo.operation)}):_`, step.undoCommand)),
  ]);
}

function approversText(approvers: { users: string[]; groups: string[] }): string {
  const who = [...approvers.users.map(userMention), ...approvers.groups.map((g) => `<!subteam^${g}>`)];
  return who.length ? who.join(', ') : 'an approver';
}

const STATE_LINE: Record<FixRequest['state'], (r: FixRequest) => string> = {
  pending: (r) => `:hourglass_flowing_sand: Waiting for approval · expires ${slackDate(r.expiresAt)}`,
  approved: (r) => `:white_check_mark: Approved by ${userMention(r.approvedBy ?? '?')} ${slackDate(r.approvedAt ?? r.requestedAt)} · applying…`,
  applying: (r) => `:gear: Approved by ${userMention(r.approvedBy ?? '?')} ${slackDate(r.approvedAt ?? r.requestedAt)} · applying…`,
  applied: (r) => `:white_check_mark: Applied · approved by ${userMention(r.approvedBy ?? '?')} ${slackDate(r.approvedAt ?? r.requestedAt)}${r.outcome ? ` · ${escapeMrkdwn(r.outcome)}` : ''}`,
  failed: (r) => `:x: Failed while applying · approved by ${userMention(r.approvedBy ?? '?')}${r.outcome ? ` · ${escapeMrkdwn(r.outcome)}` : ''}`,
  refused: (r) => `:no_entry: Not applied${r.outcome ? `: ${escapeMrkdwn(r.outcome)}` : ''}`,
  cancelled: (r) => `:heavy_multiplication_x: Withdrawn by ${userMention(r.closedBy ?? '?')}; nothing was changed`,
  expired: () => ':hourglass: Expired after 15 minutes without approval; nothing was changed. Press *Fix it* again for a new request.',
};

/** The request in the thread; `buttons` are the signed Approve / Cancel value, while it is pending. */
export function renderFixRequest(
  request: FixRequest,
  options: { decisionValue?: string; approvers: { users: string[]; groups: string[] } },
): SlackMessage {
  const plan = request.plan;
  const blocks: KnownBlock[] = [
    mrkdwn(
      `:wrench: *Fix requested* by ${userMention(request.requestedBy)} for \`${escapeMrkdwn(plan.check)}\` on ESM \`${escapeMrkdwn(plan.esm.uuid)}\` (${escapeMrkdwn(plan.esm.region)}). ` +
        `esm-doctor will make these ${plan.steps.length === 1 ? 'call' : `${plan.steps.length} calls`} with its remediation role, then diagnose again:`,
    ),
    ...planBlocks(plan),
    context(`plan \`${plan.hash.slice(0, 12)}\` (${escapeMrkdwn(plan.kind)}) · approval by ${approversText(options.approvers)}, not the requester · ${STATE_LINE[request.state](request)}`),
  ];
  if (request.state === 'pending' && options.decisionValue) {
    const actions: ActionsBlock = {
      type: 'actions',
      block_id: 'esm_fix_decision',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.fixApprove,
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value: options.decisionValue,
          confirm: {
            title: { type: 'plain_text', text: 'Apply this fix?' },
            text: { type: 'mrkdwn', text: fitText(`esm-doctor will call ${plan.steps.map((s) => `${s.call.service}:${s.call.operation}`).join(', ')} in account ${plan.esm.account ?? 'of the ESM'}.`, 300) },
            confirm: { type: 'plain_text', text: 'Approve and apply' },
            deny: { type: 'plain_text', text: 'Not yet' },
          },
        },
        { type: 'button', action_id: ACTION_IDS.fixCancel, text: { type: 'plain_text', text: 'Cancel' }, style: 'danger', value: options.decisionValue },
      ],
    };
    blocks.push(actions);
  }
  return enforceLimits({ text: `Fix requested by ${request.requestedBy} for ${plan.check} (ESM ${plan.esm.uuid})`, blocks });
}

const VERDICT_WORDS: Record<Verdict, string> = {
  healthy: ':large_green_circle: *healthy*',
  'at-risk': ':large_yellow_circle: *at risk*',
  failing: ':red_circle: *still failing*',
  unknown: ':white_circle: *unknown*',
};

/** The record once applied (or failed): who asked and approved, what was called, how to undo it. */
export function renderFixOutcome(
  request: FixRequest,
  result: { calls: string[]; error?: string; verdict?: Verdict; headline?: string },
): SlackMessage {
  const plan = request.plan;
  const head = result.error
    ? `:x: *The fix failed* after ${result.calls.length} of ${plan.steps.length} calls: ${escapeMrkdwn(fitText(result.error, 500))}`
    : `:white_check_mark: *Fix applied* for \`${escapeMrkdwn(plan.check)}\`; the ESM is now ${result.verdict ? VERDICT_WORDS[result.verdict] : 'not re-diagnosed'}${result.headline && result.verdict !== 'healthy' ? ` — ${escapeMrkdwn(fitText(result.headline, 400))}` : ''}`;
  const blocks: KnownBlock[] = [
    mrkdwn(head),
    context(`Asked by ${userMention(request.requestedBy)} ${slackDate(request.requestedAt)} · approved by ${userMention(request.approvedBy ?? '?')} ${slackDate(request.approvedAt ?? request.requestedAt)} · plan \`${plan.hash.slice(0, 12)}\``),
  ];
  const made = plan.steps.slice(0, result.calls.length);
  if (made.length) {
    blocks.push(mrkdwn(command('*Called:*', made.map((s) => s.command).join('\n'))));
    blocks.push(mrkdwn(command('*To undo:*', [...made].reverse().map((s) => s.undoCommand).join('\n'))));
  } else {
    blocks.push(context('Nothing was changed.'));
  }
  return enforceLimits({ text: result.error ? `The fix for ${plan.check} failed` : `Fix applied for ${plan.check}`, blocks });
}
