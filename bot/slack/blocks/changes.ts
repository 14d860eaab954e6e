/**
 * Report.changes in a Slack message: "Changed 12 min before the failure: RevokeSecurityGroupIngress
 * on sg-… by arn:…", newest first, or the note saying why the lookup could not run. The lines are the
 * text renderer's (bot/render/changes.ts), so the CLI and Slack say the same thing.
 */
import type { KnownBlock } from '@slack/types';
import type { Report } from '../../model/report';
import { changesLines } from '../../render/changes';
import { escapeMrkdwn, fitLines, SLACK_LIMITS } from '../limits';

export function changesBlock(report: Report): KnownBlock | undefined {
  const section = changesLines(report);
  if (!section) return undefined;
  const heading = `*${section.title}*`;
  const lines = section.lines.map((line) => `:pencil2: ${escapeMrkdwn(line)}`);
  const text = `${heading}\n${fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1, (n) => `_…and ${n} more (the CLI lists them all)_`)}`;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
