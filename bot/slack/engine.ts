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
  options?: { inspectSecrets?: boolean; onProgress?: (message: string) => void; probe?: 'local' | 'remote'; changes?: { windowMs?: number } },
) => Promise<{ report: Report; snapshot: Snapshot }>;

/** `probe: true` asks for the live probe too (the Run live probe button). */
export type Diagnose = (target: Target, options?: { probe?: boolean }) => Promise<SlackReport>;

export function fromEngine(
  engine: EngineDiagnose,
  options: { inspectSecrets?: boolean; probe?: 'off' | 'local' | 'remote'; changes?: boolean } = {},
): Diagnose {
  return async (target, request = {}) => {
    const probe = request.probe && options.probe && options.probe !== 'off' ? options.probe : undefined;
    // bot/diagnose looks up changes only when the report fails: a healthy re-run costs no LookupEvents.
    const { report, snapshot } = await engine(target, { inspectSecrets: options.inspectSecrets ?? false, ...(probe ? { probe } : {}), ...(options.changes ? { changes: {} } : {}) });
    // The Report does not say on-demand or provisioned; the snapshot does, and the message shows it.
    const esm = snapshot?.esm;
    return esm ? { ...report, pollerMode: isProvisionedMode(esm) ? 'provisioned' : 'on-demand' } : report;
  };
}
