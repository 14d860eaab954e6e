/**
 * Report → Slack message (Block Kit). Pure: no clock, no I/O; everything that changes between two
 * renders (the signed button value, who re-ran or acknowledged it and when) comes in `options`.
 *
 * Layout, top to bottom, so that the first lines answer "what is wrong" at a glance:
 *   header        the status and the cause in plain words ("Failing: No cluster security group …")
 *   notes         alert line and history, re-running… / re-run by, what changed
 *   context       function ← topic · account · region · ESM · cluster or brokers · mode · auth
 *   Lambda says   LastProcessingResult's first sentence and the state; the full message under it
 *   cause         "step N of 9 — <name>", the evidence as short lines
 *   remedy        the summary as prose, then each document and each command in its own code block
 *   changed       what changed before the failure (CloudTrail), when the deployment looks it up
 *   also          the other fails, warnings and checks that could not run, one line each
 *   by step       one line: every step's worst status, step 7 included ("no checks")
 *   buttons       Re-run checks · Acknowledge (or the stamp, once acknowledged) · console links
 */
import type { KnownBlock } from '@slack/types';
import { causeOf as causeFinding } from '../../model/cause';
import type { Report } from '../../model/report';
import { enforceLimits, escapeMrkdwn, type SlackMessage } from '../limits';
import { actionsBlock } from './buttons';
import { causeBlocks, othersBlock } from './cause';
import { changesBlock } from './changes';
import { ackStamp, facts, headerBlock, lambdaSaysBlocks, notesBlocks } from './glance';
import type { RenderOptions, SlackReport } from './options';
import { formatRunTime, stepLine, trendBlock } from './steps';
import { context, slackDate, subject, VERDICT } from './text';

function fallbackText(report: Report): string {
  const v = VERDICT[report.verdict];
  return `${v.label}: ${subject(report)} (ESM ${report.target.uuid}, ${report.target.region}) — ${report.headline}`;
}

export function renderReport(report: SlackReport, options: RenderOptions): SlackMessage {
  const cause = causeFinding(report);
  const blocks: KnownBlock[] = [headerBlock(report, cause), ...notesBlocks(options), context(...facts(report)), ...lambdaSaysBlocks(report)];
  blocks.push({ type: 'divider' }, ...causeBlocks(report, cause));
  const changed = changesBlock(report);
  if (changed) blocks.push(changed);
  const others = othersBlock(report, cause);
  if (others) blocks.push(others);
  const trend = trendBlock(report);
  if (trend) blocks.push(trend);
  blocks.push({ type: 'divider' });
  if (report.findings.length) blocks.push(context(stepLine(report.findings)));
  blocks.push(context(`Checked ${slackDate(report.startedAt)} in ${formatRunTime(report.durationMs)}`));
  if (options.acknowledged) blocks.push(context(ackStamp(options.acknowledged)));
  blocks.push(actionsBlock(report, options));
  return enforceLimits({ text: escapeMrkdwn(fallbackText(report)), blocks });
}
