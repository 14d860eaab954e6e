/**
 * Adapts the engine's entry point (bot/diagnose.ts) to what the Slack side is given: a function
 * from a Target to the report to show. Only entry points import the engine itself; everything in
 * bot/slack takes the adapted function as a dependency, so tests need no AWS.
 */
import type { Report } from '../model/report';
import type { Snapshot } from '../model/snapshot';
import type { Target } from '../model/target';
import { isProvisionedMode } from '../model/esm';
import type { SlackReport } from './blocks';

export type EngineDiagnose = (
  target: Target,
  options?: { inspectSecrets?: boolean; onProgress?: (message: string) => void },
) => Promise<{ report: Report; snapshot: Snapshot }>;

export type Diagnose = (target: Target) => Promise<SlackReport>;

export function fromEngine(engine: EngineDiagnose, options: { inspectSecrets?: boolean } = {}): Diagnose {
  return async (target) => {
    const { report, snapshot } = await engine(target, { inspectSecrets: options.inspectSecrets ?? false });
    // The Report does not say on-demand or provisioned; the snapshot does, and the message shows it.
    const esm = snapshot?.esm;
    return esm ? { ...report, pollerMode: isProvisionedMode(esm) ? 'provisioned' : 'on-demand' } : report;
  };
}
