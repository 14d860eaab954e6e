/**
 * AWS API responses for the collector's tests, as the SDK v3 clients return them (Dates as Date
 * objects, `$metadata` on every output), built from the healthy baselines in scenarios/base.ts so
 * that a collection can be compared with the scenario it should reproduce.
 */
import { EC2Client, DescribeNatGatewaysCommand, DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { IAMClient, GetRoleCommand, SimulatePrincipalPolicyCommand, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { KafkaClient, DescribeClusterV2Command, DescribeTopicCommand, GetBootstrapBrokersCommand, ListScramSecretsCommand } from '@aws-sdk/client-kafka';
import { KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  LambdaClient,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { SecretsManagerClient, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../bot/collect/clients';
import type { Snapshot } from '../../bot/model/snapshot';
import * as base from '../../scenarios/base';

export const CREDENTIALS = { accessKeyId: 'test-access-key-id', secretAccessKey: 'test-secret-access-key' };

export function metadata(requestId = 'c0ffee00-1111-2222-3333-444455556666') {
  return { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 };
}

/** Real SDK clients whose `send` is stubbed by aws-sdk-client-mock (unconfigured commands resolve undefined). */
export function mockedClients() {
  const region = base.REGION;
  const clients: AwsClients = {
    lambda: new LambdaClient({ region, credentials: CREDENTIALS }),
    kafka: new KafkaClient({ region, credentials: CREDENTIALS }),
    ec2: new EC2Client({ region, credentials: CREDENTIALS }),
    secretsManager: new SecretsManagerClient({ region, credentials: CREDENTIALS }),
    kms: new KMSClient({ region, credentials: CREDENTIALS }),
    iam: new IAMClient({ region, credentials: CREDENTIALS }),
    sts: new STSClient({ region, credentials: CREDENTIALS }),
  };
  const mocks = {
    lambda: mockClient(clients.lambda),
    kafka: mockClient(clients.kafka),
    ec2: mockClient(clients.ec2),
    secretsManager: mockClient(clients.secretsManager),
    kms: mockClient(clients.kms),
    iam: mockClient(clients.iam),
    sts: mockClient(clients.sts),
  };
  return { clients, mocks, restore: () => Object.values(mocks).forEach((m) => m.restore()) };
}
export type Mocks = ReturnType<typeof mockedClients>['mocks'];

/** An SDK-shaped service error (what the deserializer throws): name, $fault, $metadata, message. */
export function awsError(name: string, message: string, httpStatusCode = 400, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode, requestId: 'deadbeef-0000-1111-2222-333344445555', attempts: 1, totalRetryDelay: 0 },
  });
}

const date = (iso: string) => new Date(iso);

/** The scenario's ESM as GetEventSourceMapping returns it (LastModified is a timestamp). */
export function esmResponse(esm: Snapshot['esm']) {
  return { ...esm, LastModified: esm.LastModified ? date(esm.LastModified) : undefined, $metadata: metadata() };
}

/** IAM answers "allowed" for whatever it is asked, as it would for a correct role. */
export function simulateAllowed(input: SimulatePrincipalPolicyCommandInput) {
  const resources = input.ResourceArns ?? ['*'];
  return {
    EvaluationResults: (input.ActionNames ?? []).flatMap((action) =>
      resources.map((resource) => ({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: 'allowed' as const,
        MatchedStatements: [{ SourcePolicyId: 'orders-consumer-policy', SourcePolicyType: 'IAM Policy' as const, StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 260 } }],
        MissingContextValues: [],
      })),
    ),
    IsTruncated: false,
    $metadata: metadata(),
  };
}

function functionResponse(fn: NonNullable<Snapshot['function']>) {
  if (!fn.ok) throw new Error('fixture needs a function');
  return {
    Configuration: {
      ...fn.value.Configuration,
      CodeSize: 1843,
      Handler: 'index.handler',
      LastModified: '2026-11-18T15:58:40.000+0000',
      MemorySize: 256,
      PackageType: 'Zip',
      Architectures: ['arm64'],
      Environment: { Variables: { DB_PASSWORD: 'env-value-never-in-a-snapshot', LOG_LEVEL: 'info' } },
      TracingConfig: { Mode: 'PassThrough' },
    },
    Code: { RepositoryType: 'S3', Location: 'https://prod-04-2014-tasks.s3.eu-west-1.amazonaws.com/snapshots/123456789012/orders-consumer?X-Amz-Security-Token=presigned' },
    ...(fn.value.Tags ? { Tags: fn.value.Tags } : {}),
    $metadata: metadata(),
  };
}

function roleResponse(role: NonNullable<Snapshot['role']>) {
  if (!role.ok) throw new Error('fixture needs a role');
  return {
    Role: {
      Path: '/',
      RoleName: role.value.RoleName,
      RoleId: 'AROA3XFRBF535PLBIFPI4',
      Arn: role.value.Arn,
      CreateDate: date('2025-03-02T11:20:33Z'),
      AssumeRolePolicyDocument: role.value.AssumeRolePolicyDocument,
      MaxSessionDuration: 3600,
      RoleLastUsed: { LastUsedDate: date('2026-11-20T09:10:00Z'), Region: base.REGION },
    },
    $metadata: metadata(),
  };
}

/** The network of a scenario, as the EC2 Describe* calls return it. */
export function mockNetwork(mocks: Mocks, network: NonNullable<Snapshot['network']>) {
  const value = <T>(f: { ok: true; value: T } | { ok: false } | undefined): T => {
    if (!f || !f.ok) throw new Error('fixture needs every network fact');
    return f.value;
  };
  mocks.ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Array<{ Name?: string; Values?: string[] }> }) => {
    const ids = input.Filters?.find((f) => f.Name === 'subnet-id')?.Values ?? [];
    return {
      Subnets: value(network.subnets)
        .filter((s) => ids.includes(s.SubnetId))
        .map((s) => ({ ...s, OwnerId: base.ACCOUNT, SubnetArn: `arn:aws:ec2:${base.REGION}:${base.ACCOUNT}:subnet/${s.SubnetId}`, DefaultForAz: false, Ipv6CidrBlockAssociationSet: [] })),
      $metadata: metadata(),
    };
  });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: value(network.securityGroups) as never, $metadata: metadata() });
  mocks.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: value(network.routeTables) as never, $metadata: metadata() });
  mocks.ec2.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: value(network.natGateways).map((n) => ({
      ...n,
      CreateTime: date('2025-03-01T10:00:00Z'),
      NatGatewayAddresses: [{ AllocationId: 'eipalloc-0a1b2c3d4e5f60718', NetworkInterfaceId: 'eni-0a1b2c3d4e5f60718', PrivateIp: '10.20.48.12', PublicIp: '52.18.1.20', IsPrimary: true, Status: 'succeeded' as const }],
    })) as never,
    $metadata: metadata(),
  });
  mocks.ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: value(network.vpcEndpoints) as never, $metadata: metadata() });
  mocks.ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: value(network.networkAcls) as never, $metadata: metadata() });
  const dns = value(network.vpcDns);
  mocks.ec2.on(DescribeVpcAttributeCommand).callsFake((input: { VpcId?: string; Attribute?: string }) => ({
    VpcId: input.VpcId,
    ...(input.Attribute === 'enableDnsSupport' ? { EnableDnsSupport: { Value: dns.EnableDnsSupport } } : {}),
    ...(input.Attribute === 'enableDnsHostnames' ? { EnableDnsHostnames: { Value: dns.EnableDnsHostnames } } : {}),
    $metadata: metadata(),
  }));
}

/** Every call of the healthy MSK IAM baseline (scenarios/base.ts mskIamHealthy). */
export function mockMskIamHealthy(mocks: Mocks, scenario: Snapshot = base.mskIamHealthy()) {
  mocks.sts.on(GetCallerIdentityCommand).resolves({ ...(scenario.caller?.ok ? scenario.caller.value : {}), $metadata: metadata() });
  mocks.lambda.on(GetEventSourceMappingCommand).resolves(esmResponse(scenario.esm) as never);
  mocks.lambda.on(GetFunctionCommand).resolves(functionResponse(scenario.function!) as never);
  mocks.lambda.on(GetFunctionConcurrencyCommand).resolves({ $metadata: metadata() });
  mocks.lambda.on(ListEventSourceMappingsCommand).resolves({
    EventSourceMappings: (scenario.siblings?.ok ? scenario.siblings.value : []).map((s) => ({
      ...s,
      BatchSize: 100,
      LastModified: date('2026-11-18T16:02:11Z'),
      LastProcessingResult: 'OK',
      StateTransitionReason: 'USER_INITIATED',
      StartingPosition: 'LATEST' as const,
    })) as never,
    $metadata: metadata(),
  });
  mocks.iam.on(GetRoleCommand).resolves(roleResponse(scenario.role!) as never);
  mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake(simulateAllowed);
  const cluster = scenario.cluster?.ok ? scenario.cluster.value : undefined;
  mocks.kafka.on(DescribeClusterV2Command).resolves({
    ClusterInfo: { ...cluster, CreationTime: date('2025-03-02T12:00:00.000Z'), Tags: { team: 'orders' } } as never,
    $metadata: metadata(),
  });
  mocks.kafka.on(GetBootstrapBrokersCommand).resolves({ ...(scenario.bootstrapBrokers?.ok ? scenario.bootstrapBrokers.value : {}), $metadata: metadata() });
  if (scenario.topic?.ok && scenario.topic.value.Found) {
    const { Found: _found, ...topic } = scenario.topic.value;
    mocks.kafka.on(DescribeTopicCommand).resolves({ ...topic, $metadata: metadata() } as never);
  }
  mocks.kafka.on(ListScramSecretsCommand).resolves({ SecretArnList: [], $metadata: metadata() });
  mockNetwork(mocks, scenario.network!);
}

export const SCRAM_USERNAME = 'svc-clickstream-scram-user';
export const SCRAM_PASSWORD = 'p4ss/with"risky\\chars-and-a-unique-marker-7Qz';

/** The self-managed SCRAM baseline (scenarios/base.ts selfManagedScramHealthy), with an SQS and an MSK ESM in the listing. */
export function mockSelfManagedScram(mocks: Mocks, scenario: Snapshot = base.selfManagedScramHealthy()) {
  mockMskIamHealthy(mocks, { ...scenario, cluster: undefined, bootstrapBrokers: undefined, topic: undefined });
  mocks.kafka.reset();
  mocks.lambda.on(ListEventSourceMappingsCommand).resolves({
    EventSourceMappings: [
      ...(scenario.siblings?.ok ? scenario.siblings.value : []),
      {
        UUID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        EventSourceArn: `arn:aws:sqs:${base.REGION}:${base.ACCOUNT}:orders-dlq`,
        FunctionArn: `arn:aws:lambda:${base.REGION}:${base.ACCOUNT}:function:dlq-drainer`,
        State: 'Enabled',
        BatchSize: 10,
      },
      {
        UUID: base.ESM_UUID,
        EventSourceArn: base.CLUSTER_ARN,
        FunctionArn: base.FUNCTION_ARN,
        State: 'Enabled',
        Topics: ['orders'],
      },
    ] as never,
    $metadata: metadata(),
  });
  const secret = scenario.secrets[0]!;
  if (!secret.describe.ok || !secret.kmsKey?.ok) throw new Error('fixture needs the secret metadata');
  mocks.secretsManager.on(DescribeSecretCommand).resolves({
    ...secret.describe.value,
    LastChangedDate: date('2026-10-01T08:00:00Z'),
    CreatedDate: date('2025-06-11T14:30:00Z'),
    VersionIdsToStages: { 'b7e3a1c2-1111-4222-8333-944455556666': ['AWSCURRENT'] },
    $metadata: metadata(),
  } as never);
  mocks.secretsManager.on(GetSecretValueCommand).resolves({
    ARN: secret.arn,
    Name: secret.describe.value.Name,
    VersionId: 'b7e3a1c2-1111-4222-8333-944455556666',
    SecretString: JSON.stringify({ username: SCRAM_USERNAME, password: SCRAM_PASSWORD }),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: date('2026-10-01T08:00:00Z'),
    $metadata: metadata(),
  });
  mocks.kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { ...secret.kmsKey.value, AWSAccountId: base.ACCOUNT, CreationDate: date('2025-06-11T14:00:00Z'), Enabled: true, Origin: 'AWS_KMS', KeyManager: 'CUSTOMER' } as never,
    $metadata: metadata(),
  });
}
