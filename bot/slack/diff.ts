/**
 * What changed between two runs of the checks on the same ESM, by check id and status — the line a
 * re-run shows ("2 fixed, 1 new") so the person who just changed a security group sees the effect.
 */
import type { Finding, Report, Status, Verdict } from '../model/report';
import { causeOf as causeFinding } from '../model/cause';

/** A finding that needs attention: it breaks the ESM, risks it, or could not be checked. */
export function isProblem(status: Status): boolean {
  return status === 'fail' || status === 'warn' || status === 'error';
}

export interface CheckChange {
  check: string;
  title: string;
  before?: Status;
  after?: Status;
}

export interface ReportDiff {
  /** Problems before, not any more (now pass / skip, or the check no longer ran). */
  fixed: CheckChange[];
  /** Problems now that were not problems before. */
  appeared: CheckChange[];
  /** Problems both times, with a different status (warn → fail, fail → error, ...). */
  changed: CheckChange[];
  /** Problems both times with the same status. */
  unchanged: CheckChange[];
  verdict: { before: Verdict; after: Verdict };
}

function byCheck(findings: Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) if (!map.has(f.check)) map.set(f.check, f);
  return map;
}

export function diffReports(previous: Report, current: Report): ReportDiff {
  const before = byCheck(previous.findings);
  const after = byCheck(current.findings);
  const diff: ReportDiff = {
    fixed: [],
    appeared: [],
    changed: [],
    unchanged: [],
    verdict: { before: previous.verdict, after: current.verdict },
  };
  for (const [check, now] of after) {
    const then = before.get(check);
    const change: CheckChange = { check, title: now.title, ...(then ? { before: then.status } : {}), after: now.status };
    const wasProblem = then !== undefined && isProblem(then.status);
    if (isProblem(now.status)) {
      if (!wasProblem) diff.appeared.push(change);
      else if (then.status !== now.status) diff.changed.push(change);
      else diff.unchanged.push(change);
    } else if (wasProblem) {
      diff.fixed.push(change);
    }
  }
  for (const [check, then] of before) {
    if (!after.has(check) && isProblem(then.status)) diff.fixed.push({ check, title: then.title, before: then.status });
  }
  return diff;
}

/** "2 fixed, 1 new", "no change", ... */
export function summariseDiff(diff: ReportDiff): string {
  const parts: string[] = [];
  if (diff.fixed.length) parts.push(`${diff.fixed.length} fixed`);
  if (diff.appeared.length) parts.push(`${diff.appeared.length} new`);
  if (diff.changed.length) parts.push(`${diff.changed.length} changed`);
  const summary = parts.length ? parts.join(', ') : 'no change';
  const still = diff.unchanged.length ? `, ${diff.unchanged.length} unchanged` : '';
  const verdict = diff.verdict.before !== diff.verdict.after ? ` (${diff.verdict.before} → ${diff.verdict.after})` : '';
  return `${summary}${parts.length ? still : ''}${verdict}`;
}

/**
 * The cause an acknowledgement is about: the most likely cause's check id when the ESM fails, the
 * first warning's when it is at risk, otherwise the verdict itself. Acknowledging "failing because
 * of network.sg-broker-ingress" says nothing about a later failure in auth.mode.
 */
export function causeOf(report: Report): string {
  const cause = causeFinding(report);
  if (cause) return cause.check;
  const warn = report.findings.find((f) => f.status === 'warn');
  if (warn) return warn.check;
  return `verdict:${report.verdict}`;
}
