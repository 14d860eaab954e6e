/** The overview under the cause: the trend sparklines, every step's worst status, the run time. */
import type { KnownBlock } from '@slack/types';
import type { Finding, Report, Status, Step } from '../../model/report';
import { fitText, SLACK_LIMITS } from '../limits';
import { trendLines } from '../../render/sparkline';
import { mrkdwn, STATUS_ICON, STATUS_RANK } from './text';

const ALL_STEPS: Step[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * Every step on one line, by its worst status; a step no check covers says so ("7 no checks")
 * instead of disappearing, so that a gap never reads as a pass.
 */
export function stepLine(findings: Finding[]): string {
  const parts = ALL_STEPS.map((step) => {
    const here = findings.filter((f) => f.step === step);
    if (!here.length) return `${step} _no checks_`;
    const worst = here.reduce((w, f) => (STATUS_RANK[f.status] < STATUS_RANK[w] ? f.status : w), 'skip' as Status);
    return `${step} ${STATUS_ICON[worst]}`;
  });
  const counts = (['fail', 'error', 'warn', 'pass', 'skip'] as const)
    .map((s) => [s, findings.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return `*All checks by step:* ${parts.join(' · ')} — ${findings.length} checks: ${counts}`;
}

/** "in 8.4 s", or "in 37 ms" for an offline run that takes less than a tenth of a second. */
export function formatRunTime(ms: number): string {
  if (ms < 100) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

// Trend (progress metrics): the lag and error sparklines, in a code span so they keep their alignment

export function trendBlock(report: Report): KnownBlock | undefined {
  const rows = trendLines(report, 24);
  if (!rows.length) return undefined;
  return mrkdwn(fitText(`*Trend*\n\`\`\`${rows.join('\n')}\`\`\``, SLACK_LIMITS.sectionText));
}
