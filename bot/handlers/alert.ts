/**
 * EventBridge rule on our `ESM State Change` events (failing, recovered, deleted) → the alert
 * notifier: diagnoses and posts, edits or closes the ESM's alert in Slack. Configuration:
 * docs/deploy.md. A failure throws, so Lambda retries the event (the notifier is idempotent).
 */
import { alertNotifierFromEnv, recordingEngine } from '../alerts/aws';
import type { AlertResult } from '../alerts/notifier';
import { diagnose } from '../diagnose';
import { EsmStateChangeEvent } from '../model/events';
import { issuesText } from '../model/parse-issues';

type AlertHandler = (event: unknown) => Promise<AlertResult | { outcome: 'rejected'; reason: string }>;

/** The handler for one environment (tests build several, as several containers would be). */
export function alertHandler(env: Record<string, string | undefined>, options: Parameters<typeof alertNotifierFromEnv>[2] = {}, engine = diagnose): AlertHandler {
  // Built on the first event (the Slack tokens may come from Secrets Manager), then reused.
  const notifier = alertNotifierFromEnv(env, engine, options);
  return async (event) => {
    const parsed = EsmStateChangeEvent.safeParse(event);
    if (!parsed.success) return { outcome: 'rejected', reason: issuesText(parsed.error) };
    return (await notifier()).handle(parsed.data.detail, { eventId: parsed.data.id });
  };
}

// Each diagnosis also refreshes the diagnosed ESM's entry in the dependency index.
export const handler = alertHandler(process.env, {}, recordingEngine(process.env, diagnose));
