import { DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, SimulatePrincipalPolicyCommand, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { DescribeClusterV2Command, DescribeTopicCommand, DescribeVpcConnectionCommand, GetBootstrapBrokersCommand, ListScramSecretsCommand } from '@aws-sdk/client-kafka';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetEventSourceMappingCommand, GetFunctionCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { collectSnapshot, PROGRESS } from '../../../bot/collect/snapshot';
import type { Resolver } from '../../../bot/collect/dns';
import { NotKafkaEsm, TargetNotFound, TargetUnreadable } from '../../../bot/model/errors';
import { requiredPermissions } from '../../../bot/model/permissions';
import { parseSnapshot, type Snapshot } from '../../../bot/model/snapshot';
import * as base from '../../../scenarios/base';
import {
  awsError,
  metadata,
  mockedClients,
  mockMskIamHealthy,
  mockSelfManagedScram,
  SCRAM_PASSWORD,
  SCRAM_USERNAME,
  simulateAllowed,
} from '../../support/collect-fixtures';

const MSK_TARGET = { uuid: base.ESM_UUID, region: base.REGION };
const SM_TARGET = { uuid: base.SM_UUID, region: base.REGION };

let env: ReturnType<typeof mockedClients>;
beforeEach(() => {
  env = mockedClients();
});
afterEach(() => env.restore());

/** The scenario without what a collection cannot reproduce verbatim (the clock; the order of simulation answers). */
function comparable(s: Snapshot) {
  const { collectedAt: _at, permissions: _permissions, ...rest } = s;
  return JSON.parse(JSON.stringify(rest)) as Omit<Snapshot, 'collectedAt' | 'permissions'>;
}

/**
 * The simulation answers, sorted, without kafka:DescribeCluster: the collector also asks for the
 * legacy alternative of kafka:DescribeClusterV2 (model/permissions), which the baseline does not list.
 */
function decisions(s: Snapshot): string[] {
  if (!s.permissions?.ok) throw new Error(`permissions not read: ${JSON.stringify(s.permissions)}`);
  return s.permissions.value
    .filter((r) => r.EvalActionName !== 'kafka:DescribeCluster')
    .map((r) => `${r.EvalActionName} on ${r.EvalResourceName} = ${r.EvalDecision}`)
    .sort();
}

const resolver: Resolver = async (host) => {
  const known: Record<string, string> = { 'kafka-1.internal.example.com': '10.20.1.15', 'kafka-2.internal.example.com': '10.20.17.22' };
  if (known[host]) return [{ address: known[host]!, family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

describe('collectSnapshot: Amazon MSK with IAM auth', () => {
  it('reproduces the healthy MSK IAM baseline from the API responses, and the result parses as a Snapshot', async () => {
    mockMskIamHealthy(env.mocks);
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(() => parseSnapshot(JSON.parse(JSON.stringify(snapshot)))).not.toThrow();
    expect(snapshot).toMatchObject(comparable(base.mskIamHealthy()));
    expect(decisions(snapshot)).toEqual(decisions(base.mskIamHealthy()));
    expect(snapshot.schemaVersion).toBe(1);
    expect(snapshot.options).toEqual({ inspectSecrets: false });
  });

  it('keeps timestamps as ISO strings and only JSON values: no Date, no $metadata, no Code, no environment values', async () => {
    mockMskIamHealthy(env.mocks);
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    const json = JSON.stringify(snapshot);

    expect(JSON.parse(json)).toEqual(snapshot);
    expect(snapshot.esm.LastModified).toBe('2026-11-18T16:02:11.000Z');
    expect(snapshot.cluster?.ok && snapshot.cluster.value.CreationTime).toBe('2025-03-02T12:00:00.000Z');
    expect(snapshot.role?.ok && snapshot.role.value.CreateDate).toBe('2025-03-02T11:20:33.000Z');
    expect(json).not.toContain('$metadata');
    expect(snapshot.function?.ok && 'Code' in snapshot.function.value).toBe(false);
    expect(json).not.toContain('presigned');
    expect(json).not.toContain('env-value-never-in-a-snapshot');
  });

  it('fills the target account from the ESM ARN when only a UUID was given', async () => {
    mockMskIamHealthy(env.mocks);
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.target).toEqual({ uuid: base.ESM_UUID, region: base.REGION, account: base.ACCOUNT });
  });

  it('asks SimulatePrincipalPolicy, as the execution role, for the kafka-cluster actions on the cluster, topic and group ARNs', async () => {
    mockMskIamHealthy(env.mocks);
    await collectSnapshot(MSK_TARGET, { clients: env.clients });

    const calls = env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(calls.every((i) => i.PolicySourceArn === base.ROLE_ARN)).toBe(true);
    const asked = (resource: string) => calls.filter((i) => (i.ResourceArns ?? ['*']).includes(resource)).flatMap((i) => i.ActionNames);
    const clusterPath = 'orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3';
    expect(asked(base.CLUSTER_ARN)).toEqual(
      expect.arrayContaining(['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration', 'kafka:DescribeClusterV2', 'kafka:DescribeCluster', 'kafka:GetBootstrapBrokers']),
    );
    expect(asked(`arn:aws:kafka:${base.REGION}:${base.ACCOUNT}:topic/${clusterPath}/orders`).sort()).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData']);
    expect(asked(`arn:aws:kafka:${base.REGION}:${base.ACCOUNT}:group/${clusterPath}/${base.ESM_UUID}`).sort()).toEqual(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup']);
    expect(asked('*')).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DescribeSecurityGroups']));
    expect(asked(`arn:aws:logs:${base.REGION}:${base.ACCOUNT}:log-group:/aws/lambda/orders-consumer:*`)).toHaveLength(3);
  });

  it('reads the network by the cluster\'s subnets, then VPC-wide by their VPC id', async () => {
    mockMskIamHealthy(env.mocks);
    await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(env.mocks.ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'subnet-id', Values: base.SUBNETS }]);
    expect(env.mocks.ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'vpc-id', Values: [base.VPC_ID] }]);
    expect(env.mocks.ec2.commandCalls(DescribeNatGatewaysCommand)[0]!.args[0].input.Filter).toEqual([{ Name: 'vpc-id', Values: [base.VPC_ID] }]);
    expect(env.mocks.ec2.commandCalls(DescribeVpcAttributeCommand).map((c) => c.args[0].input.Attribute).sort()).toEqual(['enableDnsHostnames', 'enableDnsSupport']);
    expect(env.mocks.lambda.commandCalls(ListEventSourceMappingsCommand)[0]!.args[0].input.EventSourceArn).toBe(base.CLUSTER_ARN);
  });

  it('does not call ListScramSecrets without a SCRAM secret, nor GetSecretValue or DescribeKey without secrets', async () => {
    mockMskIamHealthy(env.mocks);
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(env.mocks.kafka.commandCalls(ListScramSecretsCommand)).toHaveLength(0);
    expect(env.mocks.secretsManager.calls()).toHaveLength(0);
    expect(env.mocks.kms.calls()).toHaveLength(0);
    expect(snapshot.scramSecrets).toBeUndefined();
    expect(snapshot.dns).toBeUndefined();
  });

  it('reports each long step through onProgress', async () => {
    mockMskIamHealthy(env.mocks);
    const messages: string[] = [];
    await collectSnapshot(MSK_TARGET, { clients: env.clients, onProgress: (m) => messages.push(m) });
    expect(messages[0]).toBe(PROGRESS.esm);
    expect(messages[1]).toBe(PROGRESS.sources);
    expect(messages).toEqual(expect.arrayContaining([PROGRESS.network, PROGRESS.simulation]));
  });

  it('survives an onProgress that throws', async () => {
    mockMskIamHealthy(env.mocks);
    const snapshot = await collectSnapshot(MSK_TARGET, {
      clients: env.clients,
      onProgress: () => {
        throw new Error('slack edit failed');
      },
    });
    expect(snapshot.cluster?.ok).toBe(true);
  });
});

describe('collectSnapshot: failed calls become error facts and never abort the run', () => {
  it('records AccessDenied on DescribeRouteTables with its action and collects everything else', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.ec2.on(DescribeRouteTablesCommand).rejects(
      awsError(
        'UnauthorizedOperation',
        'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: ec2:DescribeRouteTables because no identity-based policy allows the ec2:DescribeRouteTables action',
        403,
      ),
    );
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(snapshot.network?.routeTables).toEqual({
      ok: false,
      source: 'ec2:DescribeRouteTables',
      error: expect.objectContaining({ code: 'UnauthorizedOperation', action: 'ec2:DescribeRouteTables', httpStatus: 403 }),
    });
    expect(snapshot.network?.securityGroups?.ok).toBe(true);
    expect(snapshot.network?.natGateways?.ok).toBe(true);
    expect(snapshot.network?.subnets.ok).toBe(true);
    expect(snapshot.cluster?.ok).toBe(true);
    expect(snapshot.permissions?.ok).toBe(true);
  });

  it('records a call throttled past its retries as an error fact', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.lambda.on(GetFunctionCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded', 429));
    env.mocks.ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(snapshot.function).toEqual({
      ok: false,
      source: 'lambda:GetFunction',
      error: { code: 'TooManyRequestsException', message: 'Rate exceeded', action: 'lambda:GetFunction', httpStatus: 429 },
    });
    expect(snapshot.network?.securityGroups).toMatchObject({ ok: false, error: { code: 'RequestLimitExceeded', action: 'ec2:DescribeSecurityGroups' } });
  });

  it('without GetFunction, reports the role and its simulation as not read because of lambda:GetFunction', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.lambda.on(GetFunctionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction', 403));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(snapshot.role).toMatchObject({ ok: false, source: 'iam:GetRole', error: { code: 'AccessDeniedException', action: 'lambda:GetFunction' } });
    expect(snapshot.permissions).toMatchObject({ ok: false, source: 'iam:SimulatePrincipalPolicy', error: { action: 'lambda:GetFunction' } });
    expect(env.mocks.iam.calls()).toHaveLength(0);
  });

  it('without DescribeClusterV2, reports the subnets as not read because of kafka:DescribeClusterV2', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.kafka.on(DescribeClusterV2Command).rejects(awsError('ForbiddenException', 'User is not authorized to perform kafka:DescribeClusterV2', 403));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(snapshot.cluster).toMatchObject({ ok: false, error: { code: 'ForbiddenException', action: 'kafka:DescribeClusterV2' } });
    expect(snapshot.network?.subnets).toMatchObject({ ok: false, source: 'ec2:DescribeSubnets', error: { action: 'kafka:DescribeClusterV2' } });
    expect(env.mocks.ec2.calls()).toHaveLength(0);
    expect(snapshot.bootstrapBrokers?.ok).toBe(true);
  });

  it('turns an unexpected response shape into an error fact, not an invalid snapshot', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.iam.on(GetRoleCommand).resolves({ Role: { Path: '/' } as never, $metadata: metadata() });
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.role).toMatchObject({ ok: false, error: { code: 'UnexpectedResponse', action: 'iam:GetRole' } });
  });
});

describe('collectSnapshot: the topic', () => {
  it('records a topic MSK does not know as Found: false, not as an error', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.kafka.on(DescribeTopicCommand).rejects(awsError('NotFoundException', 'The topic orders does not exist.', 404));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.topic).toEqual({ ok: true, source: 'kafka:DescribeTopic', value: { Found: false, TopicName: 'orders' } });
    expect(env.mocks.kafka.commandCalls(DescribeTopicCommand)[0]!.args[0].input).toEqual({ ClusterArn: base.CLUSTER_ARN, TopicName: 'orders' });
  });

  it('does not claim the topic is missing when the cluster itself was not found', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.kafka.on(DescribeClusterV2Command).rejects(awsError('NotFoundException', 'The specified cluster was not found.', 404));
    env.mocks.kafka.on(DescribeTopicCommand).rejects(awsError('NotFoundException', 'The specified cluster was not found.', 404));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.topic).toMatchObject({ ok: false, source: 'kafka:DescribeTopic', error: { code: 'NotFoundException' } });
  });

  it('records other DescribeTopic failures (a serverless cluster, Kafka < 3.6) as errors', async () => {
    mockMskIamHealthy(env.mocks);
    env.mocks.kafka.on(DescribeTopicCommand).rejects(awsError('BadRequestException', 'This operation is not supported for the cluster.', 400));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.topic).toMatchObject({ ok: false, error: { code: 'BadRequestException', action: 'kafka:DescribeTopic' } });
  });
});

describe('collectSnapshot: the target itself', () => {
  it('throws TargetNotFound when GetEventSourceMapping answers ResourceNotFoundException', async () => {
    env.mocks.lambda.on(GetEventSourceMappingCommand).rejects(awsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404));
    env.mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: base.ACCOUNT, Arn: 'arn:aws:sts::123456789012:assumed-role/oncall/alice', $metadata: metadata() });
    await expect(collectSnapshot(MSK_TARGET, { clients: env.clients })).rejects.toThrow(TargetNotFound);
  });

  it('throws NotKafkaEsm naming SQS for an SQS mapping, and reads nothing else', async () => {
    env.mocks.lambda.on(GetEventSourceMappingCommand).resolves({
      UUID: base.ESM_UUID,
      EventSourceArn: `arn:aws:sqs:${base.REGION}:${base.ACCOUNT}:orders-queue`,
      FunctionArn: base.FUNCTION_ARN,
      State: 'Enabled',
      BatchSize: 10,
      LastModified: new Date('2026-11-18T16:02:11Z'),
      $metadata: metadata(),
    });
    const err = await collectSnapshot(MSK_TARGET, { clients: env.clients }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotKafkaEsm);
    expect((err as Error).message).toMatch(/Amazon SQS/);
    expect(env.mocks.kafka.calls()).toHaveLength(0);
    expect(env.mocks.lambda.commandCalls(GetFunctionCommand)).toHaveLength(0);
  });

  it('throws TargetUnreadable saying no AWS credentials were found', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    env.mocks.lambda.on(GetEventSourceMappingCommand).rejects(noCredentials);
    env.mocks.sts.on(GetCallerIdentityCommand).rejects(noCredentials);
    const err = await collectSnapshot(MSK_TARGET, { clients: env.clients }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnreadable);
    expect((err as Error).message).toMatch(/no AWS credentials found/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('throws TargetUnreadable naming lambda:GetEventSourceMapping when it is denied', async () => {
    env.mocks.lambda.on(GetEventSourceMappingCommand).rejects(
      awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: lambda:GetEventSourceMapping', 403),
    );
    const err = await collectSnapshot(MSK_TARGET, { clients: env.clients }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnreadable);
    expect((err as Error).message).toMatch(/not allowed lambda:GetEventSourceMapping \(AccessDeniedException\)/);
  });
});

describe('collectSnapshot: self-managed Kafka in a VPC', () => {
  it('reproduces the self-managed SCRAM baseline: VPC_SUBNET subnets, VPC-wide facts, DNS, secret metadata and key', async () => {
    mockSelfManagedScram(env.mocks);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });

    expect(snapshot).toMatchObject(comparable(base.selfManagedScramHealthy()));
    expect(decisions(snapshot)).toEqual(decisions(base.selfManagedScramHealthy()));
    expect(snapshot.cluster).toBeUndefined();
    expect(snapshot.topic).toBeUndefined();
    expect(env.mocks.kafka.calls()).toHaveLength(0);
    expect(env.mocks.ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'subnet-id', Values: base.SM_SUBNETS }]);
    expect(env.mocks.kms.commandCalls(DescribeKeyCommand)[0]!.args[0].input).toEqual({ KeyId: base.SM_KEY_ARN });
  });

  it('lists every ESM of the region and keeps the self-managed Kafka ones, trimmed', async () => {
    mockSelfManagedScram(env.mocks);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });

    expect(env.mocks.lambda.commandCalls(ListEventSourceMappingsCommand)[0]!.args[0].input.EventSourceArn).toBeUndefined();
    expect(snapshot.siblings?.ok && snapshot.siblings.value.map((s) => s.UUID)).toEqual([base.SM_UUID]);
    expect(snapshot.siblings?.ok && Object.keys(snapshot.siblings.value[0]!).sort()).toEqual(
      ['FunctionArn', 'SelfManagedEventSource', 'SelfManagedKafkaEventSourceConfig', 'State', 'Topics', 'UUID'],
    );
  });

  it('simulates kms:Decrypt on the secret\'s key ARN and GetSecretValue on the secret', async () => {
    mockSelfManagedScram(env.mocks);
    await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    const inputs = env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ PolicySourceArn: base.SM_ROLE_ARN, ActionNames: ['kms:Decrypt'], ResourceArns: [base.SM_KEY_ARN] }),
        expect.objectContaining({ PolicySourceArn: base.SM_ROLE_ARN, ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [base.SM_SECRET_ARN] }),
      ]),
    );
  });

  it('turns a bare KmsKeyId into a key ARN in the secret\'s account and region', async () => {
    mockSelfManagedScram(env.mocks);
    env.mocks.secretsManager.on(DescribeSecretCommand).resolves({
      ARN: base.SM_SECRET_ARN,
      Name: 'kafka/clickstream/scram',
      KmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      $metadata: metadata(),
    });
    await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    const kms = env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).find((c) => c.args[0].input.ActionNames?.includes('kms:Decrypt'));
    expect(kms?.args[0].input.ResourceArns).toEqual([base.SM_KEY_ARN]);
  });

  it('has no kmsKey fact and simulates no kms:Decrypt for a secret on the default aws/secretsmanager key', async () => {
    mockSelfManagedScram(env.mocks);
    env.mocks.secretsManager.on(DescribeSecretCommand).resolves({ ARN: base.SM_SECRET_ARN, Name: 'kafka/clickstream/scram', $metadata: metadata() });
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    expect(snapshot.secrets[0]!.kmsKey).toBeUndefined();
    expect(env.mocks.kms.calls()).toHaveLength(0);
    expect(env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).flatMap((c) => c.args[0].input.ActionNames)).not.toContain('kms:Decrypt');
  });

  it('records each bootstrap server\'s resolution, including unknown hosts and malformed entries', async () => {
    const scenario = base.selfManagedScramHealthy();
    scenario.esm.SelfManagedEventSource = {
      Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.internal.example.com:9096', 'kafka-9.internal.example.com:9096', 'kafka-2.internal.example.com'] },
    };
    mockSelfManagedScram(env.mocks, scenario);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    expect(snapshot.dns).toEqual({
      ok: true,
      source: 'dns',
      value: [
        { entry: 'kafka-1.internal.example.com:9096', host: 'kafka-1.internal.example.com', port: 9096, addresses: ['10.20.1.15'] },
        { entry: 'kafka-9.internal.example.com:9096', host: 'kafka-9.internal.example.com', port: 9096, addresses: [], error: 'ENOTFOUND' },
        { entry: 'kafka-2.internal.example.com', addresses: [], error: 'malformed' },
      ],
    });
  });

  it('has no network facts for a self-managed ESM on the internet', async () => {
    const scenario = base.selfManagedScramHealthy();
    scenario.esm.SourceAccessConfigurations = scenario.esm.SourceAccessConfigurations!.filter((c) => c.Type === 'SASL_SCRAM_512_AUTH');
    mockSelfManagedScram(env.mocks, scenario);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    expect(snapshot.network).toBeUndefined();
    expect(env.mocks.ec2.calls()).toHaveLength(0);
  });
});

describe('collectSnapshot: secret values', () => {
  it('never calls GetSecretValue without inspectSecrets', async () => {
    mockSelfManagedScram(env.mocks);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver });
    expect(env.mocks.secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(snapshot.secrets[0]!.format).toBeUndefined();
  });

  it('with inspectSecrets, keeps only format facts: neither the password nor the username appears in the snapshot', async () => {
    mockSelfManagedScram(env.mocks);
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver, inspectSecrets: true });

    expect(env.mocks.secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(snapshot.options.inspectSecrets).toBe(true);
    expect(snapshot.secrets[0]!.format).toEqual({
      ok: true,
      source: 'secretsmanager:GetSecretValue',
      value: { json: true, keys: ['username', 'password'], usernamePresent: true, passwordPresent: true, passwordHasRiskyCharacters: true },
    });
    const json = JSON.stringify(snapshot);
    expect(json).not.toContain(SCRAM_PASSWORD);
    expect(json).not.toContain('unique-marker-7Qz');
    expect(json).not.toContain(SCRAM_USERNAME);
  });

  it('records a denied GetSecretValue as an error fact', async () => {
    mockSelfManagedScram(env.mocks);
    env.mocks.secretsManager.on(GetSecretValueCommand).rejects(
      awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: secretsmanager:GetSecretValue', 400),
    );
    const snapshot = await collectSnapshot(SM_TARGET, { clients: env.clients, resolver, inspectSecrets: true });
    expect(snapshot.secrets[0]!.format).toMatchObject({ ok: false, error: { code: 'AccessDeniedException', action: 'secretsmanager:GetSecretValue' } });
    expect(snapshot.secrets[0]!.describe.ok).toBe(true);
  });
});

describe('collectSnapshot: pagination', () => {
  it('follows ListEventSourceMappings NextMarker, DescribeSecurityGroups NextToken and SimulatePrincipalPolicy Marker', async () => {
    mockMskIamHealthy(env.mocks);
    const scenario = base.mskIamHealthy();
    const siblings = scenario.siblings!.ok ? scenario.siblings!.value : [];
    env.mocks.lambda
      .on(ListEventSourceMappingsCommand)
      .callsFake((input: { Marker?: string }) =>
        input.Marker === 'page-2'
          ? { EventSourceMappings: [siblings[1]], $metadata: metadata() }
          : { EventSourceMappings: [siblings[0]], NextMarker: 'page-2', $metadata: metadata() },
      );
    const groups = scenario.network!.securityGroups!.ok ? scenario.network!.securityGroups!.value : [];
    env.mocks.ec2
      .on(DescribeSecurityGroupsCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken === 'sg-token-2'
          ? { SecurityGroups: [groups[1]], $metadata: metadata() }
          : { SecurityGroups: [groups[0]], NextToken: 'sg-token-2', $metadata: metadata() },
      );
    env.mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => {
      // IAM answers the first action on page one and the rest on page two.
      const [first, ...rest] = input.ActionNames ?? [];
      if (!input.Marker && rest.length) return { ...simulateAllowed({ ...input, ActionNames: [first!] }), IsTruncated: true, Marker: `more-${first}` };
      return simulateAllowed({ ...input, ActionNames: input.Marker ? rest : input.ActionNames });
    });

    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });

    expect(snapshot.siblings?.ok && snapshot.siblings.value.map((s) => s.UUID)).toEqual(siblings.map((s) => s.UUID));
    expect(env.mocks.lambda.commandCalls(ListEventSourceMappingsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'page-2']);
    expect(snapshot.network?.securityGroups?.ok && snapshot.network.securityGroups.value.map((g) => g.GroupId)).toEqual(groups.map((g) => g.GroupId));
    expect(decisions(snapshot)).toEqual(decisions(scenario));
    expect(env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).some((c) => c.args[0].input.Marker?.startsWith('more-'))).toBe(true);
  });

  it('follows ListScramSecrets NextToken for an MSK SCRAM ESM', async () => {
    const scenario = base.mskIamHealthy();
    const secretArn = `arn:aws:secretsmanager:${base.REGION}:${base.ACCOUNT}:secret:AmazonMSK_orders-consumer-Xy12Zw`;
    scenario.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: secretArn }];
    mockMskIamHealthy(env.mocks, scenario);
    env.mocks.kafka
      .on(ListScramSecretsCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken
          ? { SecretArnList: [secretArn], $metadata: metadata() }
          : { SecretArnList: [`arn:aws:secretsmanager:${base.REGION}:${base.ACCOUNT}:secret:AmazonMSK_other-Ab12Cd`], NextToken: 'scram-2', $metadata: metadata() },
      );
    env.mocks.secretsManager.on(DescribeSecretCommand).resolves({ ARN: secretArn, Name: 'AmazonMSK_orders-consumer', KmsKeyId: base.SM_KEY_ARN, $metadata: metadata() });
    env.mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: base.SM_KEY_ARN, KeyManager: 'CUSTOMER' }, $metadata: metadata() });

    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(snapshot.scramSecrets).toEqual({
      ok: true,
      source: 'kafka:ListScramSecrets',
      value: { SecretArnList: [`arn:aws:secretsmanager:${base.REGION}:${base.ACCOUNT}:secret:AmazonMSK_other-Ab12Cd`, secretArn] },
    });
    // SCRAM chosen: no kafka-cluster:* to simulate, but GetSecretValue and kms:Decrypt on the CMK.
    const actions = env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).flatMap((c) => c.args[0].input.ActionNames ?? []);
    expect(actions).toEqual(expect.arrayContaining(['kafka:ListScramSecrets', 'secretsmanager:GetSecretValue', 'kms:Decrypt']));
    expect(actions.filter((a) => a.startsWith('kafka-cluster:'))).toEqual([]);
  });
});

describe('collectSnapshot: multi-VPC (cross-account) MSK', () => {
  it('does not try to read a cluster behind a VPC connection ARN and says why', async () => {
    const scenario = base.mskIamHealthy();
    const vpcConnection = `arn:aws:kafka:${base.REGION}:${base.ACCOUNT}:vpc-connection/210987654321/orders-prod/7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
    scenario.esm.EventSourceArn = vpcConnection;
    mockMskIamHealthy(env.mocks, scenario);
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(env.mocks.kafka.commandCalls(DescribeClusterV2Command)).toHaveLength(0);
    expect(env.mocks.kafka.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(0);
    expect(snapshot.cluster).toMatchObject({ ok: false, error: { code: 'CrossAccountCluster' } });
    const simulated = env.mocks.iam.commandCalls(SimulatePrincipalPolicyCommand).flatMap((c) => c.args[0].input.ActionNames ?? []);
    expect(simulated).toContain('kafka:DescribeVpcConnection');
    expect(requiredPermissions({ esm: snapshot.esm, region: base.REGION }).some((r) => r.action === 'kafka:DescribeVpcConnection')).toBe(true);
  });

  it('reads the network of the VPC connection\'s subnets and security groups, the ESM\'s position', async () => {
    const scenario = base.mskIamHealthy();
    const vpcConnection = `arn:aws:kafka:${base.REGION}:${base.ACCOUNT}:vpc-connection/210987654321/orders-prod/7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
    scenario.esm.EventSourceArn = vpcConnection;
    mockMskIamHealthy(env.mocks, scenario);
    env.mocks.kafka.on(DescribeVpcConnectionCommand).resolves({
      VpcConnectionArn: vpcConnection,
      TargetClusterArn: 'arn:aws:kafka:eu-west-1:210987654321:cluster/orders-prod/7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3',
      State: 'AVAILABLE',
      Authentication: 'SASL_IAM',
      VpcId: base.VPC_ID,
      Subnets: base.SUBNETS.slice(0, 2),
      SecurityGroups: [base.CLUSTER_SG],
      CreationTime: new Date('2026-10-01T08:00:00Z'),
    });
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(env.mocks.ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'subnet-id', Values: base.SUBNETS.slice(0, 2) }]);
    expect(env.mocks.ec2.commandCalls(DescribeSecurityGroupsCommand).length).toBeGreaterThan(0);
    expect(snapshot.network).toMatchObject({ vpcId: base.VPC_ID, subnets: { ok: true }, securityGroups: { ok: true }, routeTables: { ok: true } });
  });

  it('names kafka:DescribeVpcConnection when the connection, and so the network, cannot be read', async () => {
    const scenario = base.mskIamHealthy();
    scenario.esm.EventSourceArn = `arn:aws:kafka:${base.REGION}:${base.ACCOUNT}:vpc-connection/210987654321/orders-prod/7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
    mockMskIamHealthy(env.mocks, scenario);
    env.mocks.kafka.on(DescribeVpcConnectionCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } }));
    const snapshot = await collectSnapshot(MSK_TARGET, { clients: env.clients });
    expect(env.mocks.ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
    expect(snapshot.network?.subnets).toMatchObject({ ok: false });
    expect(JSON.stringify(snapshot.network?.subnets)).toContain('kafka:DescribeVpcConnection');
  });
});

