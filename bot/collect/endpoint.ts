/**
 * Endpoint and retry settings shared by every AWS client esm-doctor makes. Apart from ./clients so
 * that code which builds one client of its own (the Slack secret, the watcher's assumed roles)
 * reads these without loading every collector client: on Lambda those come from the runtime's SDK
 * (infra/constructs/bundling.ts), and EC2's alone takes ~0.1-0.5 s to load.
 */

/** The clients whose endpoint can be overridden; the SDK's serviceId of each. */
export type ServiceKey = 'lambda' | 'kafka' | 'ec2' | 'secretsManager' | 'kms' | 'iam' | 'sts' | 'glue' | 'sqs' | 'sns' | 's3' | 'cloudwatch' | 'cloudtrail';

/**
 * Throttling is the usual failure when ~30 read calls start at once; the SDK's standard retry
 * (exponential backoff with jitter) absorbs it in 4 attempts without making a denied call slow
 * (AccessDenied is not retried).
 */
export const DEFAULT_MAX_ATTEMPTS = 4;

/**
 * The SDK's serviceId of each client: `AWS_ENDPOINT_URL_<SERVICE ID IN UPPER CASE, SPACES AS _>`
 * is the service-specific override the SDK resolves itself.
 */
const SERVICE_IDS: Record<ServiceKey, string> = {
  lambda: 'Lambda',
  kafka: 'Kafka',
  ec2: 'EC2',
  secretsManager: 'Secrets Manager',
  kms: 'KMS',
  iam: 'IAM',
  sts: 'STS',
  glue: 'Glue',
  sqs: 'SQS',
  sns: 'SNS',
  s3: 'S3',
  cloudwatch: 'CloudWatch',
  cloudtrail: 'CloudTrail',
};

/**
 * The endpoint to pass explicitly, if any. `AWS_ENDPOINT_URL` is given as `endpoint` so that tests
 * and emulators (LocalStack, moto) work whatever the SDK version; a service-specific
 * `AWS_ENDPOINT_URL_<SERVICE>` is left to the SDK, which prefers it over the global one (an
 * explicit `endpoint` would win over it). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both off,
 * as it does in the SDK and the CLI.
 */
export function configuredEndpoint(service: ServiceKey, env: Record<string, string | undefined>): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const specific = `AWS_ENDPOINT_URL_${SERVICE_IDS[service].toUpperCase().replace(/ /g, '_')}`;
  if (env[specific]) return undefined;
  return env.AWS_ENDPOINT_URL || undefined;
}

