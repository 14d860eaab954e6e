import type { Finding, Report } from './report';

/** The finding the engine named as the most likely cause (`Report.cause`): renderers read it, never re-derive it. */
export function causeOf(report: Pick<Report, 'cause' | 'findings'>): Finding | undefined {
  return report.cause ? report.findings.find((f) => f.check === report.cause) : undefined;
}

/** Lambda's message up to the end of its first sentence ("PROBLEM: Connection error."), and whether more follows. */
export function firstSentence(text: string): { sentence: string; more: boolean } {
  const m = /^(.*?[.!?])(\s+)(?=\S)/s.exec(text);
  if (!m) return { sentence: text, more: false };
  return { sentence: m[1]!, more: true };
}
