/**
 * The one pipeline every entry point runs: collect a Snapshot, run the checks, return a Report.
 */
import type { CollectOptions } from './collect/snapshot';
import { evaluate } from './checks/engine';
import { checks as allChecks } from './checks/registry';
import type { Check } from './checks/check';
import type { Report } from './model/report';
import type { Snapshot } from './model/snapshot';
import type { Target } from './model/target';
import type { ProbeSnapshotOptions } from './probe';
import type { ChangesOptions } from './collect/changes';

export interface DiagnoseOptions extends CollectOptions {
  /** Defaults to every registered check. */
  checks?: readonly Check[];
  /** Replay the connection live: 'local' from this machine, 'remote' through the probe function (ESM_DOCTOR_PROBE_FUNCTION). */
  probe?: 'local' | 'remote';
  /** Overrides for the probe (tests: an injected resolver, secret reader, Lambda client). */
  probeOptions?: Omit<ProbeSnapshotOptions, 'mode'>;
  /** Look up recent CloudTrail changes on what the failing findings name (Report.changes); off unless given. */
  changes?: ChangesOptions;
}

export interface Diagnosis {
  report: Report;
  snapshot: Snapshot;
}

export async function diagnose(target: Target, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const startedAt = new Date();
  // Lazy: offline diagnoses (--scenario, --snapshot, report) must not load the AWS SDK clients.
  const [{ collectSnapshot }, { createClients }] = await Promise.all([import('./collect/snapshot'), import('./collect/clients')]);
  const clients = options.changes && !options.clients ? createClients(target.region) : options.clients;
  let snapshot = await collectSnapshot(target, clients ? { ...options, clients } : options);
  if (options.probe) {
    options.onProgress?.(options.probe === 'remote' ? 'Probing from the ESM\'s network position…' : 'Probing the brokers from here…');
    const { probeSnapshot } = await import('./probe');
    const probe = await probeSnapshot(snapshot, {
      mode: options.probe,
      ...(options.clients ? { secretsManager: options.clients.secretsManager, lambda: options.clients.lambda } : {}),
      ...options.probeOptions,
    });
    snapshot = { ...snapshot, probe };
  }
  options.onProgress?.('Running the checks…');
  let report = evaluate(snapshot, options.checks ?? allChecks, { startedAt });
  if (options.changes && clients?.cloudtrail) {
    options.onProgress?.('Looking up recent changes in CloudTrail…');
    const { withChanges } = await import('./collect/changes');
    report = await withChanges(report, clients.cloudtrail, options.changes);
  }
  return { report, snapshot };
}

/** Offline: a saved snapshot (`esm-doctor collect`, a fixture, a sandbox scenario) → Report. */
export function diagnoseSnapshot(snapshot: Snapshot, checks: readonly Check[] = allChecks): Report {
  return evaluate(snapshot, checks);
}
