import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterV2Command } from '@aws-sdk/client-kafka';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { configuredEndpoint, createClients, DEFAULT_MAX_ATTEMPTS, type AwsClients } from '../../../bot/collect/clients';
import { CREDENTIALS } from '../../support/collect-fixtures';

const ENDPOINT_VARS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KAFKA', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_S3', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const v of ENDPOINT_VARS) {
    saved[v] = process.env[v];
    delete process.env[v];
  }
});
afterEach(() => {
  for (const v of ENDPOINT_VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

class Captured extends Error {
  constructor(readonly url: string) {
    super('request captured, not sent');
  }
}

/** Sends a command through the real middleware stack and stops it once the HTTP request is built: no network. */
async function requestUrl(client: NonNullable<AwsClients[keyof AwsClients]>, command: unknown): Promise<string> {
  const stack = client.middlewareStack as unknown as {
    add: (mw: (next: unknown) => (args: { request: { protocol: string; hostname: string; port?: number; path: string } }) => Promise<never>, options: object) => void;
  };
  stack.add(
    () => async (args) => {
      const r = args.request;
      throw new Captured(`${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}`);
    },
    { step: 'build', name: 'captureRequest', override: true },
  );
  try {
    await (client.send as (c: unknown) => Promise<unknown>)(command);
  } catch (err) {
    if (err instanceof Captured) return err.url;
    throw err;
  }
  throw new Error('the request was sent');
}

describe('createClients', () => {
  it('sends every client to AWS_ENDPOINT_URL when it is set', async () => {
    const clients = createClients('eu-west-1', { env: { AWS_ENDPOINT_URL: 'http://localhost:4566' }, credentials: CREDENTIALS });
    expect(await requestUrl(clients.lambda, new GetEventSourceMappingCommand({ UUID: '14e0db71-5d35-4eb5-b481-8945cf9d10c2' }))).toBe(
      'http://localhost:4566/2015-03-31/event-source-mappings/14e0db71-5d35-4eb5-b481-8945cf9d10c2',
    );
    expect(await requestUrl(clients.ec2, new DescribeSubnetsCommand({}))).toBe('http://localhost:4566/');
    for (const client of Object.values(clients)) {
      const endpoint = await (client.config as { endpoint?: () => Promise<{ hostname: string; port?: number }> }).endpoint?.();
      expect(endpoint).toMatchObject({ hostname: 'localhost', port: 4566 });
    }
  });

  it('leaves a service-specific AWS_ENDPOINT_URL_<SERVICE> to the SDK, which prefers it', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    process.env.AWS_ENDPOINT_URL_KAFKA = 'http://localhost:5001';
    const clients = createClients('eu-west-1', { credentials: CREDENTIALS });
    expect(await requestUrl(clients.kafka, new DescribeClusterV2Command({ ClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/abc' }))).toMatch(
      /^http:\/\/localhost:5001\//,
    );
    expect(await requestUrl(clients.lambda, new GetEventSourceMappingCommand({ UUID: '14e0db71-5d35-4eb5-b481-8945cf9d10c2' }))).toMatch(/^http:\/\/localhost:4566\//);
  });

  it('uses the regional AWS endpoints when no endpoint is configured', async () => {
    const clients = createClients('eu-west-1', { env: {}, credentials: CREDENTIALS });
    expect(await requestUrl(clients.lambda, new GetEventSourceMappingCommand({ UUID: '14e0db71-5d35-4eb5-b481-8945cf9d10c2' }))).toMatch(
      /^https:\/\/lambda\.eu-west-1\.amazonaws\.com\//,
    );
  });

  it('addresses S3 buckets path-style at a configured endpoint (an emulator has no per-bucket names), virtual-hosted at AWS', async () => {
    const read = new GetBucketEncryptionCommand({ Bucket: 'orders-failed-batches' });
    const emulated = createClients('eu-west-1', { env: { AWS_ENDPOINT_URL: 'http://localhost:4566' }, credentials: CREDENTIALS });
    expect(await requestUrl(emulated.s3!, read)).toBe('http://localhost:4566/orders-failed-batches/');
    process.env.AWS_ENDPOINT_URL_S3 = 'http://localhost:4570';
    const ownEndpoint = createClients('eu-west-1', { credentials: CREDENTIALS });
    expect(await requestUrl(ownEndpoint.s3!, read)).toBe('http://localhost:4570/orders-failed-batches/');
    delete process.env.AWS_ENDPOINT_URL_S3;
    const aws = createClients('eu-west-1', { env: {}, credentials: CREDENTIALS });
    expect(await requestUrl(aws.s3!, read)).toBe('https://orders-failed-batches.s3.eu-west-1.amazonaws.com/');
  });

  it('retries DEFAULT_MAX_ATTEMPTS times unless told otherwise', async () => {
    const clients = createClients('eu-west-1', { env: {}, credentials: CREDENTIALS });
    expect(await clients.ec2.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(await createClients('eu-west-1', { env: {}, maxAttempts: 2 }).iam.config.maxAttempts()).toBe(2);
  });
});

describe('configuredEndpoint', () => {
  it('gives AWS_ENDPOINT_URL, except for a service with its own variable or when endpoints are ignored', () => {
    expect(configuredEndpoint('sts', { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBe('http://localhost:4566');
    expect(configuredEndpoint('secretsManager', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://b' })).toBeUndefined();
    expect(configuredEndpoint('sts', { AWS_ENDPOINT_URL: 'http://a', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
    expect(configuredEndpoint('ec2', {})).toBeUndefined();
  });
});
