/**
 * EventBridge rules on the CloudTrail calls that can break a Kafka ESM (bot/impact/events
 * CALL_FAMILIES) → impact → a pre-alert in each broken ESM's routed channel, before Lambda notices.
 * A change that breaks nothing posts nothing. A failure throws, so EventBridge retries (the
 * pre-alert is claimed per event and ESM, so a retry never posts twice).
 */
import { parseCall, UnusableEvent } from '../impact/events';
import { preAlertFromEnv } from '../impact/aws';
import type { PreAlertOutcome } from '../impact/prealert';
import { assessImpact } from '../impact/run';

const wiring = preAlertFromEnv(process.env);

export type ImpactHandlerResult =
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'assessed'; event: string; dependents: number; broken: number; preAlerts: PreAlertOutcome[]; /** The regions whose dependents came from the index. */ indexed: string[] };

function watchedRegions(fallback: string): string[] {
  const configured = (process.env.ESM_DOCTOR_REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  return configured.length ? configured : [fallback];
}

export async function handler(event: unknown): Promise<ImpactHandlerResult> {
  let call;
  try {
    call = parseCall(event);
  } catch (err) {
    if (err instanceof UnusableEvent) return { outcome: 'rejected', reason: err.message };
    throw err;
  }
  const { preAlerter, clientsFor, logger, diagnose, indexed } = await wiring();
  // IAM is global: its calls arrive in us-east-1, and the role may serve ESMs in every watched Region.
  const regions = call.event.detail.eventSource === 'iam.amazonaws.com' ? watchedRegions(call.region) : [call.region];
  const fromIndex: string[] = [];
  const results = await Promise.all(
    regions.map((region) =>
      assessImpact(call, {
        clients: clientsFor(call.account, region),
        region,
        diagnose,
        // The dependency index first; the live read when it cannot answer (bot/impact/dependency-index).
        dependents: async (keys) => {
          const found = await indexed(call.account, region, keys);
          if (found) fromIndex.push(region);
          return found;
        },
      }),
    ),
  );
  const result = { ...results[0]!, esms: results.flatMap((r) => r.esms) };
  const id = (event as { id?: unknown }).id;
  const preAlerts = await preAlerter.run(result, typeof id === 'string' ? id : `${call.name}#${call.time}#${call.resources.map((r) => r.key).join(',')}`);
  const broken = result.esms.filter((e) => e.broken).length;
  logger.event('info', 'prealert.assessed', { event: call.name, resources: call.resources.map((r) => r.id), dependents: result.esms.length, broken, indexed: fromIndex, posted: preAlerts.filter((p) => p.outcome === 'posted').length });
  return { outcome: 'assessed', event: call.name, dependents: result.esms.length, broken, preAlerts, indexed: fromIndex };
}
