/**
 * Report → terminal text: the verdict and what Lambda says first, then every fail with its evidence
 * and fix, then all checks grouped by setup step. Colour only when asked (a TTY without NO_COLOR).
 */
import type { Finding, Remedy, Report, Status, Step } from '../model/report';
import { STEP_NAMES } from '../model/report';
import { causeOf, firstSentence } from '../model/cause';
import { trendLines } from './sparkline';
import { changesLines } from './changes';

export interface TextOptions {
  color?: boolean;
  /** Wrap width for prose (the terminal's columns; 80 when unknown); 0 = no wrapping. Commands and JSON never wrap. */
  width?: number;
  /** Leave out the per-step listing of every check (the fails and the counts stay). */
  summary?: boolean;
}

const ANSI = { red: 31, yellow: 33, green: 32, grey: 90, cyan: 36, bold: 1, magenta: 35 } as const;
type Colour = keyof typeof ANSI;

export const STATUS_MARK: Record<Status, string> = { fail: '✖', error: '!', warn: '▲', pass: '✓', skip: '–' };
const STATUS_COLOUR: Record<Status, Colour> = { fail: 'red', error: 'magenta', warn: 'yellow', pass: 'green', skip: 'grey' };
const VERDICT_COLOUR: Record<Report['verdict'], Colour> = { failing: 'red', 'at-risk': 'yellow', healthy: 'green', unknown: 'magenta' };

export const DEFAULT_WIDTH = 80;

/** The setup steps every summary lists, covered by a check or not. */
export const ALL_STEPS: Step[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** "step 4 of 9 · Network path to the brokers", or "ESM status". */
export function stepLabel(step: Step, sep = ' · '): string {
  return step > 0 ? `step ${step} of 9${sep}${STEP_NAMES[step]}` : STEP_NAMES[0];
}

/**
 * The evidence as short lines: the detail's own lines, each long paragraph cut at its sentences
 * (a sentence ends before a capital letter, so "0.0.0.0/0" or "e.g." stay whole).
 */
export function evidenceLines(detail: string): string[] {
  return detail
    .split('\n')
    .flatMap((line) => (line.startsWith('- ') ? [line] : line.split(/(?<=[.;])\s+(?=[A-Z])/)))
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The esm.last-result paragraph is generic: when a setup step is the cause, one line says what Lambda reported. */
function lambdaSaysExplained(report: Report, cause: Finding | undefined): Finding | undefined {
  if (!cause || cause.check === 'esm.last-result') return undefined;
  return report.findings.find((f) => f.check === 'esm.last-result' && f.status === 'fail');
}

export function renderText(report: Report, options: TextOptions = {}): string {
  const paint = (c: Colour, s: string) => (options.color ? `\u001b[${ANSI[c]}m${s}\u001b[0m` : s);
  const width = options.width ?? DEFAULT_WIDTH;
  const lines: string[] = [];
  const esm = report.esm;
  const cause = causeOf(report);
  const explained = lambdaSaysExplained(report, cause);

  lines.push(wrap(`${report.verdict.toUpperCase()}  ${report.headline}`, width).replace(report.verdict.toUpperCase(), paint(VERDICT_COLOUR[report.verdict], paint('bold', report.verdict.toUpperCase()))));
  const where = [
    `ESM ${report.target.uuid}`,
    report.target.region,
    report.target.account,
    esm ? `${esm.source === 'msk' ? 'MSK' : 'self-managed Kafka'}` : undefined,
    esm ? `auth: ${esm.auth}` : undefined,
  ].filter(Boolean);
  lines.push(paint('grey', wrap(where.join(' · '), width)));
  if (esm) {
    const source = esm.clusterArn ?? esm.bootstrapServers?.join(',') ?? '';
    lines.push(paint('grey', wrap(`${functionName(esm.functionArn)} ← topic ${esm.topics.join(', ') || '(none)'} on ${source}`, width)));
    lines.push(paint('grey', wrap(`State ${esm.state}${esm.stateTransitionReason ? ` (${esm.stateTransitionReason})` : ''}`, width)));
    if (esm.lastProcessingResult) {
      const { sentence, more } = firstSentence(esm.lastProcessingResult);
      lines.push(wrap(`Lambda says: ${paint('cyan', `"${sentence}${more ? ' …' : ''}"`)}${more ? paint('grey', ' (full message: --format json)') : ''}`, width));
    }
  }

  const fails = report.findings.filter((f) => f.status === 'fail');
  if (cause) {
    lines.push('', paint('bold', wrap(`Most likely cause: ${cause.title}`, width)));
    lines.push(...findingBody(cause, width, paint));
  }
  // What changed on the failing resources shortly before: right under the cause it most likely explains.
  const changed = changesLines(report);
  if (changed) lines.push('', paint('bold', changed.title), ...changed.lines.map((l) => indent(l, 2)));
  if (explained) {
    const title = `Lambda's message (${explained.title.replace(/\.$/, '')}) is explained by ${cause!.check}.`;
    lines.push('', `${paint('red', STATUS_MARK.fail)} ${wrap(title, width - 2)}`);
  }
  const others = fails.filter((f) => f !== cause && f !== explained);
  if (others.length) {
    lines.push('', paint('bold', `${cause ? 'Also broken' : 'What is broken'} (${others.length})`));
    for (const f of others) {
      lines.push(`${paint('red', STATUS_MARK.fail)} ${paint('bold', wrap(f.title, width - 2))}`);
      lines.push(...findingBody(f, width, paint));
    }
  }

  lines.push(...trendSection(report));

  const counts = countByStatus(report.findings);
  if (options.summary) {
    const rest = report.findings.filter((f) => f.status === 'warn' || f.status === 'error');
    for (const f of rest) lines.push(`${paint(STATUS_COLOUR[f.status], STATUS_MARK[f.status])} ${f.title} ${paint('grey', `(${f.check})`)}`);
    lines.push(paint('grey', counts));
    return lines.join('\n') + '\n';
  }
  lines.push('', paint('bold', 'All checks, by setup step'));
  const groups = new Map(byStep(report.findings));
  for (const step of ALL_STEPS) {
    const findings = groups.get(step) ?? [];
    if (step === 0 && findings.length === 0) continue;
    lines.push(paint('bold', `  ${step} · ${STEP_NAMES[step]}`));
    if (findings.length === 0) lines.push(paint('grey', '    no checks'));
    for (const f of findings) {
      // The title wraps under itself, past the check id column.
      const title = indent(wrap(f.title, Math.max(20, width - 33)), 33).slice(33);
      lines.push(`    ${paint(STATUS_COLOUR[f.status], STATUS_MARK[f.status])} ${f.check.padEnd(26)} ${title}`);
      if (f.status === 'warn' || f.status === 'error') {
        lines.push(...evidenceLines(f.detail).map((l) => indent(paint('grey', wrap(l, width - 8)), 8)));
        lines.push(...remedyLines(f, width, 8, paint));
      }
    }
  }
  lines.push('', paint('grey', `${counts} · ${report.durationMs} ms · ${report.startedAt}`));
  return lines.join('\n') + '\n';
}

type Paint = (c: Colour, s: string) => string;

function findingBody(f: Finding, width: number, paint: Paint): string[] {
  const out = [indent(paint('grey', `${f.check} · ${stepLabel(f.step)}`), 4)];
  out.push(...evidenceLines(f.detail).map((l) => indent(wrap(l, width - 4), 4)));
  out.push(...remedyLines(f, width, 4, paint));
  if (f.docs) out.push(indent(paint('grey', wrap(`Docs: ${f.docs}`, width - 4)), 4));
  return out;
}

/** The remedy: its summary as wrapped prose, then each command and document on lines of their own, never wrapped. */
function remedyLines(f: Finding, width: number, pad: number, paint: Paint): string[] {
  const remedy: Remedy | undefined = f.remedy ?? (f.fix ? { summary: f.fix } : undefined);
  if (!remedy) return [];
  const out: string[] = [];
  if (remedy.summary) out.push(indent(wrap(`Fix: ${remedy.summary}`, width - pad), pad));
  for (const command of remedy.commands ?? []) out.push(indent(paint('cyan', command), pad + 2));
  for (const doc of remedy.documents ?? []) {
    out.push(indent(wrap(`${doc.title}:`, width - pad - 2), pad + 2));
    out.push(indent(JSON.stringify(doc.json, null, 2), pad + 2));
  }
  return out;
}

export function byStep(findings: Finding[]): Array<[Step, Finding[]]> {
  const groups = new Map<Step, Finding[]>();
  for (const f of [...findings].sort((a, b) => a.step - b.step)) {
    const list = groups.get(f.step) ?? [];
    list.push(f);
    groups.set(f.step, list);
  }
  return [...groups];
}

export function countByStatus(findings: Finding[]): string {
  const order: Status[] = ['fail', 'error', 'warn', 'pass', 'skip'];
  return order
    .map((s) => [s, findings.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

export function functionName(arn: string): string {
  return arn.split(':')[6] ?? arn;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** A line someone will copy: a shell command or a line of a JSON policy. Never wrapped. */
const COPYABLE = /^\s*(aws |openssl |esm-doctor |npx |[{}[\]"])/;

/** Wraps prose at word boundaries; never breaks a word, and leaves commands and JSON lines whole. */
export function wrap(text: string, width: number): string {
  if (width <= 0) return text;
  return text
    .split('\n')
    .map((para) => {
      if (COPYABLE.test(para)) return para;
      const out: string[] = [];
      let line = '';
      for (const word of para.split(' ')) {
        if (line && line.length + 1 + word.length > width) {
          out.push(line);
          line = word;
        } else {
          line = line ? `${line} ${word}` : word;
        }
      }
      out.push(line);
      return out.join('\n');
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Trend (progress metrics): sparklines of the lag and the errors over the window

function trendSection(report: Report): string[] {
  const rows = trendLines(report);
  return rows.length ? ['', 'Trend', ...rows.map((r) => `  ${r}`)] : [];
}
