/**
 * The AWS SDK v3 clients the collector uses, created in one place with the house defaults. Callers
 * (and tests) may pass their own `AwsClients` instead.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  lambda: LambdaClient;
  kafka: KafkaClient;
  ec2: EC2Client;
  secretsManager: SecretsManagerClient;
  kms: KMSClient;
  iam: IAMClient;
  sts: STSClient;
  /** Only for Report.changes (LookupEvents); callers that pass their own clients may leave it out. */
  cloudtrail?: CloudTrailClient;
}

export interface ClientOptions {
  /** Defaults to process.env; read for AWS_ENDPOINT_URL and friends. */
  env?: Record<string, string | undefined>;
  /** Total attempts per call, the first included. */
  maxAttempts?: number;
  /** Defaults to the SDK's default credential chain. */
  credentials?: LambdaClientConfig['credentials'];
}

/**
 * Throttling is the usual failure when ~30 read calls start at once; the SDK's standard retry
 * (exponential backoff with jitter) absorbs it in 4 attempts without making a denied call slow
 * (AccessDenied is not retried).
 */
export const DEFAULT_MAX_ATTEMPTS = 4;

/** A connect or read that hangs must not hang the CLI or a Slack reply: fail the call, keep the rest. */
const REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 20_000 };

/**
 * The SDK's serviceId of each client: `AWS_ENDPOINT_URL_<SERVICE ID IN UPPER CASE, SPACES AS _>`
 * is the service-specific override the SDK resolves itself.
 */
const SERVICE_IDS: Record<keyof AwsClients, string> = {
  lambda: 'Lambda',
  kafka: 'Kafka',
  ec2: 'EC2',
  secretsManager: 'Secrets Manager',
  kms: 'KMS',
  iam: 'IAM',
  sts: 'STS',
  cloudtrail: 'CloudTrail',
};

/**
 * The endpoint to pass explicitly, if any. `AWS_ENDPOINT_URL` is given as `endpoint` so that tests
 * and emulators (LocalStack, moto) work whatever the SDK version; a service-specific
 * `AWS_ENDPOINT_URL_<SERVICE>` is left to the SDK, which prefers it over the global one (an
 * explicit `endpoint` would win over it). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both off,
 * as it does in the SDK and the CLI.
 */
export function configuredEndpoint(service: keyof AwsClients, env: Record<string, string | undefined>): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const specific = `AWS_ENDPOINT_URL_${SERVICE_IDS[service].toUpperCase().replace(/ /g, '_')}`;
  if (env[specific]) return undefined;
  return env.AWS_ENDPOINT_URL || undefined;
}

export function createClients(region: string, options: ClientOptions = {}): AwsClients {
  const env = options.env ?? process.env;
  const config = (service: keyof AwsClients) => {
    const endpoint = configuredEndpoint(service, env);
    return {
      region,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'standard',
      requestHandler: REQUEST_HANDLER,
      ...(endpoint ? { endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
  };
  return {
    lambda: new LambdaClient(config('lambda')),
    kafka: new KafkaClient(config('kafka')),
    ec2: new EC2Client(config('ec2')),
    secretsManager: new SecretsManagerClient(config('secretsManager')),
    kms: new KMSClient(config('kms')),
    iam: new IAMClient(config('iam')),
    sts: new STSClient(config('sts')),
    cloudtrail: new CloudTrailClient(config('cloudtrail')),
  };
}
