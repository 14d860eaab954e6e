/** Report → Markdown, for tickets, pull requests and incident notes: commands and documents in fences. */
import type { Finding, Report } from '../model/report';
import { changesLines } from './changes';
import { STEP_NAMES } from '../model/report';
import { causeOf, firstSentence } from '../model/cause';
import { ALL_STEPS, byStep, countByStatus, functionName, STATUS_MARK, stepLabel } from './text';
import { trendLines } from './sparkline';

/** Escapes what would break a table cell or start markup. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A fence longer than any run of backticks inside, so a command or document can never close it early. */
export function fence(lang: string, body: string): string[] {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return [`${ticks}${lang}`, body, ticks];
}

function findingSection(f: Finding, heading: string): string[] {
  const out = ['', `${heading} ${f.title}`, '', `\`${f.check}\` · ${stepLabel(f.step, ', ')}`, ''];
  out.push(...f.detail.split('\n'));
  const remedy = f.remedy ?? (f.fix ? { summary: f.fix } : undefined);
  if (remedy) {
    out.push('', `**Fix:** ${remedy.summary}`);
    for (const command of remedy.commands ?? []) out.push('', ...fence('sh', command));
    for (const doc of remedy.documents ?? []) out.push('', `${doc.title}:`, '', ...fence('json', JSON.stringify(doc.json, null, 2)));
  }
  if (f.resources?.length) out.push('', `Resources: ${f.resources.map((r) => `\`${r}\``).join(', ')}`);
  if (f.docs) out.push('', `Docs: ${f.docs}`);
  return out;
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

  const cause = causeOf(report);
  // When a setup step is the cause, Lambda's message is its symptom: one line, not a second paragraph.
  const explained = cause && cause.check !== 'esm.last-result' ? report.findings.find((f) => f.check === 'esm.last-result' && f.status === 'fail') : undefined;
  if (cause) out.push(...findingSection(cause, '## Most likely cause:'));
  if (explained) out.push('', `Lambda's message (${firstSentence(explained.title).sentence}) is explained by \`${cause!.check}\`.`);
  const others = report.findings.filter((f) => f.status === 'fail' && f !== cause && f !== explained);
  if (others.length) {
    out.push('', cause ? '## Also broken' : '## What is broken');
    for (const f of others) out.push(...findingSection(f, '###'));
  }
  const warnings = report.findings.filter((f) => f.status === 'warn' && (f.remedy || f.fix));
  if (warnings.length) {
    out.push('', '## Warnings');
    for (const f of warnings) out.push(...findingSection(f, '###'));
  }
  const changed = changesLines(report);
  if (changed) out.push('', `## ${changed.title}`, '', ...changed.lines.map((l) => `- ${l}`));

  out.push(...trendMarkdown(report));

  out.push('', '## All checks', '', '| step | status | check | finding |', '|---|---|---|---|');
  const groups = new Map(byStep(report.findings));
  for (const step of ALL_STEPS) {
    const findings = groups.get(step) ?? [];
    if (step === 0 && findings.length === 0) continue;
    if (findings.length === 0) out.push(`| ${step} ${cell(STEP_NAMES[step])} | | | no checks |`);
    for (const f of findings) {
      out.push(`| ${step} ${cell(STEP_NAMES[step])} | ${STATUS_MARK[f.status]} ${f.status} | \`${f.check}\` | ${cell(f.title)} |`);
    }
  }
  out.push('', `_${countByStatus(report.findings)} · ${report.durationMs} ms · ${report.startedAt}_`, '');
  return out.join('\n');
}

/** The progress trends as a fenced block (sparklines keep their alignment in a monospace font). */
function trendMarkdown(report: Report): string[] {
  const rows = trendLines(report);
  return rows.length ? ['', '## Trend', '', '```', ...rows, '```'] : [];
}
