/** The fix: the remedy's summary as prose, each document and each command in a code block of its own. */
import type { KnownBlock } from '@slack/types';
import type { Finding } from '../../model/report';
import { codeBlock, escapeMrkdwn, fitText, SLACK_LIMITS } from '../limits';
import { mrkdwn } from './text';

/**
 * A fix without a remedy (an older report, or a check not converted yet) writes commands as lines
 * indented by two spaces, or as a line of its own starting with `aws `; Slack drops indentation, so
 * each such command becomes a code block of its own.
 */
export function formatFix(fix: string): string {
  const out: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) out.push(codeBlock(lines.join('\n')) ?? lines.map(escapeMrkdwn).join('\n'));
    lines = [];
  };
  for (const line of fix.split('\n')) {
    if (/^ {2,}\S/.test(line) || /^aws [a-z0-9-]+ [a-z0-9-]+/.test(line)) {
      // One command a block, as for a remedy; a line ending in \ continues the same command.
      if (lines.length && !lines.at(-1)!.endsWith('\\')) flush();
      lines.push(line.trim());
    }
    else {
      flush();
      out.push(escapeMrkdwn(line));
    }
  }
  flush();
  return out.join('\n');
}

const CODE_BUDGET = SLACK_LIMITS.sectionText - 200;

/** A document as JSON in a code block: pretty-printed, or compact when pretty does not fit. */
function documentBlock(title: string, json: unknown): string {
  const heading = `_${escapeMrkdwn(fitText(title, 150))}_`;
  for (const text of [JSON.stringify(json, null, 2), JSON.stringify(json)]) {
    const block = text === undefined ? undefined : codeBlock(text);
    if (block && block.length <= CODE_BUDGET) return `${heading}\n${block}`;
  }
  return `${heading}\n_Too large to show in Slack whole: \`esm-doctor diagnose --format markdown\` prints it._`;
}

function commandBlock(command: string): string {
  const block = codeBlock(command);
  if (block && block.length <= CODE_BUDGET) return block;
  return `_A command too long to show in Slack whole: \`esm-doctor diagnose --format markdown\` prints it._`;
}

/** The fix: the remedy's summary as prose, then each document and each command in its own block. */
export function remedyBlocks(finding: Finding): KnownBlock[] {
  const remedy = finding.remedy;
  if (!remedy) {
    return finding.fix ? [mrkdwn(fitText(`*Fix:* ${formatFix(finding.fix)}`, SLACK_LIMITS.sectionText))] : [];
  }
  const blocks: KnownBlock[] = [];
  blocks.push(mrkdwn(fitText(`*Fix:* ${escapeMrkdwn(remedy.summary)}`.trim(), SLACK_LIMITS.sectionText)));
  for (const doc of remedy.documents ?? []) blocks.push(mrkdwn(documentBlock(doc.title, doc.json)));
  for (const command of remedy.commands ?? []) blocks.push(mrkdwn(commandBlock(command)));
  return blocks;
}
