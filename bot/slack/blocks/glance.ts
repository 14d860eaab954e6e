/**
 * The top of the message, what answers "what is wrong" at a glance: the header, the notes under it
 * (alert line, re-runs, fixes), the facts line and what Lambda itself says.
 */
import type { KnownBlock } from '@slack/types';
import type { Finding, Report } from '../../model/report';
import { summariseDiff, type ReportDiff } from '../diff';
import { escapeMrkdwn, fitText, SLACK_LIMITS } from '../limits';
import type { RenderOptions, SlackReport, Stamp } from './options';
import { clusterName, code, context, functionLabel, mrkdwn, slackDate, subject, userMention, VERDICT } from './text';

const user = userMention;

export function headerBlock(report: Report, cause: Finding | undefined): KnownBlock {
  const v = VERDICT[report.verdict];
  // plain_text: shown as written, so nothing is escaped here.
  const what = cause ? cause.title : subject(report);
  return {
    type: 'header',
    text: { type: 'plain_text', emoji: true, text: fitText(`${v.emoji} ${v.label}: ${what}`, SLACK_LIMITS.headerText) },
  };
}

export function notesBlocks(options: RenderOptions): KnownBlock[] {
  const blocks: KnownBlock[] = (options.preface ?? []).map((line) => context(fitText(line, SLACK_LIMITS.contextElementText)));
  if (options.fixed) {
    const f = options.fixed;
    const texts = [
      `:wrench: *Fix applied* for \`${escapeMrkdwn(f.check)}\` · asked by ${user(f.requestedBy)}, approved by ${user(f.approvedBy)} ${slackDate(f.at)} · re-diagnosed: *${f.diff ? summariseDiff(f.diff) : 'see below'}*`,
    ];
    blocks.push(context(...texts));
  }
  if (options.pending) {
    const what = options.pending.probe ? 'Running the checks and the live probe' : 'Re-running the checks';
    blocks.push(context(`:hourglass_flowing_sand: ${what} for ${user(options.pending.by)}…`));
  }
  if (options.rerun) {
    const { diff } = options.rerun;
    const by = `${options.rerun.probe ? ':satellite_antenna: Live probe' : ':repeat: Re-run'} by ${user(options.rerun.by)} ${slackDate(options.rerun.at)}`;
    if (!diff) {
      blocks.push(context(`${by}: no earlier run of this message to compare with`));
      return blocks;
    }
    const texts = [`${by}: *${summariseDiff(diff)}*`];
    const list = (label: string, changes: ReportDiff['fixed'], arrow: boolean) =>
      changes.length
        ? `${label}: ${changes
            .map((c) => `\`${c.check}\`${arrow && c.before && c.after ? ` (${c.before} → ${c.after})` : ''}`)
            .join(', ')}`
        : undefined;
    const detail = [list('Fixed', diff.fixed, false), list('New', diff.appeared, false), list('Changed', diff.changed, true)]
      .filter((t): t is string => t !== undefined)
      .join(' · ');
    if (detail) texts.push(fitText(detail, SLACK_LIMITS.contextElementText));
    blocks.push(context(...texts));
  }
  return blocks;
}

/** Where the Acknowledge button was: who acknowledged it and when. */
export function ackStamp(stamp: Stamp): string {
  return `:white_check_mark: Acknowledged by ${user(stamp.by)} ${slackDate(stamp.at)} · no re-alert for this cause until it recovers`;
}

export function facts(report: SlackReport): string[] {
  const out: string[] = [];
  const topics = report.esm?.topics ?? [];
  out.push(topics.length ? `*${escapeMrkdwn(functionLabel(report))}* ← ${topics.map(code).join(', ')}` : `*${escapeMrkdwn(functionLabel(report))}*`);
  if (report.target.account) out.push(`Account *${escapeMrkdwn(report.target.account)}*`);
  out.push(`Region *${escapeMrkdwn(report.target.region)}*`);
  out.push(`ESM ${code(report.target.uuid)}`);
  const esm = report.esm;
  if (esm?.clusterArn) out.push(`MSK cluster *${escapeMrkdwn(clusterName(esm.clusterArn))}*`);
  else if (esm?.bootstrapServers?.length) out.push(`Brokers ${esm.bootstrapServers.map(code).join(', ')}`);
  else if (esm) out.push(esm.source === 'msk' ? 'Amazon MSK' : 'Self-managed Kafka');
  if (report.pollerMode) out.push(report.pollerMode === 'provisioned' ? 'Provisioned mode' : 'On-demand mode');
  if (esm) out.push(`Auth *${escapeMrkdwn(esm.auth)}*`);
  return out;
}

/** "PROBLEM: Connection error. Please check …" → "PROBLEM: Connection error." (and the rest). */
export function firstSentence(text: string): { first: string; rest: string } {
  const m = /^([\s\S]*?[.!?])(\s+)(?=\S)/.exec(text);
  if (!m || m[1]!.length < 8) return { first: text, rest: '' };
  return { first: m[1]!, rest: text.slice(m[0].length) };
}

export function lambdaSaysBlocks(report: Report): KnownBlock[] {
  const esm = report.esm;
  if (!esm) return [];
  const said = esm.lastProcessingResult ? firstSentence(esm.lastProcessingResult) : undefined;
  const quote = said ? `>${escapeMrkdwn(fitText(said.first, 600)).replace(/\n/g, '\n>')}` : '_No processing result reported yet._';
  const reason = esm.stateTransitionReason ? ` (${escapeMrkdwn(esm.stateTransitionReason)})` : '';
  const blocks: KnownBlock[] = [mrkdwn(`*What Lambda says* · state *${escapeMrkdwn(esm.state)}*${reason}\n${quote}`)];
  if (said?.rest) {
    blocks.push(context(`_Full message:_ ${escapeMrkdwn(fitText(esm.lastProcessingResult!, SLACK_LIMITS.contextElementText - 200))}`));
  }
  return blocks;
}
