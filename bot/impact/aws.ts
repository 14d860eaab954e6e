/**
 * Wiring for the deployed pre-alert (bot/handlers/impact): the same Slack client, stores, router and
 * per-account credentials as the alert notifier (bot/alerts/aws.ts), built once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { credentialsByAccount, onceUntilFailed } from '../alerts/aws';
import { diagnose } from '../diagnose';
import { indexedDependents, indexScope, recordingDependencies, type Dependent } from './dependency-index';
import { DynamoDependencyIndex } from './dependency-index-dynamodb';
import { DynamoAlertStore } from '../alerts/alert-store-dynamodb';
import { loadAlertsConfig } from '../alerts/config';
import { createChannelRouter, lambdaTagReader } from '../alerts/router';
import { documentClient } from '../store/dynamodb';
import { configuredEndpoint, createClients, DEFAULT_MAX_ATTEMPTS, type AwsClients } from '../collect/clients';
import { slackClient } from '../slack/app';
import { loadSlackConfig } from '../slack/config';
import { createLogger, errorFields, type SlackLogger } from '../slack/log';
import { slackEnvOnce } from '../slack/secrets';
import { DynamoStore } from '../slack/store-dynamodb';
import { createPreAlerter } from './prealert';

type Env = Record<string, string | undefined>;

export interface PreAlertWiring {
  preAlerter: ReturnType<typeof createPreAlerter>;
  /** SDK clients for the account and region a CloudTrail event comes from. */
  clientsFor(account: string | undefined, region: string): AwsClients;
  logger: SlackLogger;
  /** The engine, recording each re-diagnosed ESM's dependencies in the index. */
  diagnose: typeof diagnose;
  /** The dependents of `keys` in an account and region from the index; undefined: read them live. */
  indexed(account: string | undefined, region: string, keys: string[]): Promise<Dependent[] | undefined>;
}

export function preAlertFromEnv(env: Env): () => Promise<PreAlertWiring> {
  const build = async (): Promise<PreAlertWiring> => {
    const resolved = await slackEnvOnce(env);
    const slackConfig = loadSlackConfig(resolved, 'worker');
    const config = loadAlertsConfig(resolved, 'alert');
    const logger = createLogger({ name: 'esm-doctor.prealert', level: slackConfig.logLevel });
    const credentials = credentialsByAccount(config, resolved);
    // As bot/alerts/aws.ts: AWS_ENDPOINT_URL (an emulator) unless a DynamoDB-specific one or the opt-out is set.
    const dynamoEndpoint =
      resolved.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true' || resolved.AWS_ENDPOINT_URL_DYNAMODB ? undefined : resolved.AWS_ENDPOINT_URL || undefined;
    const dynamo = documentClient(new DynamoDBClient({ ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}) }));
    const lambdaEndpoint = configuredEndpoint('lambda', resolved);
    const tagClients = new Map<string, LambdaClient>();
    const lambdaFor = (account: string, region: string) => {
      const key = `${account}#${region}`;
      let client = tagClients.get(key);
      if (!client) {
        const creds = credentials.get(account);
        client = new LambdaClient({ region, maxAttempts: DEFAULT_MAX_ATTEMPTS, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}), ...(creds ? { credentials: creds } : {}) });
        tagClients.set(key, client);
      }
      return client;
    };
    const preAlerter = createPreAlerter({
      slack: slackClient(slackConfig, logger),
      store: new DynamoStore({ table: config.table, client: dynamo }),
      alerts: new DynamoAlertStore({ table: config.table, client: dynamo }),
      router: createChannelRouter({
        defaultChannel: config.defaultChannel!,
        prefixes: config.channelPrefixes,
        tagKey: config.channelTag,
        readTags: lambdaTagReader(lambdaFor),
        onProblem: (problem, change) => logger.event('warn', 'prealert.routing', { uuid: change.uuid, problem }),
      }),
      buttonKey: slackConfig.buttonKey,
      probe: slackConfig.probe !== 'off',
    });
    const clientsFor = (account: string | undefined, region: string) => {
      const creds = account ? credentials.get(account) : undefined;
      return createClients(region, { env: resolved, ...(creds ? { credentials: creds } : {}) });
    };
    const index = new DynamoDependencyIndex({ table: config.table, client: dynamo });
    const onError = (err: unknown) => logger.event('warn', 'prealert.index-failed', errorFields(err));
    return {
      preAlerter,
      clientsFor,
      logger,
      diagnose: recordingDependencies(diagnose, index, { onError }),
      indexed: async (account, region, keys) => (account ? indexedDependents(index, indexScope(account, region), keys, { onError }) : undefined),
    };
  };
  return onceUntilFailed(build);
}
