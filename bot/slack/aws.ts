/**
 * Wiring for AWS: the Slack handler (AwsLambdaReceiver; acks, hands jobs to the worker with an
 * asynchronous invoke) and the worker (runs a job: diagnose, post or edit). One instance of each
 * concern per container, built at init; the handlers in bot/handlers only call these.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AwsLambdaReceiver } from '@slack/bolt';
import { createApp, slackClient } from './app';
import { describeConfig, loadSlackConfig } from './config';
import { fromEngine, type EngineDiagnose } from './engine';
import { Job, runJob, type JobOutcome } from './jobs';
import { createLogger, type SlackLogger } from './log';
import { deferUntilSecrets, needsSlackSecret } from './secrets';
import { DynamoStore } from './store-dynamodb';
import { issueLines } from '../model/parse-issues';
import { RemediationJob, runRemediation, type ApplyFixPlan, type RemediationOutcome } from './remediation';

type AwsHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

/** A dispatch that invokes the worker asynchronously: Lambda queues the event and answers 202 at once. */
export function invokeWorker(lambda: LambdaClient, functionName: string): (job: Job) => Promise<void> {
  return async (job) => {
    const payload = Job.parse(job);
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (out.StatusCode !== undefined && out.StatusCode !== 202) throw new Error(`the worker invoke answered ${out.StatusCode}`);
  };
}

/** Slack's own rule: a request more than five minutes from now, either way, is not answered. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (k.toLowerCase() === name && typeof v === 'string') return v;
  return undefined;
}

/**
 * Bolt's AwsLambdaReceiver refuses only timestamps more than five minutes in the past; a signed
 * request dated in the future would be replayable until then. Both directions are refused here,
 * before the receiver (and its signature check) sees the request.
 * https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function freshTimestampsOnly(handler: AwsHandler, logger: SlackLogger, now: () => number = Date.now): AwsHandler {
  return (async (event: Parameters<AwsHandler>[0], ...rest: unknown[]) => {
    const raw = headerValue((event as { headers?: unknown } | undefined)?.headers, 'x-slack-request-timestamp');
    const ts = raw && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
    const skew = ts === undefined ? undefined : ts - Math.floor(now() / 1000);
    if (skew === undefined || Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
      logger.event('warn', 'slack.stale-timestamp', { skewSeconds: skew ?? 'missing' });
      return { statusCode: 401, body: '' };
    }
    return (handler as (...args: unknown[]) => ReturnType<AwsHandler>)(event, ...rest);
  }) as AwsHandler;
}

/** Hands an approved fix to the remediation Lambda (asynchronous invoke; it re-reads the request from the table). */
export function invokeRemediation(lambda: LambdaClient, functionName: string): (job: RemediationJob) => Promise<void> {
  return async (job) => {
    const payload = RemediationJob.parse(job);
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
    );
    if (out.StatusCode !== undefined && out.StatusCode !== 202) throw new Error(`the remediation invoke answered ${out.StatusCode}`);
  };
}

export function slackLambdaHandler(
  env: Record<string, string | undefined>,
  overrides: { lambda?: LambdaClient; logger?: SlackLogger } = {},
): AwsHandler {
  // Tokens in Secrets Manager (SLACK_SECRET_ARN): build on the first request, once they are read.
  if (needsSlackSecret(env)) return deferUntilSecrets(env, (resolved) => slackLambdaHandler(resolved, overrides) as (...args: Parameters<AwsHandler>) => Promise<Awaited<ReturnType<AwsHandler>>>);
  const config = loadSlackConfig(env, 'lambda');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const receiver = new AwsLambdaReceiver({
    signingSecret: config.signingSecret!,
    logger,
    invalidRequestSignatureHandler: ({ ts }) => logger.event('warn', 'slack.bad-signature', { ts }),
  });
  const lambda = overrides.lambda ?? new LambdaClient({});
  createApp(config, {
    receiver,
    store: new DynamoStore({ table: config.table! }),
    dispatch: invokeWorker(lambda, config.workerFunction!),
    ...(config.remediation?.function ? { remediate: invokeRemediation(lambda, config.remediation.function) } : {}),
    logger,
  });
  logger.event('info', 'slack.handler-ready', describeConfig(config));
  return freshTimestampsOnly(receiver.toHandler(), logger);
}

export function workerHandler(
  env: Record<string, string | undefined>,
  engine: EngineDiagnose,
  overrides: { logger?: SlackLogger } = {},
): (event: unknown) => Promise<{ outcome: JobOutcome | 'rejected' }> {
  if (needsSlackSecret(env)) return deferUntilSecrets(env, (resolved) => workerHandler(resolved, engine, overrides));
  const config = loadSlackConfig(env, 'worker');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const deps = {
    slack: slackClient(config, logger),
    store: new DynamoStore({ table: config.table! }),
    diagnose: fromEngine(engine, { inspectSecrets: config.inspectSecrets, probe: config.probe, changes: config.changes }),
    buttonKey: config.buttonKey,
    probe: config.probe !== 'off',
    ...(config.remediation ? { remediation: true } : {}),
    logger,
  };
  return async (event) => {
    const job = Job.safeParse(event);
    if (!job.success) {
      // Not retried: a malformed job stays malformed.
      logger.event('error', 'worker.bad-job', { issues: issueLines(job.error) });
      return { outcome: 'rejected' };
    }
    return { outcome: await runJob(job.data, deps) };
  };
}

/**
 * The remediation Lambda: one approved fix per event ({hash, id}), applied with this function's own
 * role (`apply`), then re-diagnosed. Idempotent through the request's conditional state changes, so
 * Lambda's retries of an async invoke apply it at most once.
 */
export function remediationHandler(
  env: Record<string, string | undefined>,
  engine: EngineDiagnose,
  apply: ApplyFixPlan,
  overrides: { logger?: SlackLogger } = {},
): (event: unknown) => Promise<{ outcome: RemediationOutcome | 'rejected' }> {
  if (needsSlackSecret(env)) return deferUntilSecrets(env, (resolved) => remediationHandler(resolved, engine, apply, overrides));
  const config = loadSlackConfig(env, 'worker');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, name: 'esm-doctor.remediation' });
  const remediation = config.remediation;
  const deps = {
    slack: slackClient(config, logger),
    store: new DynamoStore({ table: config.table! }),
    diagnose: fromEngine(engine, { inspectSecrets: config.inspectSecrets, probe: 'off' }),
    apply,
    buttonKey: config.buttonKey,
    logger,
    approvers: { users: remediation?.approvers ?? [], groups: remediation?.approverGroups ?? [] },
    probe: config.probe !== 'off',
  };
  return async (event) => {
    const job = RemediationJob.safeParse(event);
    if (!job.success || !remediation) {
      // Not retried: a malformed event stays malformed, and a deployment with remediation off applies nothing.
      logger.event('error', 'remediation.rejected', job.success ? { reason: 'ESM_DOCTOR_REMEDIATION is not on' } : { issues: issueLines(job.error) });
      return { outcome: 'rejected' };
    }
    return { outcome: await runRemediation(job.data, deps) };
  };
}
