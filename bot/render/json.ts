import type { Report } from '../model/report';

/** Exactly one Report, as the contract describes it: what `--format json` prints and automation parses. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
