/**
 * The moto extension answers like AWS, through the real JS SDK v3: every added operation parses,
 * carries the members the AWS models define, raises the modelled errors, and pages.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeNatGatewaysCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  BatchAssociateScramSecretCommand,
  BatchDisassociateScramSecretCommand,
  CreateClusterV2Command,
  CreateTopicCommand,
  CreateVpcConnectionCommand,
  DeleteTopicCommand,
  DescribeClusterCommand,
  DescribeClusterV2Command,
  DescribeTopicCommand,
  DescribeVpcConnectionCommand,
  GetBootstrapBrokersCommand,
  ListScramSecretsCommand,
  ListTopicsCommand,
  UpdateConnectivityCommand,
  UpdateSecurityCommand,
} from '@aws-sdk/client-kafka';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  paginateListEventSourceMappings,
} from '@aws-sdk/client-lambda';
import {
  SEED_ACCOUNT,
  createExecutionRole,
  createFunction,
  createMskCluster,
  createNetwork,
  createScramSecret,
  createTopic,
  seedMskIamWithNat,
  seedMskScram,
  seedSelfManaged,
  seedSqsEsm,
  setClusterState,
  setEsmStatus,
  setFunctionStatus,
  type AwsClients,
} from '../support/aws-seed';
import { withMoto } from './harness';

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** A bare IAM-auth cluster in a fresh VPC (no ESM), for the Kafka API tests. */
async function bareCluster(c: AwsClients, name: string, extra: Partial<Parameters<typeof createMskCluster>[1]> = {}) {
  const net = await createNetwork(c, { egress: 'none', name });
  return createMskCluster(c, { name, subnetIds: net.privateSubnetIds, securityGroupIds: [], auth: 'iam', ...extra });
}

withMoto('moto_ext through the real SDK', (ctx) => {
  // ----------------------------------------------------------------------------------------------
  describe('Lambda: Kafka event source mappings', () => {
    it('creates an MSK mapping and answers Get with the Kafka fields, State Creating then Enabled', async () => {
      const c = ctx.aws();
      const clusterArn = await bareCluster(c, 'orders-prod');
      const { roleArn } = await createExecutionRole(c, { name: 'orders-role' });
      const functionArn = await createFunction(c, { name: 'orders-consumer', roleArn });
      const created = await c.lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: clusterArn,
          FunctionName: 'orders-consumer',
          Topics: ['orders'],
          StartingPosition: 'TRIM_HORIZON',
          SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: `arn:aws:secretsmanager:eu-west-1:${SEED_ACCOUNT}:secret:orders-mtls-AbCdEf` }],
          ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 5 },
          DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:eu-west-1:${SEED_ACCOUNT}:orders-failures` } },
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer-v2' },
        }),
      );
      expect(created.$metadata.httpStatusCode).toBe(202);
      expect(created.State).toBe('Creating');
      expect(created.UUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.EventSourceMappingArn).toBe(`arn:aws:lambda:eu-west-1:${SEED_ACCOUNT}:event-source-mapping:${created.UUID}`);

      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
      expect(got).toMatchObject({
        UUID: created.UUID,
        EventSourceArn: clusterArn,
        FunctionArn: functionArn,
        State: 'Enabled',
        StateTransitionReason: 'USER_INITIATED',
        LastProcessingResult: 'No records processed',
        Topics: ['orders'],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-consumer-v2' },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 5 },
        DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:eu-west-1:${SEED_ACCOUNT}:orders-failures` } },
        SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: `arn:aws:secretsmanager:eu-west-1:${SEED_ACCOUNT}:secret:orders-mtls-AbCdEf` }],
      });
      expect(got.LastModified).toBeInstanceOf(Date);
      expect(got.SelfManagedEventSource).toBeUndefined();
    });

    it('fills the consumer group with the UUID when none is given', async () => {
      const c = ctx.aws();
      const s = await seedMskIamWithNat(c, ctx.moto());
      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }));
      expect(got.AmazonManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: s.uuid });
      expect(got.LastProcessingResult).toBe('OK');
    });

    it('creates a self-managed mapping with its bootstrap servers and VPC access configuration', async () => {
      const c = ctx.aws();
      const s = await seedSelfManaged(c, ctx.moto());
      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }));
      expect(got.EventSourceArn).toBeUndefined();
      expect(got.SelfManagedEventSource).toEqual({ Endpoints: { KAFKA_BOOTSTRAP_SERVERS: s.bootstrapServers } });
      expect(got.SelfManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: s.uuid });
      expect(got.SourceAccessConfigurations?.map((x) => x.Type)).toEqual(['SASL_SCRAM_512_AUTH', 'VPC_SUBNET', 'VPC_SUBNET', 'VPC_SECURITY_GROUP']);
      expect(got.StartingPosition).toBe('TRIM_HORIZON');
      expect(got.BatchSize).toBe(500);
    });

    it('reports the state a test drives through the control endpoint (a failing mapping)', async () => {
      const c = ctx.aws();
      const s = await seedMskIamWithNat(c, ctx.moto());
      await setEsmStatus(ctx.moto().endpoint, s.uuid, {
        State: 'Enabled',
        LastProcessingResult: 'PROBLEM: Cluster failed to authorize Lambda.',
      });
      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }));
      expect(got.LastProcessingResult).toBe('PROBLEM: Cluster failed to authorize Lambda.');
      await setEsmStatus(ctx.moto().endpoint, s.uuid, { State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' });
      const listed = await c.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: s.clusterArn }));
      expect(listed.EventSourceMappings).toHaveLength(1);
      expect(listed.EventSourceMappings![0]).toMatchObject({ State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' });
      await expect(setEsmStatus(ctx.moto().endpoint, '00000000-0000-4000-8000-000000000000', { State: 'Enabled' })).rejects.toThrow(/404/);
      await expect(setEsmStatus(ctx.moto().endpoint, s.uuid, { State: 'Broken' })).rejects.toThrow(/400/);
    });

    it('lists by EventSourceArn and by FunctionName, and pages with MaxItems / Marker', async () => {
      const c = ctx.aws();
      const clusterA = await bareCluster(c, 'cluster-a');
      const clusterB = await bareCluster(c, 'cluster-b');
      const { roleArn } = await createExecutionRole(c, { name: 'role' });
      await createFunction(c, { name: 'fn-1', roleArn });
      const fn2 = await createFunction(c, { name: 'fn-2', roleArn });
      const uuids: string[] = [];
      for (const [cluster, fn, topic] of [
        [clusterA, 'fn-1', 't1'], [clusterA, 'fn-1', 't2'], [clusterA, 'fn-2', 't3'], [clusterB, 'fn-2', 't4'], [clusterB, 'fn-1', 't5'],
      ] as const) {
        const e = await c.lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: cluster, FunctionName: fn, Topics: [topic], StartingPosition: 'LATEST' }));
        uuids.push(e.UUID!);
      }
      const byCluster = await c.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: clusterA }));
      expect(byCluster.EventSourceMappings!.map((e) => e.UUID)).toEqual(uuids.slice(0, 3));
      const byFunctionArn = await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn2 }));
      expect(byFunctionArn.EventSourceMappings!.map((e) => e.Topics![0])).toEqual(['t3', 't4']);
      const byBoth = await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'fn-1', EventSourceArn: clusterB }));
      expect(byBoth.EventSourceMappings!.map((e) => e.Topics![0])).toEqual(['t5']);

      const first = await c.lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2 }));
      expect(first.EventSourceMappings).toHaveLength(2);
      expect(first.NextMarker).toBeTruthy();
      const second = await c.lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: first.NextMarker }));
      expect(second.EventSourceMappings!.map((e) => e.UUID)).toEqual(uuids.slice(2, 4));
      const seen: string[] = [];
      for await (const page of paginateListEventSourceMappings({ client: c.lambda, pageSize: 2 }, {})) {
        seen.push(...page.EventSourceMappings!.map((e) => e.UUID!));
      }
      expect(seen).toEqual(uuids);
      const last = await c.lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: second.NextMarker }));
      expect(last.NextMarker).toBeUndefined();
      expect((await errorOf(c.lambda.send(new ListEventSourceMappingsCommand({ Marker: 'not-a-marker' })))).name).toBe('InvalidParameterValueException');
    });

    it('updates and deletes with the transitional states Lambda answers, and refuses a busy mapping', async () => {
      const c = ctx.aws();
      const s = await seedMskIamWithNat(c, ctx.moto());
      const disabling = await c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: s.uuid, Enabled: false, BatchSize: 250 }));
      expect(disabling.$metadata.httpStatusCode).toBe(202);
      expect(disabling.State).toBe('Disabling');
      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }));
      expect(got).toMatchObject({ State: 'Disabled', BatchSize: 250 });
      const changeGroup = await errorOf(
        c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: s.uuid, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'other' } })),
      );
      expect(changeGroup.name).toBe('InvalidParameterValueException');

      await setEsmStatus(ctx.moto().endpoint, s.uuid, { State: 'Creating' });
      const busy = await errorOf(c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: s.uuid, BatchSize: 10 })));
      expect(busy).toMatchObject({ name: 'ResourceInUseException', status: 400 });
      expect((await errorOf(c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: s.uuid })))).name).toBe('ResourceInUseException');

      await setEsmStatus(ctx.moto().endpoint, s.uuid, { State: 'Enabled' });
      const deleting = await c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: s.uuid }));
      expect(deleting.State).toBe('Deleting');
      expect(await errorOf(c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
      expect((await errorOf(c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: s.uuid })))).name).toBe('ResourceNotFoundException');
    });

    it('raises the modelled errors for bad requests', async () => {
      const c = ctx.aws();
      const clusterArn = await bareCluster(c, 'orders-prod');
      const { roleArn } = await createExecutionRole(c, { name: 'role' });
      await createFunction(c, { name: 'fn', roleArn });
      const base = { EventSourceArn: clusterArn, FunctionName: 'fn', Topics: ['orders'], StartingPosition: 'LATEST' as const };
      expect(await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({ ...base, FunctionName: 'nope' })))).toMatchObject({
        name: 'ResourceNotFoundException',
        status: 404,
      });
      expect((await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({ ...base, Topics: ['a', 'b'] })))).name).toBe('InvalidParameterValueException');
      expect((await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({ ...base, BatchSize: 20000 })))).name).toBe('InvalidParameterValueException');
      expect((await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({ ...base, ParallelizationFactor: 2 })))).name).toBe('InvalidParameterValueException');
      expect(
        (await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({ ...base, DestinationConfig: { OnFailure: { Destination: 'kafka://orders-dlq' } } })))).name,
      ).toBe('InvalidParameterValueException');
      expect(
        (await errorOf(c.lambda.send(new CreateEventSourceMappingCommand({
          FunctionName: 'fn', Topics: ['t'], SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['no-port.example.com'] } },
        })))).name,
      ).toBe('InvalidParameterValueException');
      await c.lambda.send(new CreateEventSourceMappingCommand(base));
      expect(await errorOf(c.lambda.send(new CreateEventSourceMappingCommand(base)))).toMatchObject({ name: 'ResourceConflictException', status: 409 });
      expect((await errorOf(c.lambda.send(new GetEventSourceMappingCommand({ UUID: '6d2b1c1e-0000-4000-8000-000000000000' })))).name).toBe(
        'ResourceNotFoundException',
      );
    });

    it('leaves SQS and DynamoDB Streams mappings to moto, and lists them with the Kafka ones', async () => {
      const c = ctx.aws();
      const sqs = await seedSqsEsm(c, ctx.moto());
      const got = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: sqs.uuid }));
      expect(got.EventSourceArn).toBe(sqs.queueArn);
      expect(got.BatchSize).toBe(10);

      const ddb = new DynamoDBClient({ endpoint: ctx.moto().endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const table = await ddb.send(
        new CreateTableCommand({
          TableName: 'orders',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      ddb.destroy();
      const stream = await c.lambda.send(
        new CreateEventSourceMappingCommand({ EventSourceArn: table.TableDescription!.LatestStreamArn, FunctionName: sqs.functionName, StartingPosition: 'LATEST' }),
      );
      const kafka = await seedMskIamWithNat(c, ctx.moto());
      const all = await c.lambda.send(new ListEventSourceMappingsCommand({}));
      expect(all.EventSourceMappings!.map((e) => e.UUID).sort()).toEqual([sqs.uuid, stream.UUID, kafka.uuid].sort());
      await c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: sqs.uuid }));
      expect((await errorOf(c.lambda.send(new GetEventSourceMappingCommand({ UUID: sqs.uuid })))).name).toBe('ResourceNotFoundException');
    });

    it('lets a test put a function into a failed state', async () => {
      const c = ctx.aws();
      const { roleArn } = await createExecutionRole(c, { name: 'role' });
      await createFunction(c, { name: 'fn', roleArn });
      await setFunctionStatus(ctx.moto().endpoint, 'fn', { State: 'Failed', StateReason: 'The function could not be initialised.', StateReasonCode: 'InternalError' });
      const got = await c.lambda.send(new GetFunctionCommand({ FunctionName: 'fn' }));
      expect(got.Configuration).toMatchObject({ State: 'Failed', StateReasonCode: 'InternalError' });
    });
  });

  // ----------------------------------------------------------------------------------------------
  describe('Kafka: clusters, bootstrap brokers, SCRAM secrets, topics', () => {
    it('answers DescribeClusterV2 in a form the SDK parses, with an AWS-shaped ARN and MSK defaults', async () => {
      const c = ctx.aws();
      const net = await createNetwork(c, { egress: 'none', name: 'orders' });
      const created = await c.kafka.send(
        new CreateClusterV2Command({
          ClusterName: 'orders-prod',
          Provisioned: {
            KafkaVersion: '3.6.0',
            NumberOfBrokerNodes: 3,
            BrokerNodeGroupInfo: { ClientSubnets: net.privateSubnetIds, InstanceType: 'kafka.m7g.large' },
            ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
          },
        }),
      );
      expect(created.State).toBe('CREATING');
      expect(created.ClusterArn).toMatch(/^arn:aws:kafka:eu-west-1:123456789012:cluster\/orders-prod\/[0-9a-f-]{36}-\d+$/);
      const { ClusterInfo: info } = await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: created.ClusterArn }));
      expect(info!.CreationTime).toBeInstanceOf(Date);
      expect(info!.State).toBe('ACTIVE');
      expect(info!.StateInfo).toBeUndefined();
      const group = info!.Provisioned!.BrokerNodeGroupInfo!;
      expect(group.ClientSubnets).toEqual(net.privateSubnetIds);
      expect(group.SecurityGroups).toHaveLength(1); // the VPC's default SG, as MSK picks it
      expect(group.ConnectivityInfo?.PublicAccess?.Type).toBe('DISABLED');
      expect(info!.Provisioned!.ClientAuthentication).toEqual({
        Sasl: { Scram: { Enabled: false }, Iam: { Enabled: true } },
        Tls: { CertificateAuthorityArnList: [], Enabled: false },
        Unauthenticated: { Enabled: false },
      });
      expect(info!.Provisioned!.EncryptionInfo?.EncryptionInTransit).toEqual({ ClientBroker: 'TLS_PLAINTEXT', InCluster: true });
      const v1 = await c.kafka.send(new DescribeClusterCommand({ ClusterArn: created.ClusterArn }));
      expect(v1.ClusterInfo!.CreationTime).toBeInstanceOf(Date);
      const missing = await errorOf(c.kafka.send(new DescribeClusterV2Command({ ClusterArn: created.ClusterArn!.replace(/-\d+$/, '-9') })));
      expect(missing).toMatchObject({ name: 'NotFoundException', status: 404 });

      await setClusterState(ctx.moto().endpoint, created.ClusterArn!, 'HEALING', { Code: 'InsufficientCapacity', Message: 'Broker 2 is being replaced.' });
      const healing = await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: created.ClusterArn }));
      expect(healing.ClusterInfo).toMatchObject({ State: 'HEALING', StateInfo: { Code: 'InsufficientCapacity', Message: 'Broker 2 is being replaced.' } });
    });

    it('derives GetBootstrapBrokers from the auth modes: one string per listener that is on', async () => {
      const c = ctx.aws();
      const iam = await bareCluster(c, 'iam-only', { auth: 'iam' });
      const iamBrokers = await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: iam }));
      expect(iamBrokers.BootstrapBrokerStringSaslIam?.split(',')).toHaveLength(3);
      expect(iamBrokers.BootstrapBrokerStringSaslIam).toMatch(/^b-1\.iamonly\.[0-9a-f]{6}\.c2\.kafka\.eu-west-1\.amazonaws\.com:9098,b-2\..*:9098,b-3\..*:9098$/);
      expect(iamBrokers.BootstrapBrokerString).toBeUndefined();
      expect(iamBrokers.BootstrapBrokerStringTls).toBeUndefined();
      expect(iamBrokers.BootstrapBrokerStringSaslScram).toBeUndefined();

      const scram = await bareCluster(c, 'scram', { auth: 'scram' });
      const scramBrokers = await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: scram }));
      expect(Object.keys(scramBrokers).filter((k) => k.startsWith('Bootstrap'))).toEqual(['BootstrapBrokerStringSaslScram']);
      expect(scramBrokers.BootstrapBrokerStringSaslScram).toMatch(/:9096$/);

      const net = await createNetwork(c, { egress: 'none', name: 'open', cidr: '10.40.0.0/16' });
      const open = await c.kafka.send(
        new CreateClusterV2Command({
          ClusterName: 'open',
          Provisioned: {
            KafkaVersion: '3.6.0',
            NumberOfBrokerNodes: 2,
            BrokerNodeGroupInfo: { ClientSubnets: net.privateSubnetIds.slice(0, 2), InstanceType: 'kafka.t3.small' },
            ClientAuthentication: { Unauthenticated: { Enabled: true }, Tls: { Enabled: true, CertificateAuthorityArnList: ['arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/1'] } },
            EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS_PLAINTEXT' } },
          },
        }),
      );
      const openBrokers = await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: open.ClusterArn }));
      expect(openBrokers.BootstrapBrokerString).toMatch(/:9092$/);
      expect(openBrokers.BootstrapBrokerStringTls).toMatch(/:9094$/);
      expect(openBrokers.BootstrapBrokerString?.split(',')).toHaveLength(2);
      expect(openBrokers.BootstrapBrokerStringSaslIam).toBeUndefined();

      expect(await errorOf(c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: iam.replace(/-\d+$/, '-7') })))).toMatchObject({ name: 'NotFoundException', status: 404 });
    });

    it('describes a serverless cluster with its VPC configs, IAM-only brokers and no topic APIs', async () => {
      const c = ctx.aws();
      const net = await createNetwork(c, { egress: 'none', name: 'events' });
      const created = await c.kafka.send(
        new CreateClusterV2Command({ ClusterName: 'events', Serverless: { VpcConfigs: [{ SubnetIds: net.privateSubnetIds, SecurityGroupIds: [] }] } }),
      );
      expect(created.ClusterArn).toMatch(/:cluster\/events\/[0-9a-f-]{36}-s1$/);
      const { ClusterInfo: info } = await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: created.ClusterArn }));
      expect(info).toMatchObject({ ClusterType: 'SERVERLESS', State: 'ACTIVE', Serverless: { VpcConfigs: [{ SubnetIds: net.privateSubnetIds }], ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } });
      const brokers = await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: created.ClusterArn }));
      expect(brokers.BootstrapBrokerStringSaslIam).toMatch(/^boot-[0-9a-f]{8}\.c2\.kafka-serverless\.eu-west-1\.amazonaws\.com:9098$/);
      expect((await errorOf(c.kafka.send(new DescribeTopicCommand({ ClusterArn: created.ClusterArn, TopicName: 'orders' })))).name).toBe('BadRequestException');
    });

    it('associates SCRAM secrets by MSK rules and lists them', async () => {
      const c = ctx.aws();
      const s = await seedMskScram(c, ctx.moto(), { secret: 'not-associated' });
      expect((await c.kafka.send(new ListScramSecretsCommand({ ClusterArn: s.clusterArn }))).SecretArnList).toEqual([]);

      const wrongName = await createScramSecret(c, { name: 'orders/scram', key: 'cmk' });
      const defaultKey = await createScramSecret(c, { name: 'AmazonMSK_default-key', key: 'default-key' });
      const out = await c.kafka.send(
        new BatchAssociateScramSecretCommand({ ClusterArn: s.clusterArn, SecretArnList: [s.secretArn!, wrongName.secretArn, defaultKey.secretArn] }),
      );
      expect(out.ClusterArn).toBe(s.clusterArn);
      expect(out.UnprocessedScramSecrets).toEqual([
        expect.objectContaining({ SecretArn: wrongName.secretArn, ErrorCode: 'InvalidSecretArn', ErrorMessage: expect.stringMatching(/AmazonMSK_/) }),
        expect.objectContaining({ SecretArn: defaultKey.secretArn, ErrorCode: 'InvalidSecretArn', ErrorMessage: expect.stringMatching(/default key/) }),
      ]);
      expect((await c.kafka.send(new ListScramSecretsCommand({ ClusterArn: s.clusterArn }))).SecretArnList).toEqual([s.secretArn]);

      await c.kafka.send(new BatchDisassociateScramSecretCommand({ ClusterArn: s.clusterArn, SecretArnList: [s.secretArn!] }));
      expect((await c.kafka.send(new ListScramSecretsCommand({ ClusterArn: s.clusterArn }))).SecretArnList).toEqual([]);

      const iamCluster = await bareCluster(c, 'iam-only', { auth: 'iam' });
      expect((await errorOf(c.kafka.send(new BatchAssociateScramSecretCommand({ ClusterArn: iamCluster, SecretArnList: [s.secretArn!] })))).name).toBe(
        'BadRequestException',
      );
    });

    it('creates, describes, lists and deletes topics; DescribeTopic says NotFoundException for a missing one', async () => {
      const c = ctx.aws();
      const cluster = await bareCluster(c, 'orders-prod');
      const topicArn = await createTopic(c, cluster, 'orders', { 'max.message.bytes': '8388608' });
      expect(topicArn).toBe(cluster.replace(':cluster/', ':topic/') + '/orders');
      await createTopic(c, cluster, 'orders-dlq');
      await createTopic(c, cluster, 'payments');

      const topic = await c.kafka.send(new DescribeTopicCommand({ ClusterArn: cluster, TopicName: 'orders' }));
      expect(topic).toMatchObject({ TopicArn: topicArn, TopicName: 'orders', PartitionCount: 12, ReplicationFactor: 3, Status: 'ACTIVE' });
      const configs = JSON.parse(Buffer.from(topic.Configs!, 'base64').toString('utf8'));
      expect(configs).toMatchObject({ 'max.message.bytes': '8388608', 'retention.ms': '604800000', 'cleanup.policy': 'delete' });

      expect(await errorOf(c.kafka.send(new DescribeTopicCommand({ ClusterArn: cluster, TopicName: 'order' })))).toMatchObject({ name: 'NotFoundException', status: 404 });
      expect(
        await errorOf(c.kafka.send(new CreateTopicCommand({ ClusterArn: cluster, TopicName: 'orders', PartitionCount: 1, ReplicationFactor: 1 }))),
      ).toMatchObject({ name: 'TopicExistsException', status: 409 });

      const filtered = await c.kafka.send(new ListTopicsCommand({ ClusterArn: cluster, TopicNameFilter: 'orders' }));
      expect(filtered.Topics!.map((t) => t.TopicName)).toEqual(['orders', 'orders-dlq']);
      const page1 = await c.kafka.send(new ListTopicsCommand({ ClusterArn: cluster, MaxResults: 2 }));
      const page2 = await c.kafka.send(new ListTopicsCommand({ ClusterArn: cluster, MaxResults: 2, NextToken: page1.NextToken }));
      expect([...page1.Topics!, ...page2.Topics!].map((t) => t.TopicName)).toEqual(['orders', 'orders-dlq', 'payments']);
      expect(page2.NextToken).toBeUndefined();

      const deleted = await c.kafka.send(new DeleteTopicCommand({ ClusterArn: cluster, TopicName: 'payments' }));
      expect(deleted.Status).toBe('DELETING');
      expect((await errorOf(c.kafka.send(new DescribeTopicCommand({ ClusterArn: cluster, TopicName: 'payments' })))).name).toBe('NotFoundException');

      const old = await bareCluster(c, 'legacy', { kafkaVersion: '2.8.1' });
      expect((await errorOf(c.kafka.send(new DescribeTopicCommand({ ClusterArn: old, TopicName: 'orders' })))).name).toBe('BadRequestException');
    });

    it('UpdateSecurity and UpdateConnectivity: the current version, per-mode merge, MSK\'s refusals, a new version, and CloudTrail history', async () => {
      const c = ctx.aws();
      const arn = await bareCluster(c, 'secure', { auth: 'iam' });
      const version = async () => (await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo!.CurrentVersion!;
      const v1 = await version();
      const stale = await errorOf(c.kafka.send(new UpdateSecurityCommand({ ClusterArn: arn, CurrentVersion: 'K0STALE', ClientAuthentication: { Sasl: { Scram: { Enabled: true } } } })));
      expect(stale).toMatchObject({ name: 'BadRequestException', status: 400 });
      const allOff = await errorOf(c.kafka.send(new UpdateSecurityCommand({ ClusterArn: arn, CurrentVersion: v1, ClientAuthentication: { Sasl: { Iam: { Enabled: false } } } })));
      expect(allOff).toMatchObject({ name: 'BadRequestException', message: expect.stringMatching(/authentication mode/) });
      const atRest = await errorOf(c.kafka.send(new UpdateSecurityCommand({ ClusterArn: arn, CurrentVersion: v1, EncryptionInfo: { EncryptionAtRest: { DataVolumeKMSKeyId: 'alias/other' } } })));
      expect(atRest).toMatchObject({ name: 'BadRequestException', message: expect.stringMatching(/client-broker/) });
      expect(await version()).toBe(v1); // refusals change nothing

      // SCRAM on, IAM left as it was; client-broker TLS only.
      const out = await c.kafka.send(new UpdateSecurityCommand({ ClusterArn: arn, CurrentVersion: v1, ClientAuthentication: { Sasl: { Scram: { Enabled: true } } }, EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS' } } }));
      expect(out).toMatchObject({ ClusterArn: arn, ClusterOperationArn: expect.stringMatching(/^arn:aws:kafka:eu-west-1:123456789012:cluster-operation\/secure\/[0-9a-f-]{36}-\d+\/[0-9a-f-]{36}$/) });
      const { ClusterInfo: info } = await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
      expect(info!.CurrentVersion).not.toBe(v1);
      expect(info!.Provisioned!.ClientAuthentication!.Sasl).toEqual({ Scram: { Enabled: true }, Iam: { Enabled: true } });
      expect(info!.Provisioned!.EncryptionInfo!.EncryptionInTransit).toEqual({ ClientBroker: 'TLS', InCluster: true });
      expect(Object.keys(await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: arn }))).filter((k) => k.startsWith('BootstrapBroker')).sort()).toEqual(['BootstrapBrokerStringSaslIam', 'BootstrapBrokerStringSaslScram']);

      const v2 = info!.CurrentVersion!;
      const badType = await errorOf(c.kafka.send(new UpdateConnectivityCommand({ ClusterArn: arn, CurrentVersion: v2, ConnectivityInfo: { PublicAccess: { Type: 'EVERYWHERE' } } })));
      expect(badType).toMatchObject({ name: 'BadRequestException' });
      await c.kafka.send(new UpdateConnectivityCommand({ ClusterArn: arn, CurrentVersion: v2, ConnectivityInfo: { PublicAccess: { Type: 'SERVICE_PROVIDED_EIPS' } } }));
      const after = await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
      expect(after.ClusterInfo!.Provisioned!.BrokerNodeGroupInfo!.ConnectivityInfo!.PublicAccess).toEqual({ Type: 'SERVICE_PROVIDED_EIPS' });
      expect((await c.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: arn }))).BootstrapBrokerStringPublicSaslIam).toMatch(/b-1-public\..*:9198/);

      // CloudTrail event history keeps both writes (not the refused ones), newest first.
      const trail = new CloudTrailClient({ region: 'eu-west-1', endpoint: ctx.moto().endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      try {
        const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: arn }] }));
        expect(events.Events!.map((e) => e.EventName)).toEqual(['UpdateConnectivity', 'UpdateSecurity']);
        expect(JSON.parse(events.Events![1]!.CloudTrailEvent!).requestParameters).toMatchObject({ clusterArn: arn, currentVersion: v1, clientAuthentication: { sasl: { scram: { enabled: true } } } });
      } finally {
        trail.destroy();
      }
    });

    it('creates a managed VPC connection to another account\'s cluster (CREATING) and describes it AVAILABLE; unknown ARN is NotFoundException', async () => {
      const c = ctx.aws();
      const target = 'arn:aws:kafka:eu-west-1:210987654321:cluster/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3';
      const input = { TargetClusterArn: target, Authentication: 'SASL_IAM', VpcId: 'vpc-0c1d2e3f4a5b6c7d8', ClientSubnets: ['subnet-0a11aa11aa11aa111', 'subnet-0b22bb22bb22bb222'], SecurityGroups: ['sg-0c4d5e6f7a8b9c0d1'] };
      const created = await c.kafka.send(new CreateVpcConnectionCommand(input));
      expect(created).toMatchObject({ State: 'CREATING', Authentication: 'SASL_IAM', VpcId: input.VpcId, ClientSubnets: input.ClientSubnets, SecurityGroups: input.SecurityGroups });
      expect(created.VpcConnectionArn).toMatch(/^arn:aws:kafka:eu-west-1:\d{12}:vpc-connection\/210987654321\/payments-prod\/.+$/);
      const described = await c.kafka.send(new DescribeVpcConnectionCommand({ Arn: created.VpcConnectionArn }));
      expect(described).toMatchObject({ VpcConnectionArn: created.VpcConnectionArn, TargetClusterArn: target, State: 'AVAILABLE', Subnets: input.ClientSubnets, SecurityGroups: input.SecurityGroups });
      expect(described.CreationTime).toBeInstanceOf(Date);
      expect((await errorOf(c.kafka.send(new DescribeVpcConnectionCommand({ Arn: `${created.VpcConnectionArn}x` })))).name).toBe('NotFoundException');
      expect((await errorOf(c.kafka.send(new CreateVpcConnectionCommand({ ...input, Authentication: 'UNAUTHENTICATED' })))).name).toBe('BadRequestException');
      expect((await errorOf(c.kafka.send(new CreateVpcConnectionCommand({ ...input, ClientSubnets: ['subnet-0a11aa11aa11aa111'] })))).name).toBe('BadRequestException');
    });
  });

  // ----------------------------------------------------------------------------------------------
  describe('IAM: SimulatePrincipalPolicy', () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const cluster = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3';
    const topic = 'arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders';

    async function role(c: AwsClients, name: string, inline?: unknown, managed?: string) {
      const r = await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      if (inline) await c.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(inline) }));
      if (managed) await c.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: managed }));
      return r.Role!.Arn!;
    }

    async function decisions(c: AwsClients, arn: string, actions: string[], resources?: string[]) {
      const out = await c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: actions, ResourceArns: resources }));
      return Object.fromEntries(out.EvaluationResults!.map((r) => [r.EvalActionName!, r.EvalDecision!]));
    }

    it('evaluates attached AWS managed policies: AWSLambdaMSKExecutionRole has no kafka-cluster:*', async () => {
      const c = ctx.aws();
      const arn = await role(c, 'msk-role', undefined, 'arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole');
      const out = await c.iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: ['kafka:DescribeClusterV2', 'kafka-cluster:Connect'], ResourceArns: [cluster] }),
      );
      expect(out.IsTruncated).toBe(false);
      expect(out.EvaluationResults).toEqual([
        expect.objectContaining({
          EvalActionName: 'kafka:DescribeClusterV2',
          EvalResourceName: cluster,
          EvalDecision: 'allowed',
          MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'AWSLambdaMSKExecutionRole', SourcePolicyType: 'aws-managed' })],
          ResourceSpecificResults: [expect.objectContaining({ EvalResourceName: cluster, EvalResourceDecision: 'allowed' })],
        }),
        expect.objectContaining({ EvalActionName: 'kafka-cluster:Connect', EvalResourceName: cluster, EvalDecision: 'implicitDeny', MatchedStatements: [] }),
      ]);
      expect(await decisions(c, arn, ['ec2:CreateNetworkInterface'])).toEqual({ 'ec2:CreateNetworkInterface': 'allowed' });
    });

    it('matches wildcards in actions and resources, honours NotAction, and lets an explicit Deny win', async () => {
      const c = ctx.aws();
      const arn = await role(c, 'kafka-role', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'kafka-cluster:*', Resource: 'arn:aws:kafka:eu-west-1:123456789012:*/orders-prod/*' },
          { Effect: 'Allow', Action: 'kafka-cluster:Describe?roup', Resource: '*' },
          { Effect: 'Deny', Action: 'kafka-cluster:ReadData', Resource: topic },
          { Effect: 'Allow', NotAction: ['iam:*', 'kafka-cluster:*'], Resource: '*' },
          { Effect: 'Allow', Action: ['KAFKA-CLUSTER:alterGROUP'], Resource: 'arn:aws:kafka:eu-west-1:123456789012:group/orders-prod/*' },
        ],
      });
      expect(await decisions(c, arn, ['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], [topic])).toEqual({
        'kafka-cluster:Connect': 'allowed',
        'kafka-cluster:DescribeTopic': 'allowed',
        'kafka-cluster:ReadData': 'explicitDeny',
      });
      // A wildcard does not cross the ARN's colons: 'kafka:eu-west-1:1234...:*' must not match another region.
      expect(await decisions(c, arn, ['kafka-cluster:Connect'], [cluster.replace('eu-west-1', 'us-east-1')])).toEqual({ 'kafka-cluster:Connect': 'implicitDeny' });
      expect(await decisions(c, arn, ['kafka-cluster:DescribeGroup', 'iam:PassRole', 'sts:AssumeRole'])).toEqual({
        'kafka-cluster:DescribeGroup': 'allowed',
        'iam:PassRole': 'implicitDeny',
        'sts:AssumeRole': 'allowed',
      });
      expect(await decisions(c, arn, ['kafka-cluster:AlterGroup'], ['arn:aws:kafka:eu-west-1:123456789012:group/orders-prod/5b2c/orders-consumer'])).toEqual({
        'kafka-cluster:AlterGroup': 'allowed',
      });
    });

    it('evaluates a user with the policies of its groups', async () => {
      const c = ctx.aws();
      await c.iam.send(new CreateUserCommand({ UserName: 'alice' }));
      await c.iam.send(new CreateGroupCommand({ GroupName: 'oncall' }));
      await c.iam.send(new AddUserToGroupCommand({ GroupName: 'oncall', UserName: 'alice' }));
      await c.iam.send(new PutGroupPolicyCommand({ GroupName: 'oncall', PolicyName: 'read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:Get*', 'lambda:List*'], Resource: '*' }] }) }));
      const out = await c.iam.send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:user/alice', ActionNames: ['lambda:GetEventSourceMapping', 'lambda:DeleteEventSourceMapping'] }),
      );
      expect(out.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements?.[0]?.SourcePolicyType])).toEqual([
        ['allowed', 'group'],
        ['implicitDeny', undefined],
      ]);
    });

    it('pages EvaluationResults with MaxItems and Marker', async () => {
      const c = ctx.aws();
      const arn = await role(c, 'paged', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] });
      const actions = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'kafka:GetBootstrapBrokers', 'kms:Decrypt'];
      const first = await c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: actions, MaxItems: 2 }));
      expect(first.IsTruncated).toBe(true);
      expect(first.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(actions.slice(0, 2));
      expect(first.EvaluationResults![0]!.EvalResourceName).toBe('*');
      const rest = [];
      let marker = first.Marker;
      while (marker) {
        const page = await c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: actions, MaxItems: 2, Marker: marker }));
        rest.push(...page.EvaluationResults!);
        marker = page.IsTruncated ? page.Marker : undefined;
      }
      expect(rest.map((r) => `${r.EvalActionName}=${r.EvalDecision}`)).toEqual([
        'logs:PutLogEvents=allowed',
        'kafka:GetBootstrapBrokers=implicitDeny',
        'kms:Decrypt=implicitDeny',
      ]);
    });

    it('applies a permissions boundary and answers NoSuchEntity for an unknown role', async () => {
      const c = ctx.aws();
      const arn = await role(c, 'bounded', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
      const out = await c.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: arn,
          ActionNames: ['kafka:DescribeClusterV2', 'secretsmanager:GetSecretValue'],
          PermissionsBoundaryPolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kafka:*', Resource: '*' }] })],
        }),
      );
      expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary])).toEqual([
        ['kafka:DescribeClusterV2', 'allowed', true],
        ['secretsmanager:GetSecretValue', 'implicitDeny', false],
      ]);
      const missing = await errorOf(
        c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:role/nobody', ActionNames: ['kafka:DescribeClusterV2'] })),
      );
      expect(missing).toMatchObject({ name: 'NoSuchEntityException', status: 404 });
      expect(
        (await errorOf(c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:sts::123456789012:assumed-role/x/y', ActionNames: ['s3:GetObject'] })))).name,
      ).toBe('InvalidInputException');
    });
  });

  // ----------------------------------------------------------------------------------------------
  describe('fixes to what moto already answers', () => {
    it('NAT gateways say ConnectivityType public; endpoints keep PolicyDocument and PrivateDnsEnabled', async () => {
      const c = ctx.aws();
      const nat = await createNetwork(c, { egress: 'nat', name: 'a' });
      const nats = await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [nat.vpcId] }] }));
      expect(nats.NatGateways).toEqual([expect.objectContaining({ NatGatewayId: nat.natGatewayId, ConnectivityType: 'public', State: 'available', SubnetId: nat.publicSubnetId })]);

      const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] });
      const eps = await createNetwork(c, { egress: 'endpoints', name: 'b', cidr: '10.50.0.0/16', privateDns: false, endpointPolicy: policy });
      const described = await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [eps.vpcId] }] }));
      expect(described.VpcEndpoints!.map((e) => [e.ServiceName, e.PrivateDnsEnabled, e.PolicyDocument])).toEqual([
        ['com.amazonaws.eu-west-1.sts', false, policy],
        ['com.amazonaws.eu-west-1.lambda', false, policy],
      ]);
    });

    it('the key behind alias/aws/secretsmanager is AWS managed', async () => {
      const c = ctx.aws();
      const key = await c.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }));
      expect(key.KeyMetadata!.KeyManager).toBe('AWS');
      const cmk = await createScramSecret(c, { name: 'AmazonMSK_x', key: 'cmk' });
      expect((await c.kms.send(new DescribeKeyCommand({ KeyId: cmk.kmsKeyArn }))).KeyMetadata!.KeyManager).toBe('CUSTOMER');
    });

    it('reset() clears the extension state with moto\'s', async () => {
      const c = ctx.aws();
      const s = await seedMskScram(c, ctx.moto());
      await ctx.moto().reset();
      expect((await c.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).toEqual([]);
      expect((await errorOf(c.kafka.send(new ListScramSecretsCommand({ ClusterArn: s.clusterArn })))).name).toBe('NotFoundException');
      expect((await errorOf(c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid })))).name).toBe('ResourceNotFoundException');
    });
  });
});
