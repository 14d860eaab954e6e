/**
 * The AWS SDK v3 clients the collector uses, created in one place with the house defaults. Callers
 * (and tests) may pass their own `AwsClients` instead.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { configuredEndpoint, DEFAULT_MAX_ATTEMPTS } from './endpoint';

// Also here for the collectors; modules that only need these import ./endpoint, which loads no client.
export { configuredEndpoint, DEFAULT_MAX_ATTEMPTS };

export interface AwsClients {
  lambda: LambdaClient;
  kafka: KafkaClient;
  ec2: EC2Client;
  secretsManager: SecretsManagerClient;
  kms: KMSClient;
  iam: IAMClient;
  sts: STSClient;
  /** Newer-feature reads (schema registry, destination encryption); optional so injected client sets stay valid. */
  glue?: GlueClient;
  sqs?: SQSClient;
  sns?: SNSClient;
  /** An S3 on-failure destination's default encryption (GetBucketEncryption). */
  s3?: S3Client;
  /** Progress metrics (GetMetricData). Optional so that callers built before it keep compiling; collectSnapshot skips the metric round without it. */
  cloudwatch?: CloudWatchClient;
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

/** Whether `service` goes to a configured endpoint (the global one or its own AWS_ENDPOINT_URL_<SERVICE>). */
function endpointOverridden(service: 's3', env: Record<string, string | undefined>): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return false;
  return !!(configuredEndpoint(service, env) || env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`]);
}

/** A connect or read that hangs must not hang the CLI or a Slack reply: fail the call, keep the rest. */
const REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 20_000 };

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
    glue: new GlueClient(config('glue')),
    sqs: new SQSClient(config('sqs')),
    sns: new SNSClient(config('sns')),
    // A bucket in another region answers with a redirect the client follows; an emulator's endpoint
    // (no per-bucket DNS names) is addressed path-style.
    s3: new S3Client({ ...config('s3'), followRegionRedirects: true, ...(endpointOverridden('s3', env) ? { forcePathStyle: true } : {}) }),
    cloudwatch: new CloudWatchClient(config('cloudwatch')),
    cloudtrail: new CloudTrailClient(config('cloudtrail')),
  };
}
