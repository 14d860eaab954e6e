/**
 * Lambda reads: the ESM itself (the target: its failures are typed errors, not facts), the function,
 * its reserved concurrency and the other Kafka ESMs of the same source.
 */
import {
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  ListEventSourceMappingsCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { TargetNotFound, TargetUnreadable } from '../model/errors';
import { esmSource } from '../model/esm';
import { EsmConfig, FunctionConcurrency, FunctionInfo, SiblingEsm, type Fact } from '../model/snapshot';
import type { Target } from '../model/target';
import { errorCode, jsonSafe, paginate, readFact } from './fact';

const GET_ESM = 'lambda:GetEventSourceMapping';

/**
 * GetEventSourceMapping for the target. Anything that stops us reading it ends the run with a typed
 * error the CLI and Slack turn into one line: not found, no or bad credentials, denied, throttled,
 * unreachable. Other failures are rethrown as unexpected.
 */
export async function readTargetEsm(client: LambdaClient, target: Target): Promise<EsmConfig> {
  let output: unknown;
  try {
    output = await client.send(new GetEventSourceMappingCommand({ UUID: target.uuid }));
  } catch (err) {
    throw targetError(err, target);
  }
  const parsed = EsmConfig.safeParse(jsonSafe(output ?? {}));
  if (!parsed.success) {
    throw new TargetUnreadable(`${GET_ESM} answered for ${target.uuid} without the fields of an event source mapping`);
  }
  return parsed.data;
}

const CREDENTIAL_REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignature',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'TimeoutError']);

function targetError(err: unknown, target: Target): Error {
  const code = errorCode(err);
  const e = (err ?? {}) as { message?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number } };
  const message = typeof e.message === 'string' ? e.message : '';
  const what = `cannot read event source mapping ${target.uuid} in ${target.region}`;
  if (code === 'ResourceNotFoundException') return new TargetNotFound(target.uuid, target.region);
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new TargetUnreadable(`${what}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run aws sso login)`);
  }
  if (CREDENTIAL_REJECTED.has(code)) {
    return new TargetUnreadable(`${what}: AWS rejected the credentials (${code}); refresh them and retry`);
  }
  if (/AccessDenied|Unauthorized|Forbidden/i.test(code) || e.$metadata?.httpStatusCode === 403) {
    return new TargetUnreadable(`${what}: the caller is not allowed ${GET_ESM} (${code})`);
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(code)) {
    return new TargetUnreadable(`${what}: Lambda throttled ${GET_ESM} (${code}); retry in a minute`);
  }
  const errno = (err as { code?: unknown } | undefined)?.code;
  if (NETWORK_CODES.has(code) || (typeof errno === 'string' && NETWORK_CODES.has(errno))) {
    return new TargetUnreadable(`${what}: the Lambda API could not be reached (${typeof errno === 'string' ? errno : code})`);
  }
  if (e.$fault === 'client' || e.$fault === 'server') {
    return new TargetUnreadable(`${what}: ${GET_ESM} failed with ${code}${message ? `: ${message.split('\n')[0]}` : ''}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** `arn:aws:lambda:r:a:function:name[:qualifier]` → without the qualifier (concurrency is per function). */
export function unqualifiedFunctionArn(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}

/**
 * GetFunction without `Code` (a presigned URL to the deployment package) and without the values of
 * the environment variables, which may be credentials: the Snapshot is shared and never holds secrets.
 */
export function readFunction(client: LambdaClient, functionArn: string): Promise<Fact<FunctionInfo>> {
  return readFact('lambda:GetFunction', FunctionInfo, async () => {
    const out = await client.send(new GetFunctionCommand({ FunctionName: functionArn }));
    const { Code: _code, ...rest } = out ?? {};
    const configuration = rest.Configuration ? { ...rest.Configuration } : rest.Configuration;
    if (configuration?.Environment) {
      const { Variables: _variables, ...environment } = configuration.Environment;
      configuration.Environment = environment;
    }
    return { ...rest, Configuration: configuration };
  });
}

export function readConcurrency(client: LambdaClient, functionArn: string): Promise<Fact<FunctionConcurrency>> {
  return readFact('lambda:GetFunctionConcurrency', FunctionConcurrency, async () =>
    (await client.send(new GetFunctionConcurrencyCommand({ FunctionName: unqualifiedFunctionArn(functionArn) }))) ?? {},
  );
}

const SIBLING_FIELDS = [
  'UUID',
  'FunctionArn',
  'EventSourceArn',
  'State',
  'Topics',
  'SelfManagedEventSource',
  'AmazonManagedKafkaEventSourceConfig',
  'SelfManagedKafkaEventSourceConfig',
] as const;

function trimSibling(esm: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SIBLING_FIELDS) if (esm[key] !== undefined) out[key] = esm[key];
  return out;
}

/**
 * The other Kafka ESMs of the same source, for consumer-group.unique: for MSK, those on the same
 * cluster (ListEventSourceMappings filters by EventSourceArn); for self-managed, whose ESMs have no
 * source ARN to filter by, every self-managed Kafka ESM in the region. The target itself is included.
 */
export function readSiblings(client: LambdaClient, esm: EsmConfig): Promise<Fact<SiblingEsm[]>> {
  const source = esmSource(esm);
  return readFact('lambda:ListEventSourceMappings', z.array(SiblingEsm), async () => {
    const all = await paginate(async (Marker) => {
      const out = await client.send(
        new ListEventSourceMappingsCommand({
          ...(source === 'msk' ? { EventSourceArn: esm.EventSourceArn } : {}),
          MaxItems: 100,
          ...(Marker ? { Marker } : {}),
        }),
      );
      return { items: out?.EventSourceMappings, next: out?.NextMarker };
    });
    const trimmed = all.map((m) => trimSibling(m as Record<string, unknown>) as SiblingEsm);
    return source === 'msk' ? trimmed : trimmed.filter((m) => esmSource(m) === 'self-managed');
  });
}
