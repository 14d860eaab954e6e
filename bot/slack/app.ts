/**
 * The Slack app: one Bolt App, whatever carries the requests. Entry points choose the receiver
 * (AwsLambdaReceiver in AWS, SocketModeReceiver locally, HTTPReceiver in tests) and how jobs run
 * (the worker Lambda, or in-process); the listeners never know which.
 */
import { App, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { AccessControl } from './access';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { SlackConfig } from './config';
import type { ListenerDeps } from './deps';
import type { Diagnose } from './engine';
import { inProcessRunner, type Job } from './jobs';
import { createLogger, errorFields, type SlackLogger } from './log';
import { allowList, ignoreRetries } from './middleware';
import type { SlackStore } from './store';
import { inProcessRemediation, type ApplyFixPlan, type RemediationJob } from './remediation';

export interface AppDeps {
  receiver: Receiver;
  store: SlackStore;
  /** Diagnoses in this process (Socket Mode, tests). Needed unless `dispatch` is given. */
  diagnose?: Diagnose;
  /** Hands jobs elsewhere (the worker Lambda). Default: run them in this process with `diagnose`. */
  dispatch?: (job: Job) => Promise<void>;
  slack?: WebClient;
  logger?: SlackLogger;
  now?: () => Date;
  /** Hands approved fixes elsewhere (the remediation Lambda). Default, when remediation is on: apply them in this process with `apply`. */
  remediate?: (job: RemediationJob) => Promise<void>;
  /** Applies a fix plan in this process (sandbox, Socket Mode, tests). */
  apply?: ApplyFixPlan;
}

/**
 * `rejectRateLimitedCalls`: a 429 throws (with its Retry-After) instead of sleeping inside this
 * client — for the alert path, which pauses its shared per-channel lane so that every invocation
 * waits, not only the one that was told.
 */
export function slackClient(config: SlackConfig, logger?: SlackLogger, options: { rejectRateLimitedCalls?: boolean } = {}): WebClient {
  return new WebClient(config.botToken, {
    ...(options.rejectRateLimitedCalls ? { rejectRateLimitedCalls: true } : {}),
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    ...(logger ? { logger } : {}),
    // The default policy retries for about half an hour: longer than any Lambda here may run, and
    // far past Slack's 3 seconds for the calls the Slack handler makes itself.
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1000 },
    timeout: 10_000,
  });
}

export function createApp(config: SlackConfig, deps: AppDeps): App {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const slack = deps.slack ?? slackClient(config, logger);
  const now = deps.now ?? (() => new Date());
  let dispatch = deps.dispatch;
  if (!dispatch) {
    if (!deps.diagnose) throw new Error('createApp needs either deps.dispatch or deps.diagnose');
    dispatch = inProcessRunner({ slack, store: deps.store, diagnose: deps.diagnose, buttonKey: config.buttonKey, probe: config.probe !== 'off', logger, now, ...(config.remediation ? { remediation: true } : {}) }).dispatch;
  }
  let remediate = deps.remediate;
  if (!remediate && config.remediation && deps.apply && deps.diagnose) {
    remediate = inProcessRemediation({
      slack,
      store: deps.store,
      diagnose: deps.diagnose,
      apply: deps.apply,
      buttonKey: config.buttonKey,
      logger,
      now,
      approvers: { users: config.remediation.approvers, groups: config.remediation.approverGroups },
      probe: config.probe !== 'off',
    }).dispatch;
  }
  const listenerDeps: ListenerDeps = {
    config,
    store: deps.store,
    dispatch,
    slack,
    access: new AccessControl(config, slack),
    logger,
    now,
    ...(remediate ? { remediate } : {}),
  };
  const app = new App({
    receiver: deps.receiver,
    // A single workspace and a known bot token: no auth.test round-trip before the first ack.
    authorize: async () => ({ botToken: config.botToken }),
    logger,
    // Without it Bolt resets the logger to INFO, and LOG_LEVEL=warn would be ignored.
    logLevel: logger.getLevel(),
    ignoreSelf: false,
    convoStore: false,
    ...(config.slackApiUrl ? { clientOptions: { slackApiUrl: config.slackApiUrl } } : {}),
  });
  app.use(ignoreRetries(logger));
  app.use(allowList(listenerDeps.access, logger));
  registerCommands(app, listenerDeps);
  registerActions(app, listenerDeps);
  app.error(async (error) => {
    logger.event('error', 'bolt.unhandled', errorFields(error));
  });
  return app;
}
