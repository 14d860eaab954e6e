/**
 * How every esm-doctor Lambda is bundled, in one place: EsmDoctorFunction hands these options to
 * NodejsFunction (local esbuild), and `npm run bench` builds the same options with esbuild's
 * metafile to print each bundle's size, its ten biggest packages and its module init time.
 *
 * Where the bytes went (bench, before): the worker and alert bundles were 4.7 MB, the Slack and
 * watcher ones 2.8 MB. About 1 MB was @aws-sdk/client-ec2, 0.5 MB each undici (Socket Mode's
 * WebSocket) and iconv-lite (Express's body parser), 0.4 MB the shared Smithy runtime. Three choices
 * bring each handler under 1.5 MB:
 *
 *  1. The nodejs22.x runtime's own AWS SDK v3 (it ships every @aws-sdk/* package:
 *     https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html, "Runtime-included SDK
 *     versions") for the clients whose calls and response fields have been stable for years, so a
 *     runtime copy some months older than our lock file reads them the same: EC2 (subnets, route
 *     tables, NAT gateways, endpoints, security groups, NACLs), IAM, KMS, STS, Secrets Manager, S3 (GetBucketEncryption),
 *     DynamoDB, EventBridge, CloudWatch, CloudTrail, and MSK (DescribeClusterV2's authentication,
 *     encryption and networking blocks, GetBootstrapBrokers). An older SDK's deserializer drops
 *     response fields it does not know, so the Lambda client, whose ESM configuration keeps gaining
 *     fields the checks read (provisioned pollers, metrics, logging, schema registry), stays bundled
 *     at the version the tests run.
 *  2. Bolt's index loads all of its receivers. On Lambda only AwsLambdaReceiver runs, so Express
 *     (with its body parser), the Node HTTP receiver's raw-body, Socket Mode (ws, undici) and the
 *     OAuth installer resolve to lambda-stub.cjs, which throws if anything ever calls it.
 *  3. kafkajs (and the MSK IAM signer) only in the probe function, the one place a Lambda replays
 *     a connection: the worker and alert functions sit outside the ESMs' VPCs and probe through
 *     it (ESM_DOCTOR_PROBE=remote); there the probe's Kafka client is the stub, so a `local`
 *     probe configured on Lambda fails loudly. The Slack receiver and the watcher never import it.
 *
 * The tests run the same sources against the locked SDK; test/infra/bundles.test.ts builds each
 * handler with these options and answers a request through the built file, stubs and all.
 */
import * as path from 'node:path';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Left to the nodejs22.x runtime's copy (see 1 above). */
export const RUNTIME_SDK_MODULES = [
  '@aws-sdk/client-cloudtrail',
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-iam',
  '@aws-sdk/client-kafka',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-glue',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-sts',
  '@aws-sdk/lib-dynamodb',
];

/** Server-side pieces of Bolt no Lambda handler runs (see 2 above), and the SDK's browser-only user-agent parser. */
export const NOT_ON_LAMBDA = ['express', 'raw-body', '@slack/socket-mode', '@slack/oauth', 'bowser'];

/** The probe's Kafka client, where no probe runs (see 3 above). */
export const PROBE_ONLY = ['kafkajs', 'aws-msk-iam-sasl-signer-js'];

/** Handlers that replay connections themselves. */
const PROBES_HERE = new Set(['probe']);

function stubbed(handler: string): string[] {
  return [...NOT_ON_LAMBDA, ...(PROBES_HERE.has(handler) ? [] : PROBE_ONLY)];
}

export const LAMBDA_STUB = path.join(__dirname, 'lambda-stub.cjs');

/** The esbuild options of one handler's bundle (bot/handlers/<handler>.ts), as the CDK builds it. */
export function lambdaBuildOptions(handler: string) {
  return {
    entryPoints: [path.join(PROJECT_ROOT, 'bot', 'handlers', `${handler}.ts`)],
    bundle: true,
    platform: 'node' as const,
    target: 'node22',
    format: 'cjs' as const,
    minify: true,
    external: [...RUNTIME_SDK_MODULES],
    alias: Object.fromEntries(stubbed(handler).map((m) => [m, LAMBDA_STUB])),
  };
}

/** The same, as NodejsFunction's `bundling` arguments. */
export function nodejsBundlingArgs(handler: string): { externalModules: string[]; esbuildArgs: Record<string, string> } {
  return {
    externalModules: [...RUNTIME_SDK_MODULES],
    esbuildArgs: Object.fromEntries(stubbed(handler).map((m) => [`--alias:${m}`, LAMBDA_STUB])),
  };
}
