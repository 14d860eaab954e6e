/** Short messages: usage, progress, notices. */
import type { KnownBlock } from '@slack/types';
import type { Target } from '../../model/target';
import { enforceLimits, escapeMrkdwn, fitText, SLACK_LIMITS, type SlackMessage } from '../limits';
import { mrkdwn } from './text';

export const USAGE = [
  '*Usage*',
  '`/esm diagnose &lt;uuid|arn&gt; [region]` — find out why a Kafka event source mapping fails, and how to fix it',
  '`/esm help` — this message',
  'Examples: `/esm diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2 eu-west-1` · `/esm diagnose arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2`',
].join('\n');

export function renderUsage(problem?: string, defaultRegion?: string): SlackMessage {
  const region = defaultRegion ? `\nWithout a region or an ARN, the region is *${escapeMrkdwn(defaultRegion)}*.` : '';
  const blocks: KnownBlock[] = [];
  if (problem) blocks.push(mrkdwn(fitText(`:warning: ${escapeMrkdwn(problem)}`, SLACK_LIMITS.sectionText)));
  blocks.push(mrkdwn(`${USAGE}${region}`));
  return enforceLimits({ text: problem ? escapeMrkdwn(problem) : 'How to use /esm', blocks });
}

export function renderProgress(target: Target): SlackMessage {
  const text = `:hourglass_flowing_sand: Diagnosing \`${escapeMrkdwn(target.uuid)}\` in ${escapeMrkdwn(target.region)}… the report will appear in this channel.`;
  return { text, blocks: [mrkdwn(text)] };
}

/** One line for the person who clicked or typed: a refusal, a problem, an apology. */
export function renderNotice(text: string): SlackMessage {
  const fitted = fitText(text, SLACK_LIMITS.sectionText);
  return { text: fitted, blocks: [mrkdwn(fitted)] };
}
