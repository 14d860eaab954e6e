import type { Finding, Report } from './report';
import { mostLikelyCause } from '../checks/engine';

/**
 * The finding the engine named as the most likely cause (`Report.cause`): renderers read it, never
 * re-derive it. Only a report stored before `cause` existed (an alert's last report in the store)
 * has none; for that one the engine's own rule is applied, so an upgrade does not blank the cause.
 */
export function causeOf(report: Pick<Report, 'cause' | 'findings'>): Finding | undefined {
  if ('cause' in report && report.cause !== undefined) return report.findings.find((f) => f.check === report.cause);
  return mostLikelyCause(report.findings);
}

/** Lambda's message up to the end of its first sentence ("PROBLEM: Connection error."), and whether more follows. */
export function firstSentence(text: string): { sentence: string; more: boolean } {
  const m = /^(.*?[.!?])(\s+)(?=\S)/s.exec(text);
  if (!m) return { sentence: text, more: false };
  return { sentence: m[1]!, more: true };
}
