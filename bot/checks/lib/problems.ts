/**
 * Checks that look at several things at once (every secret of an ESM, every bootstrap entry)
 * collect what they find as problems and turn them into one Outcome: the worst severity wins
 * (fail, then error, then warn), every problem's evidence and fix is kept.
 */
import { fixFields, type Outcome } from '../check';
import type { Remedy } from '../../model/report';
import { mergeRemedies } from './remedy';

export type Severity = 'fail' | 'error' | 'warn';

export interface Problem {
  severity: Severity;
  /** One line, as a finding title. */
  title: string;
  /** The evidence, naming the resource. */
  detail: string;
  /** Prose only; a fix with commands or documents is a `remedy`. */
  fix?: string;
  remedy?: Remedy;
  resources?: string[];
}

const RANK: Record<Severity, number> = { fail: 0, error: 1, warn: 2 };

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/**
 * The Outcome for a list of problems; `whenClean` is the pass (or skip) to return when there is none.
 * `notes` are sentences appended to the detail either way (what was checked, what was not).
 */
export function outcomeOf(problems: Problem[], whenClean: Outcome, notes: string[] = []): Outcome {
  if (problems.length === 0) {
    return notes.length ? { ...whenClean, detail: [whenClean.detail, ...notes].join(' ') } : whenClean;
  }
  const sorted = [...problems].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const worst = sorted[0]!;
  const others = sorted.length - 1;
  const title = others > 0 ? `${worst.title} (+${others} more)` : worst.title;
  const detail = [...sorted.map((p) => p.detail), ...notes].join('\n');
  const remedy = mergeRemedies(sorted.map((p) => p.remedy ?? (p.fix ? { summary: p.fix } : undefined)));
  const resources = unique(sorted.flatMap((p) => p.resources ?? []));
  return {
    status: worst.severity,
    title,
    detail,
    ...fixFields(remedy),
    ...(resources.length ? { resources } : {}),
  };
}

/** "1 minute", "42 minutes", "3 hours". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}
