/**
 * Wiring for AWS: the watcher and the alert notifier as the Lambda entry points use them, one
 * instance per container. The handlers in bot/handlers only parse the event and call these.
 */
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
import { createLogger, type SlackLogger } from '../slack/log';
import { slackEnvOnce } from '../slack/secrets';
import { DynamoStore } from '../slack/store-dynamodb';
import { DynamoAlertStore } from './alert-store-dynamodb';
import { accountOfRole, loadAlertsConfig, type AlertsConfig } from './config';
import { assumeRoleProvider } from './credentials';
import { createAlertNotifier, type AlertNotifier } from './notifier';
import type { LambdaReader } from './observe';
import { eventBridgePublisher } from './publisher';
import { createChannelRouter, lambdaTagReader } from './router';
import { documentClient, DynamoWatchStore } from './watch-store-dynamodb';
import { createWatcher, type WatchedAccountRef, type Watcher } from './watcher';

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

function lambdaClients(env: Env, credentials: Map<string, AwsCredentialIdentityProvider>): (account: string, region: string) => LambdaReader {
  const cache = new Map<string, LambdaClient>();
  const endpoint = configuredEndpoint('lambda', env);
  return (account, region) => {
    const key = `${account}#${region}`;
    let client = cache.get(key);
    if (!client) {
      const creds = credentials.get(account);
      client = new LambdaClient({
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
    holdMs: config.recoveryHoldMinutes * 60_000,
    logger,
  });
}

/**
 * The notifier, built on the first event (the Slack tokens may have to be read from Secrets
 * Manager first) and reused by every later one in the container.
 */
export function alertNotifierFromEnv(env: Env, engine: EngineDiagnose, overrides: { logger?: SlackLogger } = {}): () => Promise<AlertNotifier> {
  let built: Promise<AlertNotifier> | undefined;
  const build = async (): Promise<AlertNotifier> => {
    const resolved = await slackEnvOnce(env);
    const slackConfig = loadSlackConfig(resolved, 'worker');
    const config = loadAlertsConfig(resolved, 'alert');
    const logger = overrides.logger ?? createLogger({ name: 'esm-doctor.alerts', level: slackConfig.logLevel });
    const credentials = credentialsByAccount(config, resolved);
    const lambdaFor = lambdaClients(resolved, credentials);
    // Diagnose other accounts with the same role the watcher reads them with.
    const withCredentials: EngineDiagnose = (target: Target, options) => {
      const creds = target.account ? credentials.get(target.account) : undefined;
      if (!creds) return engine(target, options);
      // Lazy: the collector clients load with the first diagnosis, not with the function (init time).
      return import('../collect/clients').then((c) => engineWith(engine, target, options, c.createClients(target.region, { env: resolved, credentials: creds })));
    };
    return createAlertNotifier({
      slack: slackClient(slackConfig, logger),
      store: new DynamoStore({ table: config.table, client: dynamo(resolved) }),
      alerts: new DynamoAlertStore({ table: config.table, client: dynamo(resolved) }),
      diagnose: fromEngine(withCredentials, { inspectSecrets: slackConfig.inspectSecrets, probe: slackConfig.probe }),
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

/** bot/diagnose takes injected clients as an option; EngineDiagnose's options do not name it. */
function engineWith(engine: EngineDiagnose, target: Target, options: Parameters<EngineDiagnose>[1], clients: ReturnType<typeof createClients>) {
  return (engine as (t: Target, o: Record<string, unknown>) => ReturnType<EngineDiagnose>)(target, { ...options, clients });
}
