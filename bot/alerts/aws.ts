/**
 * Wiring for AWS: the watcher and the alert notifier as the Lambda entry points use them, one
 * instance per container. The handlers in bot/handlers only parse the event and call these.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { createClients } from '../collect/clients';
import { configuredEndpoint, DEFAULT_MAX_ATTEMPTS } from '../collect/endpoint';
import type { Target } from '../model/target';
import { slackClient } from '../slack/app';
import { loadSlackConfig } from '../slack/config';
import { fromEngine, type EngineDiagnose } from '../slack/engine';
import { createLogger, errorFields, type SlackLogger } from '../slack/log';
import { slackEnvOnce } from '../slack/secrets';
import { DynamoStore } from '../slack/store-dynamodb';
import { DynamoAlertStore } from './alert-store-dynamodb';
import { accountOfRole, loadAlertsConfig, type AlertsConfig } from './config';
import { assumeRoleProvider } from './credentials';
import { createAlertNotifier, type AlertNotifier, type AlertNotifierDeps } from './notifier';
import type { LambdaReader } from './observe';
import type { MetricsReader } from '../collect/metrics';
import { eventBridgePublisher } from './publisher';
import { createChannelRouter, lambdaTagReader } from './router';
import { documentClient, DynamoWatchStore } from './watch-store-dynamodb';
import { createWatcher, type WatchedAccountRef, type Watcher } from './watcher';
import type { DependencyClients } from '../collect/dependencies';
import { DynamoDependencyIndex } from '../impact/dependency-index-dynamodb';
import { recordingDependencies } from '../impact/dependency-index';
import type { Snapshot } from '../model/snapshot';

type Env = Record<string, string | undefined>;

/** AWS_ENDPOINT_URL (an emulator), unless a service-specific override or the opt-out is set; as clients.ts does. */
function endpointFor(serviceEnv: string, env: Env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true' || env[`AWS_ENDPOINT_URL_${serviceEnv}`]) return undefined;
  return env.AWS_ENDPOINT_URL || undefined;
}

function dynamo(env: Env) {
  const endpoint = endpointFor('DYNAMODB', env);
  return documentClient(new DynamoDBClient({ ...(endpoint ? { endpoint } : {}) }));
}

/** Credentials per account: the function's own for its account, an assumed role (with ExternalId) for the others. */
export function credentialsByAccount(config: AlertsConfig, env: Env): Map<string, AwsCredentialIdentityProvider> {
  const out = new Map<string, AwsCredentialIdentityProvider>();
  for (const account of config.accounts) out.set(accountOfRole(account.roleArn), assumeRoleProvider(account, { env, ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) }));
  return out;
}

/** The account refs the watcher walks: its own account (unless turned off), then each role's. */
export function watchedAccounts(config: AlertsConfig): WatchedAccountRef[] {
  const refs: WatchedAccountRef[] = [];
  if (config.watchOwnAccount) refs.push(config.ownAccount ? { key: config.ownAccount, account: config.ownAccount } : { key: 'self' });
  for (const a of config.accounts) {
    const account = accountOfRole(a.roleArn);
    if (!refs.some((r) => r.account === account)) refs.push({ key: account, account });
  }
  return refs;
}

interface PerAccountClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'standard';
  requestHandler: { connectionTimeout: number; requestTimeout: number };
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
}

/** One SDK client per account and region, made on first use, with that account's credentials (the function's own when none). */
function clientsPerAccount<C>(
  service: Parameters<typeof configuredEndpoint>[0], env: Env, credentials: Map<string, AwsCredentialIdentityProvider>, make: (config: PerAccountClientConfig) => C,
): (account: string, region: string) => C {
  const cache = new Map<string, C>();
  const endpoint = configuredEndpoint(service, env);
  return (account, region) => {
    const key = `${account}#${region}`;
    let client = cache.get(key);
    if (!client) {
      const creds = credentials.get(account);
      client = make({
        region,
        maxAttempts: DEFAULT_MAX_ATTEMPTS,
        retryMode: 'standard',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
        ...(endpoint ? { endpoint } : {}),
        ...(creds ? { credentials: creds } : {}),
      });
      cache.set(key, client);
    }
    return client;
  };
}

function lambdaClients(env: Env, credentials: Map<string, AwsCredentialIdentityProvider>): (account: string, region: string) => LambdaReader {
  return clientsPerAccount('lambda', env, credentials, (config) => new LambdaClient(config));
}

/** The watcher's stall round: one CloudWatch client per account and region, with the same credentials as its Lambda client. */
function cloudwatchClients(env: Env, credentials: Map<string, AwsCredentialIdentityProvider>): (account: string, region: string) => MetricsReader {
  return clientsPerAccount('cloudwatch', env, credentials, (config) => new CloudWatchClient(config));
}

export function watcherFromEnv(env: Env, overrides: { logger?: SlackLogger } = {}): Watcher {
  const config = loadAlertsConfig(env, 'watcher');
  const level = ['debug', 'info', 'warn', 'error'].find((l) => l === env.LOG_LEVEL) as 'debug' | 'info' | 'warn' | 'error' | undefined;
  const logger = overrides.logger ?? createLogger({ name: 'esm-doctor.watcher', level: level ?? 'info' });
  const credentials = credentialsByAccount(config, env);
  const eventsEndpoint = endpointFor('EVENTBRIDGE', env);
  return createWatcher({
    store: new DynamoWatchStore({ table: config.table, client: dynamo(env) }),
    publisher: eventBridgePublisher(new EventBridgeClient({ ...(eventsEndpoint ? { endpoint: eventsEndpoint } : {}) }), config.eventBus!),
    accounts: watchedAccounts(config),
    regions: config.regions,
    lambdaFor: lambdaClients(env, credentials),
    metricsFor: cloudwatchClients(env, credentials),
    holdMs: config.recoveryHoldMinutes * 60_000,
    logger,
    dependencies: { index: dependencyIndexFromEnv(env, config.table), clientsFor: dependencyClients(env, credentials) },
  });
}

/** The dependency index on the state table (bot/impact/dependency-index-dynamodb.ts). */
export function dependencyIndexFromEnv(env: Env, table: string): DynamoDependencyIndex {
  return new DynamoDependencyIndex({ table, client: dynamo(env) });
}

/**
 * A deployed engine (alert, Slack worker, pre-alert) that also records each diagnosed ESM's
 * dependencies in the index; a failed write is logged, the report goes out regardless. Without a
 * table (a local run), the engine as it is.
 */
export function recordingEngine<A extends unknown[], D extends { snapshot?: Pick<Snapshot, 'esm'> & Partial<Snapshot> }>(env: Env, engine: (...args: A) => Promise<D>): (...args: A) => Promise<D> {
  if (!env.ESM_DOCTOR_TABLE) return engine;
  const logger = createLogger({ name: 'esm-doctor.index' });
  return recordingDependencies(engine, dependencyIndexFromEnv(env, env.ESM_DOCTOR_TABLE), { onError: (err) => logger.event('warn', 'index.record-failed', errorFields(err)) });
}

/**
 * The watcher's dependency reads, per account (its credentials) and region. Loaded on first need:
 * a quiet run reads nothing, and the collector clients are not worth loading at init.
 */
function dependencyClients(env: Env, credentials: Map<string, AwsCredentialIdentityProvider>): (account: string, region: string) => Promise<DependencyClients> {
  const cache = new Map<string, Promise<DependencyClients>>();
  return (account, region) => {
    const key = `${account}#${region}`;
    let clients = cache.get(key);
    if (!clients) {
      const creds = credentials.get(account);
      clients = import('../collect/clients').then((c) => c.createClients(region, { env, ...(creds ? { credentials: creds } : {}) }));
      cache.set(key, clients);
    }
    return clients;
  };
}

/** The wiring built on the first event and reused by every later one in the container; a failed build is tried again on the next. */
export function onceUntilFailed<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    if (!built) {
      built = build();
      built.catch(() => {
        built = undefined;
      });
    }
    return built;
  };
}

/**
 * The notifier, built on the first event (the Slack tokens may have to be read from Secrets
 * Manager first) and reused by every later one in the container.
 */
export function alertNotifierFromEnv(
  env: Env,
  engine: EngineDiagnose,
  overrides: { logger?: SlackLogger; pacing?: AlertNotifierDeps['pacing'] } = {},
): () => Promise<AlertNotifier> {
  const build = async (): Promise<AlertNotifier> => {
    const resolved = await slackEnvOnce(env);
    const slackConfig = loadSlackConfig(resolved, 'worker');
    const config = loadAlertsConfig(resolved, 'alert');
    const logger = overrides.logger ?? createLogger({ name: 'esm-doctor.alerts', level: slackConfig.logLevel });
    const credentials = credentialsByAccount(config, resolved);
    const lambdaFor = lambdaClients(resolved, credentials);
    const withCredentials = acrossAccounts(engine, credentials, resolved);
    return createAlertNotifier({
      slack: slackClient(slackConfig, logger, { rejectRateLimitedCalls: true }),
      store: new DynamoStore({ table: config.table, client: dynamo(resolved) }),
      ...(overrides.pacing ? { pacing: overrides.pacing } : {}),
      alerts: new DynamoAlertStore({ table: config.table, client: dynamo(resolved) }),
      diagnose: fromEngine(withCredentials, { inspectSecrets: slackConfig.inspectSecrets, probe: slackConfig.probe, changes: slackConfig.changes }),
      probe: slackConfig.probe !== 'off',
      ...(slackConfig.remediation ? { remediation: true } : {}),
      router: createChannelRouter({
        defaultChannel: config.defaultChannel!,
        prefixes: config.channelPrefixes,
        tagKey: config.channelTag,
        readTags: lambdaTagReader(lambdaFor),
        onProblem: (problem, change) => logger.event('warn', 'alert.routing', { uuid: change.uuid, problem }),
      }),
      buttonKey: slackConfig.buttonKey,
      fallbackChannel: config.defaultChannel!,
      storm: { threshold: config.stormThreshold, windowMinutes: config.stormWindowMinutes },
      logger,
    });
  };
  return onceUntilFailed(build);
}

/** The engine, diagnosing an ESM of a watched account with that account's role (and ExternalId), as the watcher reads it. */
export function acrossAccounts(engine: EngineDiagnose, credentials: Map<string, AwsCredentialIdentityProvider>, env: Env): EngineDiagnose {
  // Diagnose other accounts with the same role the watcher reads them with.
  return (target: Target, options) => {
    const creds = target.account ? credentials.get(target.account) : undefined;
    if (!creds) return engine(target, options);
    // Lazy: the collector clients load with the first diagnosis, not with the function (init time).
    return import('../collect/clients').then((c) => engineWith(engine, target, options, c.createClients(target.region, { env, credentials: creds })));
  };
}

/**
 * For the Slack worker: /esm diagnose, Re-run and Run live probe on an ESM of a watched account
 * take the same assume-role path as the alerts (ESM_DOCTOR_ACCOUNTS, one role and ExternalId per
 * account). Without ESM_DOCTOR_ACCOUNTS the engine runs with the function's own credentials.
 */
export function workerEngine(env: Env, engine: EngineDiagnose): EngineDiagnose {
  if (!env.ESM_DOCTOR_ACCOUNTS) return engine;
  const config = loadAlertsConfig({ ...env, ESM_DOCTOR_TABLE: env.ESM_DOCTOR_TABLE ?? 'unused-by-the-worker' }, 'alert-worker');
  return acrossAccounts(engine, credentialsByAccount(config, env), env);
}

/** bot/diagnose takes injected clients as an option; EngineDiagnose's options do not name it. */
function engineWith(engine: EngineDiagnose, target: Target, options: Parameters<EngineDiagnose>[1], clients: ReturnType<typeof createClients>) {
  return (engine as (t: Target, o: Record<string, unknown>) => ReturnType<EngineDiagnose>)(target, { ...options, clients });
}
