/**
 * Schedule (every minute) and CloudTrail ESM API calls → the watcher: lists the Kafka ESMs of each
 * configured account and region (or reads the one ESM a CloudTrail event names), publishes an
 * `ESM State Change` event per transition. Configuration: docs/deploy.md.
 */
import { watcherFromEnv } from '../alerts/aws';
import { esmOfCall, WatcherTrigger } from '../alerts/triggers';
import type { WatcherRun } from '../alerts/watcher';
import { issuesText } from '../model/parse-issues';

// One watcher (clients, store, publisher) per container.
const watcher = watcherFromEnv(process.env);

export async function handler(event: unknown): Promise<WatcherRun | { rejected: string }> {
  const trigger = WatcherTrigger.safeParse(event);
  // Not retried: an event that is neither the schedule nor an ESM API call stays so.
  if (!trigger.success) return { rejected: issuesText(trigger.error) };
  if (trigger.data.source === 'aws.events') return watcher.runAll();
  const target = esmOfCall(trigger.data);
  if (!target) return { trigger: 'cloudtrail', scopes: [], published: 0, unpublished: 0, ignored: 'the call failed or names no ESM' };
  return watcher.runOne(target);
}
