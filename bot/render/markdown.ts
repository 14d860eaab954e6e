/** Report → Markdown, for tickets, pull requests and incident notes. */
import { changesLines } from './changes';
import type { Report } from '../model/report';
import { STEP_NAMES } from '../model/report';
import { mostLikelyCause } from '../checks/engine';
import { byStep, countByStatus, functionName, STATUS_MARK } from './text';

/** Escapes what would break a table cell or start markup. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const esm = report.esm;
  out.push(`# ESM ${report.target.uuid}: ${report.verdict}`, '', `**${report.headline}**`, '');
  const facts: Array<[string, string | undefined]> = [
    ['Region', report.target.region],
    ['Account', report.target.account],
    ['Function', esm ? functionName(esm.functionArn) : undefined],
    ['Topic', esm?.topics.join(', ')],
    ['Source', esm ? (esm.clusterArn ?? esm.bootstrapServers?.join(', ')) : undefined],
    ['Auth', esm?.auth],
    ['State', esm ? `${esm.state}${esm.stateTransitionReason ? ` (${esm.stateTransitionReason})` : ''}` : undefined],
  ];
  for (const [k, v] of facts) if (v) out.push(`- **${k}:** \`${v}\``);
  if (esm?.lastProcessingResult) out.push('', '> Lambda says:', `> ${esm.lastProcessingResult}`);

  const fails = report.findings.filter((f) => f.status === 'fail');
  const cause = mostLikelyCause(report.findings);
  if (fails.length) {
    out.push('', '## What is broken');
    for (const f of fails) {
      const where = f.step > 0 ? `step ${f.step} of 9, ${STEP_NAMES[f.step]}` : STEP_NAMES[0];
      out.push('', `### ${f.title}${f === cause ? ' (most likely cause)' : ''}`, '', `\`${f.check}\` · ${where}`, '', f.detail);
      if (f.fix) out.push('', `**Fix:** ${f.fix}`);
      if (f.resources?.length) out.push('', `Resources: ${f.resources.map((r) => `\`${r}\``).join(', ')}`);
      if (f.docs) out.push('', `Docs: ${f.docs}`);
    }
  }
  const changed = changesLines(report);
  if (changed) out.push('', `## ${changed.title}`, '', ...changed.lines.map((l) => `- ${l}`));

  out.push('', '## All checks', '', '| step | status | check | finding |', '|---|---|---|---|');
  for (const [step, findings] of byStep(report.findings)) {
    for (const f of findings) {
      out.push(`| ${step} ${cell(STEP_NAMES[step])} | ${STATUS_MARK[f.status]} ${f.status} | \`${f.check}\` | ${cell(f.title)} |`);
    }
  }
  out.push('', `_${countByStatus(report.findings)} · ${report.durationMs} ms · ${report.startedAt}_`, '');
  return out.join('\n');
}
