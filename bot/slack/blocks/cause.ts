/** The most likely cause with its evidence and remedy, then the other problems one line each. */
import type { KnownBlock } from '@slack/types';
import type { Finding, Report, Step } from '../../model/report';
import { STEP_NAMES } from '../../model/report';
import { isProblem } from '../diff';
import { escapeMrkdwn, fitLines, fitText, SLACK_LIMITS } from '../limits';
import { remedyBlocks } from './remedy';
import { code, context, mrkdwn, STATUS_ICON, STATUS_RANK } from './text';

function stepLabel(step: Step): string {
  return step === 0 ? `ESM status (what Lambda reports)` : `step ${step} of 9 — ${STEP_NAMES[step]}`;
}

/**
 * The evidence as a few short lines: the check's detail, one sentence or list item a line, at
 * most `max` lines; what does not fit is counted, never cut mid-word.
 */
export function evidenceLines(detail: string, max = 4): string[] {
  const sentences = detail
    .split('\n')
    .flatMap((line) => (/^\s*[-•*] /.test(line) ? [line] : line.split(/(?<=\.)\s+(?=[A-Z"'(])/)))
    .map((s) => s.trim().replace(/^[-•*]\s+/, ''))
    .filter(Boolean);
  const kept = sentences.slice(0, max).map((s) => `• ${escapeMrkdwn(fitText(s, 320))}`);
  if (sentences.length > max) kept.push(`_…and ${sentences.length - max} more (the CLI shows the whole evidence)_`);
  return kept;
}


export function causeBlocks(report: Report, cause: Finding | undefined): KnownBlock[] {
  if (!cause) {
    return [mrkdwn(fitText(`*${escapeMrkdwn(report.headline)}*`, SLACK_LIMITS.sectionText))];
  }
  const head = `*Most likely cause — ${stepLabel(cause.step)}*\n${STATUS_ICON[cause.status]} *${escapeMrkdwn(cause.title)}*`;
  const blocks: KnownBlock[] = [mrkdwn(`${head}\n${fitLines(evidenceLines(cause.detail), SLACK_LIMITS.sectionText - head.length - 1, (n) => `_…and ${n} more_`)}`)];
  blocks.push(...remedyBlocks(cause));
  const footer = [`check \`${escapeMrkdwn(cause.check)}\``];
  if (cause.resources?.length) {
    const shown = cause.resources.slice(0, 3).map((r) => code(fitText(r, 200)));
    footer.push(`resources ${shown.join(', ')}${cause.resources.length > 3 ? ` and ${cause.resources.length - 3} more` : ''}`);
  }
  if (cause.docs && /^https:\/\/[^\s<>|]+$/.test(cause.docs)) footer.push(`<${cause.docs}|AWS documentation>`);
  blocks.push(context(footer.join(' · ')));
  return blocks;
}

export function othersBlock(report: Report, cause: Finding | undefined): KnownBlock | undefined {
  const others = report.findings
    .filter((f) => f !== cause && isProblem(f.status))
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.step - b.step);
  if (!others.length) return undefined;
  const heading = cause ? '*Also found*' : '*Found*';
  const lines = others.map(
    (f) => `${STATUS_ICON[f.status]} *${escapeMrkdwn(fitText(f.title, 200))}* — step ${f.step} · \`${escapeMrkdwn(f.check)}\``,
  );
  return mrkdwn(
    `${heading}\n${fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1, (n) => `_…and ${n} more (the CLI lists them all)_`)}`,
  );
}
