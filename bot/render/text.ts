/**
 * Report → terminal text: the verdict and what Lambda says first, then every fail with its evidence
 * and fix, then all checks grouped by setup step. Colour only when asked (a TTY without NO_COLOR).
 */
import type { Finding, Report, Status, Step } from '../model/report';
import { STEP_NAMES } from '../model/report';
import { mostLikelyCause } from '../checks/engine';
import { changesLines } from './changes';

export interface TextOptions {
  color?: boolean;
  /** Wrap width for details; 0 = no wrapping. */
  width?: number;
  /** Leave out the per-step listing of every check (the fails and the counts stay). */
  summary?: boolean;
}

const ANSI = { red: 31, yellow: 33, green: 32, grey: 90, cyan: 36, bold: 1, magenta: 35 } as const;
type Colour = keyof typeof ANSI;

export const STATUS_MARK: Record<Status, string> = { fail: '✖', error: '!', warn: '▲', pass: '✓', skip: '–' };
const STATUS_COLOUR: Record<Status, Colour> = { fail: 'red', error: 'magenta', warn: 'yellow', pass: 'green', skip: 'grey' };
const VERDICT_COLOUR: Record<Report['verdict'], Colour> = { failing: 'red', 'at-risk': 'yellow', healthy: 'green', unknown: 'magenta' };

export function renderText(report: Report, options: TextOptions = {}): string {
  const paint = (c: Colour, s: string) => (options.color ? `\u001b[${ANSI[c]}m${s}\u001b[0m` : s);
  const width = options.width ?? 100;
  const lines: string[] = [];
  const esm = report.esm;

  lines.push(`${paint(VERDICT_COLOUR[report.verdict], paint('bold', report.verdict.toUpperCase()))}  ${report.headline}`);
  const where = [
    `ESM ${report.target.uuid}`,
    report.target.region,
    report.target.account,
    esm ? `${esm.source === 'msk' ? 'MSK' : 'self-managed Kafka'}` : undefined,
    esm ? `auth: ${esm.auth}` : undefined,
  ].filter(Boolean);
  lines.push(paint('grey', where.join(' · ')));
  if (esm) {
    const source = esm.clusterArn ?? esm.bootstrapServers?.join(',') ?? '';
    lines.push(paint('grey', `${functionName(esm.functionArn)} ← topic ${esm.topics.join(', ') || '(none)'} on ${source}`));
    lines.push(paint('grey', `State ${esm.state}${esm.stateTransitionReason ? ` (${esm.stateTransitionReason})` : ''}`));
    if (esm.lastProcessingResult) lines.push(`Lambda says: ${paint('cyan', `"${esm.lastProcessingResult}"`)}`);
  }

  const fails = report.findings.filter((f) => f.status === 'fail');
  const cause = mostLikelyCause(report.findings);
  if (fails.length) {
    lines.push('', paint('bold', `What is broken (${fails.length})`));
    for (const f of fails) {
      const stepLabel = f.step > 0 ? `step ${f.step} of 9 · ${STEP_NAMES[f.step]}` : STEP_NAMES[0];
      const tag = f === cause ? paint('bold', ' ← most likely cause') : '';
      lines.push(`${paint('red', STATUS_MARK.fail)} ${paint('bold', f.title)}${tag}`);
      lines.push(indent(paint('grey', `${f.check} · ${stepLabel}`), 4));
      lines.push(indent(wrap(f.detail, width - 4), 4));
      if (f.fix) lines.push(indent(wrap(`Fix: ${f.fix}`, width - 4), 4));
      if (f.docs) lines.push(indent(paint('grey', `Docs: ${f.docs}`), 4));
    }
  }
  const changed = changesLines(report);
  if (changed) lines.push('', paint('bold', changed.title), ...changed.lines.map((l) => indent(l, 2)));

  const counts = countByStatus(report.findings);
  if (options.summary) {
    const others = report.findings.filter((f) => f.status === 'warn' || f.status === 'error');
    for (const f of others) lines.push(`${paint(STATUS_COLOUR[f.status], STATUS_MARK[f.status])} ${f.title} ${paint('grey', `(${f.check})`)}`);
    lines.push(paint('grey', counts));
    return lines.join('\n') + '\n';
  }
  lines.push('', paint('bold', 'All checks, by setup step'));
  for (const [step, findings] of byStep(report.findings)) {
    lines.push(paint('bold', `  ${step} · ${STEP_NAMES[step]}`));
    for (const f of findings) {
      lines.push(`    ${paint(STATUS_COLOUR[f.status], STATUS_MARK[f.status])} ${f.check.padEnd(26)} ${f.title}`);
      if (f.status === 'warn' || f.status === 'error') {
        lines.push(indent(paint('grey', wrap(f.detail, width - 8)), 8));
        if (f.fix) lines.push(indent(paint('grey', wrap(`Fix: ${f.fix}`, width - 8)), 8));
      }
    }
  }
  lines.push('', paint('grey', `${counts} · ${report.durationMs} ms · ${report.startedAt}`));
  return lines.join('\n') + '\n';
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
