/**
 * The watcher's entry point. Three triggers:
 *  - one EventBridge Scheduler schedule per watched account-region scope, every minute (infra:
 *    the org-wide fan-out), each sending `{ source: 'esm-doctor.schedule', account, region }`:
 *    that scope alone, so 60 scopes are read by 60 concurrent invocations instead of one after
 *    another;
 *  - the older single EventBridge schedule (`Scheduled Event`): every configured scope in one run;
 *  - a CloudTrail ESM API call (this account's, or forwarded from a member account): that one ESM.
 * Each publishes an `ESM State Change` event per transition. Configuration: docs/deploy.md.
 */
import { z } from 'zod';
import { watcherFromEnv } from '../alerts/aws';
import { esmOfCall, WatcherTrigger } from '../alerts/triggers';
import type { WatcherRun } from '../alerts/watcher';
import { issuesText } from '../model/parse-issues';
import { REGION_PATTERN } from '../model/target';

/** What each per-scope schedule sends (infra/stack.ts builds the same shape). */
export const ScopeTick = z.strictObject({
  source: z.literal('esm-doctor.schedule'),
  /** The watched account's id, or "self" for the functions' own account when its id is not configured. */
  account: z.string().regex(/^(\d{12}|self)$/, 'must be a 12-digit account id or "self"'),
  region: z.string().regex(REGION_PATTERN, 'must be a region name like eu-west-1'),
});
export type ScopeTick = z.infer<typeof ScopeTick>;

// One watcher (clients, store, publisher) per container.
const watcher = watcherFromEnv(process.env);

export async function handler(event: unknown): Promise<WatcherRun | { rejected: string }> {
  const tick = ScopeTick.safeParse(event);
  // The scope is checked against the configuration: an event never makes the watcher assume a role it was not given.
  if (tick.success) return watcher.runScope(tick.data.account, tick.data.region);
  const trigger = WatcherTrigger.safeParse(event);
  // Not retried: an event that is neither a schedule nor an ESM API call stays so.
  if (!trigger.success) return { rejected: issuesText(trigger.error) };
  if (trigger.data.source === 'aws.events') return watcher.runAll();
  const target = esmOfCall(trigger.data);
  if (!target) return { trigger: 'cloudtrail', scopes: [], published: 0, unpublished: 0, ignored: 'the call failed or names no ESM' };
  return watcher.runOne(target);
}
