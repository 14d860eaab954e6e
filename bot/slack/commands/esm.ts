/**
 * `/esm diagnose <uuid|arn> [region]` and `/esm help`. Answers at once, privately ("Diagnosing…",
 * or what is wrong with the input plus the usage); the report itself is posted in the channel by
 * the job. Input is checked with parseTarget before anything else happens, so a typo costs nothing.
 */
import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import { EsmDoctorError, MissingRegion } from '../../model/errors';
import { parseTarget, type Target } from '../../model/target';
import { renderNotice, renderProgress, renderUsage } from '../blocks';
import type { ListenerDeps } from '../deps';
import { explainFailure } from '../failure';
import { unescapeMrkdwn } from '../limits';

export type EsmCommand =
  | { kind: 'help' }
  | { kind: 'diagnose'; target: Target }
  | { kind: 'invalid'; problem: string };

export function parseEsmCommand(text: string, defaultRegion?: string): EsmCommand {
  // Slack sends the text with &, < and > escaped; decoded once here, escaped once on the way out.
  const words = unescapeMrkdwn(text).trim().split(/\s+/).filter(Boolean);
  const [sub, ...args] = words;
  if (!sub || /^(help|-h|--help|\?)$/i.test(sub)) return { kind: 'help' };
  if (sub.toLowerCase() !== 'diagnose') {
    const hint = /^arn:|^[0-9a-f]{8}-/i.test(sub) ? ` Did you mean \`/esm diagnose ${sub}\`?` : '';
    return { kind: 'invalid', problem: `"${sub.slice(0, 40)}" is not something I know how to do.${hint}` };
  }
  if (args.length === 0) return { kind: 'invalid', problem: 'Which event source mapping? Give its UUID or its ARN.' };
  if (args.length > 2) return { kind: 'invalid', problem: `Too many words after "diagnose": give a UUID or an ARN, and optionally a region.` };
  const [what, region] = args as [string, string | undefined];
  try {
    const target = parseTarget(what, { ...(region ? { region } : {}), env: { AWS_REGION: defaultRegion } });
    return { kind: 'diagnose', target };
  } catch (err) {
    if (err instanceof MissingRegion) {
      return { kind: 'invalid', problem: 'Which region? Add it after the UUID (`/esm diagnose <uuid> eu-west-1`) or give the ESM ARN.' };
    }
    if (err instanceof EsmDoctorError) return { kind: 'invalid', problem: `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.` };
    throw err;
  }
}

type Args = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'>;

export function esmCommand(deps: ListenerDeps) {
  return async ({ command, ack, respond }: Args): Promise<void> => {
    const parsed = parseEsmCommand(command.text, deps.config.defaultRegion);
    if (parsed.kind !== 'diagnose') {
      const usage = renderUsage(parsed.kind === 'invalid' ? parsed.problem : undefined, deps.config.defaultRegion);
      await ack({ response_type: 'ephemeral', ...usage });
      if (parsed.kind === 'invalid') deps.logger.event('info', 'command.invalid', { user: command.user_id, channel: command.channel_id });
      return;
    }
    await ack({ response_type: 'ephemeral', ...renderProgress(parsed.target) });
    try {
      await deps.dispatch({
        kind: 'diagnose',
        target: parsed.target,
        channel: command.channel_id,
        responseUrl: command.response_url,
        user: command.user_id,
        idempotencyKey: `cmd#${command.trigger_id}`,
      });
      deps.logger.event('info', 'command.dispatched', { user: command.user_id, channel: command.channel_id, uuid: parsed.target.uuid });
    } catch (err) {
      await respond({ response_type: 'ephemeral', ...renderNotice(explainFailure(err, deps.logger, { command: 'diagnose' })) });
    }
  };
}
