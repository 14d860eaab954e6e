/**
 * Errors → one line for the person in Slack. A typed esm-doctor error says what to do; anything else
 * gets a short apology and an error id that finds the details (name, message, code — no stack) in
 * the logs. Neither ever shows a stack trace, a token or a secret.
 */
import { randomBytes } from 'node:crypto';
import { EsmDoctorError } from '../model/errors';
import { errorFields, redact, type SlackLogger } from './log';
import { escapeMrkdwn } from './limits';

export function explainFailure(err: unknown, logger: SlackLogger, fields: Record<string, unknown> = {}): string {
  if (err instanceof EsmDoctorError) {
    logger.event('info', 'request.refused', { ...fields, error: err.name });
    // The message can quote what the person typed or what AWS answered: escaped for mrkdwn.
    return `:warning: ${escapeMrkdwn(redact(err.message))}`;
  }
  const errorId = randomBytes(4).toString('hex');
  logger.event('error', 'request.failed', { ...fields, errorId, ...errorFields(err) });
  return `:confused: Sorry, something went wrong on my side (error id \`${errorId}\`). The details are in esm-doctor's logs.`;
}

/** Slack Web API errors carry the API's error code in `data.error` (e.g. `not_in_channel`). */
export function slackErrorCode(err: unknown): string | undefined {
  const code = (err as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Slack's answers for a channel the bot cannot post in: retrying will not help; inviting the bot
 * (or another channel) will. Shared by the worker's posts and the alert path's fallback channel.
 */
export const CANNOT_POST: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cannot_dm_bot']);

export function cannotPost(err: unknown): string | undefined {
  const code = slackErrorCode(err);
  return code && CANNOT_POST.has(code) ? code : undefined;
}

/**
 * Slack answered 429: the seconds its Retry-After header asks for. A WebClient made with
 * `rejectRateLimitedCalls` throws WebAPIRateLimitedError (`code` slack_webapi_rate_limited_error,
 * `retryAfter` in seconds) instead of sleeping in-process, so the caller can pause the shared lane.
 */
export function slackRetryAfter(err: unknown): number | undefined {
  const e = err as { code?: unknown; retryAfter?: unknown } | undefined;
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' ? e.retryAfter : undefined;
}

/** The message (or the thread it was to go into) no longer exists: someone deleted it. */
export function messageGone(err: unknown): boolean {
  const code = slackErrorCode(err);
  return code === 'message_not_found' || code === 'thread_not_found';
}
