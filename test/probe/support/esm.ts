/** ProbeRequests for the tests: a self-managed ESM on given bootstrap servers, or an MSK one. */
import type { ProbeRequest } from '../../../bot/probe/plan';
import type { SecretReader } from '../../../bot/probe/credentials';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const UUID = '5f0e7b3c-2d1a-4c6b-9e8f-0a1b2c3d4e5f';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:probe-test-consumer`;

export function secretArn(name: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

export function selfManaged(bootstrap: string[], opts: { topic?: string; group?: string; access?: Array<{ Type: string; URI: string }> } = {}): ProbeRequest {
  return {
    target: { uuid: UUID, region: REGION, account: ACCOUNT },
    esm: {
      UUID: UUID,
      FunctionArn: FUNCTION_ARN,
      State: 'Enabled',
      Topics: [opts.topic ?? 'orders'],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: bootstrap } },
      SourceAccessConfigurations: opts.access ?? [],
      ...(opts.group ? { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: opts.group } } : {}),
    },
  };
}

/** An MSK ESM with IAM auth whose BootstrapBrokerStringSaslIam is `bootstrap`. */
export function mskIam(bootstrap: string[], topic = 'orders'): ProbeRequest {
  const clusterArn = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/probe-test/0a1b2c3d-1111-2222-3333-444455556666-1`;
  return {
    target: { uuid: UUID, region: REGION, account: ACCOUNT },
    esm: { UUID: UUID, FunctionArn: FUNCTION_ARN, State: 'Enabled', Topics: [topic], EventSourceArn: clusterArn },
    cluster: {
      ClusterArn: clusterArn,
      ClusterType: 'PROVISIONED',
      State: 'ACTIVE',
      Provisioned: {
        BrokerNodeGroupInfo: { ClientSubnets: ['subnet-0a11aa11aa11aa111'], SecurityGroups: ['sg-0a1b2c3d4e5f60718'] },
        ClientAuthentication: { Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } }, Unauthenticated: { Enabled: false } },
        EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS' } },
      },
    },
    bootstrapBrokers: { BootstrapBrokerStringSaslIam: bootstrap.join(',') },
  };
}

/** Secrets from a map; anything else is AccessDeniedException, like Secrets Manager. */
export function secretsFrom(values: Record<string, unknown>): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  const reader = (async (arn: string) => {
    reads.push(arn);
    if (!(arn in values)) throw Object.assign(new Error(`User is not authorized to perform secretsmanager:GetSecretValue on ${arn}`), { name: 'AccessDeniedException' });
    const v = values[arn];
    return typeof v === 'string' ? v : JSON.stringify(v);
  }) as SecretReader & { reads: string[] };
  reader.reads = reads;
  return reader;
}

/** Resolves the test's names to loopback, like a private hosted zone would to the brokers. */
export function loopbackResolver(names: string[]) {
  return async (host: string) => {
    if (names.includes(host)) return ['127.0.0.1'];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
}
