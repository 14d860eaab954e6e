/**
 * `esm-doctor fix <uuid|arn> [--check ID] [--dry-run] [--yes]`: diagnose, print the fix plans (each
 * call, what it changes, and its undo), ask, apply them through bot/remediate/apply.ts, diagnose
 * again and print before → after. Exit codes: 0 healthy afterwards (or --dry-run with a plan), 1 not
 * healthy afterwards or a plan failed, 2 nothing fixable / bad input / no confirmation possible.
 *
 * stdout carries the plans and the result; stderr every call and every undo as it happens. Reports
 * and plans hold ARNs and ids only, never a secret's value.
 */
import type { Io } from '../cli';
import { InvalidTarget } from '../model/errors';
import type { FixPlan } from '../model/fix-plan';
import type { Finding, Report } from '../model/report';
import type { Snapshot } from '../model/snapshot';
import type { Target } from '../model/target';
import type { RemediationClients } from '../remediate/apply';
import { NOT_AUTOMATED, PLANNED_CHECKS, plansOf } from '../remediate/plans';

export interface FixOptions {
  /** Only the plan of this check. */
  check?: string;
  dryRun: boolean;
  yes: boolean;
  inspectSecrets?: boolean;
}

export type FixSource = { target: Target } | { snapshot: Snapshot };

export interface FixDeps {
  /** Tests: clients for the writes (default: built from io.env for the ESM's region). */
  clients?: RemediationClients;
  /** Tests: the answer to the confirmation question, instead of reading the terminal. */
  confirm?: (question: string) => Promise<boolean>;
}

/** Exit code: nothing esm-doctor can fix by itself. */
export const NOTHING_FIXABLE = 2;

function stepLines(plan: FixPlan, n: number): string[] {
  const lines = [`Plan ${n}: ${plan.kind} for ${plan.check} (plan ${plan.hash.slice(0, 12)})`];
  for (const [i, step] of plan.steps.entries()) {
    lines.push(`  ${i + 1}. ${step.effect}`, `     call: ${step.call.service}:${step.call.operation}`, `     ${step.command}`, `     undo: ${step.undoCommand}`);
  }
  return lines;
}

function verdictLine(label: string, report: Report): string {
  return `${label}: ${report.verdict} — ${report.headline}`;
}

function changedChecks(before: Report, after: Report): string[] {
  const was = new Map(before.findings.map((f) => [f.check, f.status]));
  return after.findings
    .filter((f) => was.has(f.check) && was.get(f.check) !== f.status)
    .map((f) => `  ${f.check}: ${was.get(f.check)} → ${f.status}`);
}

function unfixable(report: Report, plans: FixPlan[]): Finding[] {
  const planned = new Set(plans.map((p) => p.check));
  return report.findings.filter((f) => f.status === 'fail' && !planned.has(f.check));
}

async function askOnTerminal(io: Io, question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.stdin ?? process.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function diagnoseSource(source: FixSource, options: FixOptions, io: Io): Promise<Report> {
  if ('snapshot' in source) {
    const { diagnoseSnapshot } = await import('../diagnose');
    return diagnoseSnapshot(source.snapshot);
  }
  const { diagnose } = await import('../diagnose');
  const onProgress = io.stderr.isTTY ? (m: string) => void io.stderr.write(`\u001b[90m… ${m}\u001b[0m\n`) : undefined;
  return (await diagnose(source.target, { inspectSecrets: options.inspectSecrets ?? false, ...(onProgress ? { onProgress } : {}) })).report;
}

export async function runFix(source: FixSource, options: FixOptions, io: Io, deps: FixDeps = {}): Promise<number> {
  const out = (line = '') => void io.stdout.write(`${line}\n`);
  const log = (line: string) => void io.stderr.write(`${line}\n`);
  if ('snapshot' in source && !options.dryRun) throw new InvalidTarget('a saved snapshot or scenario is not an AWS account: only --dry-run can show its plans');
  if (options.check && !(PLANNED_CHECKS as readonly string[]).includes(options.check)) {
    throw new InvalidTarget(`--check ${options.check}: esm-doctor fixes only ${PLANNED_CHECKS.join(', ')}`);
  }

  const before = await diagnoseSource(source, options, io);
  out(verdictLine('Before', before));
  const all = plansOf(before.findings);
  const plans = options.check ? all.filter((p) => p.check === options.check) : all;
  const manual = unfixable(before, plans);

  if (plans.length === 0) {
    if (before.verdict === 'healthy') out('Nothing to fix: the ESM is healthy.');
    else if (options.check) out(`${options.check} has no fix esm-doctor can apply for this ESM (it passes, or its fix needs a person).`);
    else out(`Nothing here esm-doctor can fix by itself. ${NOT_AUTOMATED}`);
    for (const f of manual) out(`  not automated: ${f.check} — ${f.title} (see esm-doctor diagnose for its commands)`);
    return NOTHING_FIXABLE;
  }

  out('');
  plans.forEach((plan, i) => stepLines(plan, i + 1).forEach((l) => out(l)));
  if (manual.length) {
    out('');
    out('Not automated (a person runs their commands: see esm-doctor diagnose):');
    for (const f of manual) out(`  ${f.check} — ${f.title}`);
  }
  if (options.dryRun) {
    out('');
    out('Dry run: nothing was changed.');
    return 0;
  }

  if (!options.yes) {
    if (!deps.confirm && !(io.stdin ?? process.stdin).isTTY) {
      throw new InvalidTarget('not a terminal, so esm-doctor cannot ask before changing AWS: pass --yes to apply the plans, or --dry-run to only print them');
    }
    const question = `Apply ${plans.length === 1 ? 'this plan' : `these ${plans.length} plans`} to ${before.target.uuid}? [y/N] `;
    const yes = await (deps.confirm ? deps.confirm(question) : askOnTerminal(io, question));
    if (!yes) {
      out('Not applied: nothing was changed.');
      return 1;
    }
  }

  const { applyPlan, createRemediationClients, planApplied } = await import('../remediate/apply');
  const clients = deps.clients ?? createRemediationClients(before.target.region, { env: io.env });
  const applied: FixPlan[] = [];
  let failed = false;
  for (const plan of plans) {
    const results = await applyPlan(plan, clients, log);
    if (!planApplied(results)) {
      failed = true;
      out(`Plan ${plan.kind} for ${plan.check} failed and was rolled back: ${results.find((r) => r.status === 'failed')?.error ?? 'see the log above'}`);
      const stuck = results.filter((r) => r.status === 'rollback-failed');
      for (const r of stuck) out(`  NOT rolled back, run it yourself: ${r.command}`);
      break;
    }
    applied.push(plan);
  }

  const after = await diagnoseSource(source, options, io);
  out('');
  out(verdictLine('Before', before));
  out(verdictLine('After', after));
  const changed = changedChecks(before, after);
  if (changed.length) out(['Changed:', ...changed].join('\n'));
  if (applied.length) {
    out('');
    out('To undo what was applied, newest first:');
    for (const plan of [...applied].reverse()) for (const step of [...plan.steps].reverse()) out(`  ${step.undoCommand}`);
  }
  return !failed && after.verdict === 'healthy' ? 0 : 1;
}
