/**
 * The one pipeline every entry point runs: collect a Snapshot, run the checks, return a Report.
 */
import { collectSnapshot, type CollectOptions } from './collect/snapshot';
import { evaluate } from './checks/engine';
import { checks as allChecks } from './checks/registry';
import type { Check } from './checks/check';
import type { Report } from './model/report';
import type { Snapshot } from './model/snapshot';
import type { Target } from './model/target';

export interface DiagnoseOptions extends CollectOptions {
  /** Defaults to every registered check. */
  checks?: readonly Check[];
}

export interface Diagnosis {
  report: Report;
  snapshot: Snapshot;
}

export async function diagnose(target: Target, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const startedAt = new Date();
  const snapshot = await collectSnapshot(target, options);
  options.onProgress?.('Running the checks…');
  const report = evaluate(snapshot, options.checks ?? allChecks, { startedAt });
  return { report, snapshot };
}

/** Offline: a saved snapshot (`esm-doctor collect`, a fixture, a sandbox scenario) → Report. */
export function diagnoseSnapshot(snapshot: Snapshot, checks: readonly Check[] = allChecks): Report {
  return evaluate(snapshot, checks);
}
