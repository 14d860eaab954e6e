/**
 * Global middleware, in order: Slack retries are acknowledged and dropped (the first delivery is
 * doing the work; a second would post twice), then the allow-list.
 */
import type { AnyMiddlewareArgs, Middleware, RespondFn } from '@slack/bolt';
import type { AccessControl } from './access';
import { renderNotice } from './blocks';
import type { SlackLogger } from './log';

type Ack = (response?: unknown) => Promise<void>;
type Loose = { ack?: Ack; respond?: RespondFn };

/** Bolt puts X-Slack-Retry-Num in context.retryNum: a number over HTTP, the header string on Lambda. */
export function isRetry(retryNum: unknown): boolean {
  return retryNum !== undefined && retryNum !== null && Number(retryNum) >= 1;
}

export function ignoreRetries(logger: SlackLogger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    if (isRetry(args.context.retryNum)) {
      await (args as Loose).ack?.();
      logger.event('info', 'slack.retry-ignored', { retryNum: Number(args.context.retryNum), reason: args.context.retryReason });
      return;
    }
    await args.next();
  };
}

interface Who {
  user?: string;
  channel?: string;
  kind: 'command' | 'action' | 'other';
  actionId?: string;
}

function who(body: unknown): Who {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (typeof b.command === 'string') return { kind: 'command', user: b.user_id, channel: b.channel_id };
  if (b.type === 'block_actions') {
    return { kind: 'action', user: b.user?.id, channel: b.channel?.id ?? b.container?.channel_id, actionId: b.actions?.[0]?.action_id };
  }
  return { kind: 'other' };
}

export function allowList(access: AccessControl, logger: SlackLogger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const w = who(args.body);
    // Link buttons only open the console; there is nothing to refuse.
    if (w.kind === 'other' || w.actionId?.startsWith('esm_open_')) return args.next();
    const decision = w.user ? await access.check(w.user, w.channel) : ({ allowed: false, reason: 'user', message: 'Sorry, I could not tell who you are.' } as const);
    if (decision.allowed) return args.next();
    logger.event('info', 'access.refused', { kind: w.kind, reason: decision.reason, user: w.user, channel: w.channel });
    const { ack, respond } = args as Loose;
    const notice = renderNotice(decision.message);
    if (w.kind === 'command') {
      await ack?.({ response_type: 'ephemeral', ...notice });
      return;
    }
    await ack?.();
    await respond?.({ response_type: 'ephemeral', replace_original: false, ...notice });
  };
}
