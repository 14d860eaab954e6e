/**
 * The `ESM State Change` event esm-doctor publishes on its EventBridge bus. Lambda publishes nothing
 * when a Kafka ESM starts failing (only CloudTrail API-call events for Create/Update/Delete), so the
 * watcher reads ListEventSourceMappings and publishes one of these per transition. Anyone may add
 * rules on them (paging, tickets, auto-disable) without touching esm-doctor.
 */
import { z } from 'zod';
import { optionalStrings, strings } from './fields';

export const EVENT_SOURCE = 'esm-doctor';
export const EVENT_DETAIL_TYPE = 'ESM State Change';

/** stalled: Enabled with no PROBLEM, but not delivering (its offset lag keeps growing: a poison batch, throttles, a consumer too slow). */
export const EsmHealth = z.enum(['failing', 'recovered', 'changed', 'stalled']);
export type EsmHealth = z.infer<typeof EsmHealth>;

/** What ListEventSourceMappings says of an ESM at one moment. */
export const ObservedState = z.object({
  state: z.string(),
  ...optionalStrings('lastProcessingResult', 'stateTransitionReason'),
});
export type ObservedState = z.infer<typeof ObservedState>;

/**
 * Which ESM: what every event, watcher record and observation says about its subject. `eventSource` is
 * the MSK cluster ARN, or the self-managed bootstrap servers joined with commas.
 */
export const EsmIdentity = z.object(strings('uuid', 'esmArn', 'functionArn', 'eventSource', 'region', 'account'));
export type EsmIdentity = z.infer<typeof EsmIdentity>;

export const EsmStateChange = EsmIdentity.extend({
  health: EsmHealth,
  /** Absent for an ESM seen for the first time. */
  previous: ObservedState.optional(),
  current: ObservedState,
  observedAt: z.string(),
});
export type EsmStateChange = z.infer<typeof EsmStateChange>;

/** The EventBridge envelope as a rule target receives it. */
export const EsmStateChangeEvent = z.looseObject({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(EVENT_DETAIL_TYPE),
  id: z.string(),
  time: z.string().optional(),
  detail: EsmStateChange,
});
export type EsmStateChangeEvent = z.infer<typeof EsmStateChangeEvent>;

/**
 * Healthy = Enabled (or on its way) and no PROBLEM. Disabled by a user is not a failure; disabled by
 * Lambda with an error code is. Creating/Updating are transient and judged by their last result.
 */
export function isFailing(s: ObservedState): boolean {
  if (/^\s*PROBLEM:/i.test(s.lastProcessingResult ?? '')) return true;
  if (s.state === 'Disabled' && /(_ERROR|_NOT_VALID)\b/.test(s.stateTransitionReason ?? '')) return true;
  return false;
}
