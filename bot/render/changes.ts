/**
 * The "what changed" section (Report.changes) as plain lines, shared by the text and markdown
 * renderers: the newest change first, in the words an on-call engineer reads at 3 a.m.
 */
import type { Report } from '../model/report';
import { changeLine } from '../impact/changes';

/** How many changes a report lists; the rest are counted. */
export const MAX_CHANGES_SHOWN = 5;

export function changesLines(report: Report): { title: string; lines: string[] } | undefined {
  const changes = report.changes ?? [];
  if (changes.length === 0 && !report.changesNote) return undefined;
  const lines = changes.slice(0, MAX_CHANGES_SHOWN).map((c) => changeLine(c, report.startedAt));
  if (changes.length > MAX_CHANGES_SHOWN) lines.push(`… and ${changes.length - MAX_CHANGES_SHOWN} earlier change${changes.length - MAX_CHANGES_SHOWN === 1 ? '' : 's'} (CloudTrail event history)`);
  if (changes.length === 0 && report.changes) lines.push('No management events on the failing resources in the window (CloudTrail event history).');
  if (report.changesNote) lines.push(report.changesNote);
  return { title: 'Changed before the failure', lines };
}
