/**
 * Bundled scenarios: realistic snapshots of healthy and broken ESMs, each with the verdict and the
 * cause the real checks must find. `npm start` diagnoses them; the tests hold the checks to them.
 * Each one is the healthy baseline plus the few facts that break it, as AWS would report them.
 */
import type { Snapshot } from '../bot/model/snapshot';
import type { Verdict } from '../bot/model/report';
import {
  ACCOUNT,
  cmkSecret,
  CLUSTER_SG,
  mskIamHealthy,
  REGION,
  selfManagedScramHealthy,
  SUBNETS,
  VPC_ID,
} from './base';
import { AWS_LAMBDA_MSK_EXECUTION_ROLE, ORDERS_CONSUMER_ROLE, policiesOf, simulateRole, withGrant, type Policy } from './roles';
import { ESM_UUID } from './base';
import { burstCatchingUp, consumerTooSlow, poisonBatch, progressFact, throttled, type SeriesValues } from './metrics';

export interface Scenario {
  id: string;
  title: string;
  snapshot(): Snapshot;
  expect: {
    verdict: Verdict;
    /** The check the headline must name (the most likely cause). */
    cause?: string;
    /** Checks that must fail (besides the cause). */
    fails?: string[];
  };
}

const CONNECTION_ERROR =
  'PROBLEM: Connection error. Please check your event source connection configuration. If your event source lives in a VPC, try setting up a new Lambda function or EC2 instance with the same VPC, Subnet, and Security Group settings. Connect the new device to the Kafka cluster and consume messages to ensure that the issue is not related to VPC or Endpoint configuration.';
const VPC_EGRESS_ERROR =
  'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.';
const SCRAM_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:AmazonMSK_orders-consumer-Qx81Tz`;
const SCRAM_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/9f8e7d6c-5b4a-4321-9876-0fedcba98765`;
const ENDPOINT_SG = 'sg-0e1d2c3b4a5968777';

/** Replaces the route tables' default route (0.0.0.0/0) of the ESM subnets' table. */
function withPrivateDefaultRoute(s: Snapshot, route: Record<string, string> | undefined): Snapshot {
  const rts = s.network!.routeTables!;
  if (!rts.ok) return s;
  rts.value = rts.value.map((rt) =>
    rt.RouteTableId !== 'rtb-0aa1private000001'
      ? rt
      : {
          ...rt,
          Routes: [
            ...(rt.Routes ?? []).filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0'),
            ...(route ? [{ DestinationCidrBlock: '0.0.0.0/0', Origin: 'CreateRoute', State: 'active', ...route }] : []),
          ],
        },
  );
  return s;
}

function withScramCluster(s: Snapshot, { scramOn }: { scramOn: boolean }): Snapshot {
  const c = s.cluster!;
  if (c.ok && c.value.Provisioned) {
    c.value.Provisioned.ClientAuthentication = {
      Sasl: { Scram: { Enabled: scramOn }, Iam: { Enabled: !scramOn } },
      Tls: { CertificateAuthorityArnList: [], Enabled: false },
      Unauthenticated: { Enabled: false },
    };
  }
  s.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET_ARN }];
  const hosts = ['b-1', 'b-2', 'b-3'].map((b) => `${b}.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com`);
  s.bootstrapBrokers = {
    ok: true,
    source: 'kafka:GetBootstrapBrokers',
    value: scramOn
      ? { BootstrapBrokerStringSaslScram: hosts.map((h) => `${h}:9096`).join(',') }
      : { BootstrapBrokerStringSaslIam: hosts.map((h) => `${h}:9098`).join(',') },
  };
  const sgs = s.network!.securityGroups!;
  if (sgs.ok && scramOn) {
    sgs.value[0]!.IpPermissions = [
      { IpProtocol: 'tcp', FromPort: 9096, ToPort: 9096, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
    ];
  }
  return s;
}

function scramSecretFacts(exists: boolean): Snapshot['secrets'][number] {
  return exists
    ? cmkSecret('SASL_SCRAM_512_AUTH', SCRAM_SECRET_ARN, 'AmazonMSK_orders-consumer', SCRAM_KEY_ARN)
    : {
        type: 'SASL_SCRAM_512_AUTH',
        arn: SCRAM_SECRET_ARN,
        describe: {
          ok: false,
          source: 'secretsmanager:DescribeSecret',
          error: { code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", action: 'secretsmanager:DescribeSecret', httpStatus: 400 },
        },
      };
}

/** orders-consumer-role once the ESM uses the SCRAM secret: it may read and decrypt it, and check the association. */
const ORDERS_CONSUMER_SCRAM_ROLE = withGrant(
  withGrant(withGrant(ORDERS_CONSUMER_ROLE, 'secretsmanager:GetSecretValue', SCRAM_SECRET_ARN), 'kms:Decrypt', SCRAM_KEY_ARN),
  'kafka:ListScramSecrets',
  `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-prod/*`,
);

function refreshPermissions(s: Snapshot, policies: Policy[] = policiesOf(s)): Snapshot {
  s.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(s, policies) };
  return s;
}

const DLT_TOPIC_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders-dlt`;
const GLUE_REGISTRY_ARN = `arn:aws:glue:${REGION}:${ACCOUNT}:registry/orders-schemas`;
export const VPC_CONNECTION_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:vpc-connection/210987654321/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3`;

/** Provisioned mode with bounded retries and split batches: the careful baseline of the newer features. */
function provisionedWithControls(s: Snapshot, pollers: Snapshot['esm']['ProvisionedPollerConfig'] = { MinimumPollers: 1, MaximumPollers: 12 }): Snapshot {
  s.esm.ProvisionedPollerConfig = pollers;
  s.esm.MaximumRetryAttempts = 10;
  s.esm.BisectBatchOnFunctionError = true;
  return s;
}

/** A kafka:// on-failure topic of the same cluster, as DescribeTopic reports it (or NotFoundException). */
function withKafkaDestination(s: Snapshot, exists: boolean): Snapshot {
  s.esm.DestinationConfig = { OnFailure: { Destination: 'kafka://orders-dlt' } };
  s.destinationTopic = exists
    ? { ok: true, source: 'kafka:DescribeTopic', value: { Found: true, TopicName: 'orders-dlt', TopicArn: DLT_TOPIC_ARN, PartitionCount: 12, ReplicationFactor: 3, Status: 'ACTIVE' } }
    : { ok: true, source: 'kafka:DescribeTopic', value: { Found: false, TopicName: 'orders-dlt' } };
  // The role may describe and write to the on-failure topic (Lambda's Kafka on-failure destination page).
  return refreshPermissions(s, withGrant(ORDERS_CONSUMER_ROLE, ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], DLT_TOPIC_ARN));
}

/** A Glue schema registry, as GetEventSourceMapping and glue:GetRegistry report it. */
function withGlueRegistry(s: Snapshot): Snapshot {
  s.esm.AmazonManagedKafkaEventSourceConfig = {
    ConsumerGroupId: s.esm.UUID,
    SchemaRegistryConfig: { SchemaRegistryURI: GLUE_REGISTRY_ARN, EventRecordFormat: 'JSON', SchemaValidationConfigs: [{ Attribute: 'VALUE' }] },
  };
  s.schemaRegistry = { ok: true, source: 'glue:GetRegistry', value: { RegistryName: 'orders-schemas', RegistryArn: GLUE_REGISTRY_ARN, Status: 'AVAILABLE' } };
  return refreshPermissions(s, withGrant(ORDERS_CONSUMER_ROLE, ['glue:GetRegistry', 'glue:GetSchemaVersion'], [GLUE_REGISTRY_ARN, `arn:aws:glue:${REGION}:${ACCOUNT}:schema/orders-schemas/*`]));
}

const FAILED_BATCHES_BUCKET = 'arn:aws:s3:::orders-failed-batches';
const FAILED_BATCHES_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918`;

/**
 * An S3 on-failure bucket whose default encryption is SSE-KMS with a customer managed key and an S3
 * Bucket Key, as GetBucketEncryption and DescribeKey report them. The role may write to the bucket
 * (s3:PutObject, s3:ListBucket); `keyGrant` adds kms:GenerateDataKey on the key (kafka-on-failure).
 */
function withS3KmsDestination(s: Snapshot, keyGrant: boolean): Snapshot {
  s.esm.DestinationConfig = { OnFailure: { Destination: FAILED_BATCHES_BUCKET } };
  s.destinationEncryption = {
    ok: true,
    source: 's3:GetEncryptionConfiguration',
    value: {
      SSEAlgorithm: 'aws:kms',
      BucketKeyEnabled: true,
      KmsMasterKeyId: FAILED_BATCHES_KEY,
      key: { ok: true, source: 'kms:DescribeKey', value: { KeyId: FAILED_BATCHES_KEY.split('/')[1]!, Arn: FAILED_BATCHES_KEY, KeyManager: 'CUSTOMER', KeyState: 'Enabled' } },
    },
  };
  const bucket = withGrant(withGrant(ORDERS_CONSUMER_ROLE, 's3:PutObject', `${FAILED_BATCHES_BUCKET}/*`), 's3:ListBucket', FAILED_BATCHES_BUCKET);
  return refreshPermissions(s, keyGrant ? withGrant(bucket, 'kms:GenerateDataKey', FAILED_BATCHES_KEY) : bucket);
}

/** A Confluent schema registry at a private address of the cluster's VPC (an internal load balancer), no auth. */
export const CONFLUENT_REGISTRY_URI = 'https://10.20.64.15:8081';

function withConfluentRegistry(s: Snapshot): Snapshot {
  s.esm.AmazonManagedKafkaEventSourceConfig = {
    ConsumerGroupId: s.esm.UUID,
    SchemaRegistryConfig: { SchemaRegistryURI: CONFLUENT_REGISTRY_URI, EventRecordFormat: 'JSON', SchemaValidationConfigs: [{ Attribute: 'VALUE' }] },
  };
  return s;
}

/** The cluster group lets out only the broker port (to itself) and 443: what a tightened group often looks like. */
function withTightEgress(s: Snapshot): Snapshot {
  const sgs = s.network!.securityGroups!;
  const g = sgs.ok ? sgs.value.find((x) => x.GroupId === CLUSTER_SG) : undefined;
  if (g) {
    g.IpPermissionsEgress = [
      { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'AWS APIs' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
    ];
  }
  return s;
}

/** Denies `actions` in the simulation answers. */
function denying(s: Snapshot, actions: string[]): Snapshot {
  const p = s.permissions;
  if (p?.ok) p.value = p.value.map((r) => (actions.includes(r.EvalActionName) ? { ...r, EvalDecision: 'implicitDeny' } : r));
  return s;
}

/** The security group of the managed VPC connection, in this (the client) account's VPC. */
export const CONNECTION_SG = 'sg-0c4d5e6f7a8b9c0d1';

/**
 * A cross-account ESM: the cluster is another account's, reached through a managed VPC connection
 * whose interface endpoints sit in this account's subnets with the connection's security group. The
 * ESM's pollers take the same position (subnets and group of the connection): the group admits
 * itself on the multi-VPC broker ports 14001-14100 and lets everything out; the subnets route to a NAT
 * gateway for STS and Lambda. The other account's cluster stays unread.
 */
export function crossAccount(state = 'AVAILABLE'): Snapshot {
  const s = mskIamHealthy();
  s.esm.EventSourceArn = VPC_CONNECTION_ARN;
  const notRead = (action: string) => ({
    ok: false as const,
    source: action,
    error: { code: 'CrossAccountCluster', message: `${VPC_CONNECTION_ARN} is not a cluster in this account (a multi-VPC connection to another account's cluster); esm-doctor does not read it`, action },
  });
  s.cluster = notRead('kafka:DescribeClusterV2');
  s.bootstrapBrokers = notRead('kafka:GetBootstrapBrokers');
  s.topic = undefined;
  s.siblings = { ok: true, source: 'lambda:ListEventSourceMappings', value: [] };
  const sgs = s.network!.securityGroups!;
  if (sgs.ok) {
    sgs.value = [
      {
        GroupId: CONNECTION_SG,
        GroupName: 'payments-prod-msk-connection',
        Description: 'Managed VPC connection to payments-prod (account 210987654321)',
        VpcId: VPC_ID,
        OwnerId: ACCOUNT,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 14001, ToPort: 14100, UserIdGroupPairs: [{ GroupId: CONNECTION_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
        ],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
      },
      ...sgs.value.filter((g) => g.GroupId !== CLUSTER_SG),
    ];
  }
  s.vpcConnection = {
    ok: true,
    source: 'kafka:DescribeVpcConnection',
    value: {
      VpcConnectionArn: VPC_CONNECTION_ARN,
      TargetClusterArn: 'arn:aws:kafka:eu-west-1:210987654321:cluster/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3',
      State: state,
      Authentication: 'SASL_IAM',
      VpcId: VPC_ID,
      Subnets: SUBNETS,
      SecurityGroups: [CONNECTION_SG],
      CreationTime: '2026-10-01T08:00:00.000Z',
      Tags: {},
    },
  };
  return refreshPermissions(s, withGrant(ORDERS_CONSUMER_ROLE, 'kafka:DescribeVpcConnection', VPC_CONNECTION_ARN));
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'msk-iam-healthy',
    title: 'MSK with IAM auth, on-demand, private subnets with a NAT gateway: healthy',
    snapshot: mskIamHealthy,
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-sg-missing-self-rule',
    title: 'The cluster security group admits the brokers only from an old CIDR, not from itself',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.LastProcessingResult = CONNECTION_ERROR;
      const sgs = s.network!.securityGroups!;
      if (sgs.ok) {
        sgs.value[0]!.IpPermissions = [
          { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.1.0.0/24', Description: 'old bastion subnet' }], UserIdGroupPairs: [], Ipv6Ranges: [], PrefixListIds: [] },
        ];
      }
      return s;
    },
    expect: { verdict: 'failing', cause: 'network.sg-broker-ingress', fails: ['esm.last-result'] },
  },
  {
    id: 'msk-on-demand-no-nat',
    title: 'On-demand ESM in subnets whose only way out is an internet gateway (no NAT, no endpoints)',
    snapshot() {
      const s = withPrivateDefaultRoute(mskIamHealthy(), { GatewayId: 'igw-0f66ff66ff66ff666' });
      s.esm.LastProcessingResult = VPC_EGRESS_ERROR;
      return s;
    },
    expect: { verdict: 'failing', cause: 'egress.sts', fails: ['egress.lambda', 'esm.last-result'] },
  },
  {
    id: 'msk-provisioned-no-egress',
    title: 'Provisioned mode with no NAT and no endpoints: nothing is needed for the invoke',
    snapshot() {
      const s = withPrivateDefaultRoute(mskIamHealthy(), undefined);
      s.esm.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 10 };
      // Provisioned mode's error handling controls, set as a careful team would (esm.error-handling).
      s.esm.MaximumRetryAttempts = 10;
      s.esm.BisectBatchOnFunctionError = true;
      return s;
    },
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-vpc-endpoints',
    title: 'On-demand ESM reaching STS and Lambda through interface VPC endpoints: healthy',
    snapshot() {
      const s = withPrivateDefaultRoute(mskIamHealthy(), undefined);
      const net = s.network!;
      const endpointPolicy = (action: string) =>
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: action, Resource: '*' }] });
      net.vpcEndpoints = {
        ok: true,
        source: 'ec2:DescribeVpcEndpoints',
        value: (['sts', 'lambda'] as const).map((svc, i) => ({
          VpcEndpointId: `vpce-0${i}a1b2c3d4e5f6a7b8`,
          VpcEndpointType: 'Interface',
          VpcId: VPC_ID,
          ServiceName: `com.amazonaws.${REGION}.${svc}`,
          State: 'available',
          PolicyDocument: endpointPolicy(svc === 'sts' ? 'sts:AssumeRole' : 'lambda:InvokeFunction'),
          PrivateDnsEnabled: true,
          SubnetIds: SUBNETS,
          Groups: [{ GroupId: ENDPOINT_SG, GroupName: 'aws-endpoints' }],
          RouteTableIds: [],
        })),
      };
      const sgs = net.securityGroups!;
      if (sgs.ok) {
        sgs.value.push({
          GroupId: ENDPOINT_SG,
          GroupName: 'aws-endpoints',
          VpcId: VPC_ID,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
        });
      }
      return s;
    },
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-scram-secret-missing',
    title: 'SASL/SCRAM ESM whose secret was deleted',
    snapshot() {
      const s = withScramCluster(mskIamHealthy(), { scramOn: true });
      s.esm.LastProcessingResult = 'PROBLEM: SASL authentication failed.';
      s.secrets = [scramSecretFacts(false)];
      s.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } };
      return refreshPermissions(s, ORDERS_CONSUMER_SCRAM_ROLE);
    },
    expect: { verdict: 'failing', cause: 'secret.readable', fails: ['esm.last-result'] },
  },
  {
    id: 'msk-scram-disabled',
    title: 'The ESM carries a SCRAM secret, but SASL/SCRAM is off on the cluster (IAM only)',
    snapshot() {
      const s = withScramCluster(mskIamHealthy(), { scramOn: false });
      s.esm.LastProcessingResult = 'PROBLEM: SASL authentication failed.';
      s.secrets = [scramSecretFacts(true)];
      s.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } };
      return refreshPermissions(s, ORDERS_CONSUMER_SCRAM_ROLE);
    },
    expect: { verdict: 'failing', cause: 'msk.bootstrap', fails: ['auth.mode'] },
  },
  {
    id: 'msk-role-missing-kafka-cluster',
    title: 'IAM auth, but the execution role has only AWSLambdaMSKExecutionRole (no kafka-cluster:*)',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.LastProcessingResult = 'PROBLEM: Cluster failed to authorize Lambda.';
      return refreshPermissions(s, [AWS_LAMBDA_MSK_EXECUTION_ROLE]);
    },
    expect: { verdict: 'failing', cause: 'iam.execution-role', fails: ['esm.last-result'] },
  },
  {
    id: 'self-managed-dns-failure',
    title: 'Self-managed Kafka over the internet whose bootstrap host does not resolve',
    snapshot() {
      const s = selfManagedScramHealthy();
      const servers = ['kafka-1.clickstream.example.invalid:9096'];
      s.esm.SelfManagedEventSource = { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: servers } };
      s.esm.SourceAccessConfigurations = s.esm.SourceAccessConfigurations!.filter((c) => c.Type === 'SASL_SCRAM_512_AUTH');
      s.esm.LastProcessingResult = CONNECTION_ERROR;
      s.network = undefined;
      s.siblings = { ok: true, source: 'lambda:ListEventSourceMappings', value: [] };
      s.dns = {
        ok: true,
        source: 'dns',
        value: [{ entry: servers[0]!, host: 'kafka-1.clickstream.example.invalid', port: 9096, addresses: [], error: 'ENOTFOUND' }],
      };
      return refreshPermissions(s);
    },
    expect: { verdict: 'failing', cause: 'kafka.bootstrap-dns', fails: ['esm.last-result'] },
  },
  {
    id: 'reserved-concurrency-zero',
    title: 'The function\'s reserved concurrency is 0: every invoke is throttled',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.LastProcessingResult = 'PROBLEM: Function call failed';
      s.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 0 } };
      return s;
    },
    expect: { verdict: 'failing', cause: 'function.concurrency', fails: ['esm.last-result'] },
  },
  {
    id: 'self-managed-scram-healthy',
    title: 'Self-managed Kafka in a VPC with SASL/SCRAM-SHA-512: healthy',
    snapshot: selfManagedScramHealthy,
    expect: { verdict: 'healthy' },
  },
  {
    id: 'self-managed-disabled-authn',
    title: 'Lambda disabled the ESM after SASL failures: the configuration looks right, the password is not',
    snapshot() {
      const s = selfManagedScramHealthy();
      s.esm.State = 'Disabled';
      s.esm.StateTransitionReason = 'EVENT_SOURCE_AUTHN_ERROR';
      s.esm.LastProcessingResult = 'PROBLEM: SASL authentication failed.';
      return s;
    },
    expect: { verdict: 'failing', cause: 'esm.state', fails: ['esm.last-result'] },
  },
  // ---- issue 11: classes that came out wrong ----
  {
    id: 'msk-private-nat',
    title: 'On-demand ESM whose default route goes to a private NAT gateway (no internet), Lambda says "Connection error"',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.LastProcessingResult = CONNECTION_ERROR;
      const nats = s.network!.natGateways!;
      if (nats.ok) nats.value[0]!.ConnectivityType = 'private';
      return s;
    },
    expect: { verdict: 'failing', cause: 'egress.sts', fails: ['egress.lambda', 'esm.last-result'] },
  },
  {
    id: 'msk-scram-documented-role-healthy',
    title: 'SASL/SCRAM with AWSLambdaMSKExecutionRole plus the secret and key permissions (no kafka:ListScramSecrets): healthy',
    snapshot() {
      const s = withScramCluster(mskIamHealthy(), { scramOn: true });
      s.secrets = [scramSecretFacts(true)];
      s.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [SCRAM_SECRET_ARN] } };
      // What the Lambda MSK permissions page documents for SCRAM: the managed policy plus the secret and its key, no kafka:ListScramSecrets.
      return refreshPermissions(s, withGrant(withGrant(ORDERS_CONSUMER_ROLE, 'secretsmanager:GetSecretValue', SCRAM_SECRET_ARN), 'kms:Decrypt', SCRAM_KEY_ARN));
    },
    expect: { verdict: 'healthy' },
  },
  {
    id: 'function-last-update-failed',
    title: 'The function\'s last deployment failed; it still runs its previous version',
    snapshot() {
      const s = mskIamHealthy();
      const f = s.function!;
      if (f.ok) {
        Object.assign(f.value.Configuration, {
          LastUpdateStatus: 'Failed',
          LastUpdateStatusReasonCode: 'KMSKeyAccessDenied',
          LastUpdateStatusReason: 'Lambda was unable to decrypt the environment variables because KMS access was denied.',
        });
      }
      return s;
    },
    expect: { verdict: 'at-risk' },
  },
  {
    id: 'msk-stuck-creating',
    title: 'The ESM has been Creating for 40 minutes',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.State = 'Creating';
      s.esm.LastModified = new Date(Date.parse(s.collectedAt) - 40 * 60_000).toISOString();
      delete s.esm.LastProcessingResult;
      return s;
    },
    expect: { verdict: 'failing', cause: 'esm.state' },
  },
  // ---- issue 11: newer ESM features, one healthy and one broken each ----
  {
    id: 'msk-kafka-destination-healthy',
    title: 'Provisioned mode with a kafka:// on-failure topic that exists and the role may write: healthy',
    snapshot: () => withKafkaDestination(provisionedWithControls(mskIamHealthy()), true),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-kafka-destination-missing',
    title: 'The kafka:// on-failure topic was never created',
    snapshot: () => withKafkaDestination(provisionedWithControls(mskIamHealthy()), false),
    expect: { verdict: 'failing', cause: 'destination.kafka-topic' },
  },
  {
    id: 'msk-glue-registry-healthy',
    title: 'Provisioned mode validating records against a Glue schema registry the role may read: healthy',
    snapshot: () => withGlueRegistry(provisionedWithControls(mskIamHealthy())),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-glue-registry-denied',
    title: 'Glue schema registry, but the execution role has no glue:GetRegistry / glue:GetSchemaVersion',
    snapshot: () => denying(withGlueRegistry(provisionedWithControls(mskIamHealthy())), ['glue:GetRegistry', 'glue:GetSchemaVersion']),
    expect: { verdict: 'failing', cause: 'schema-registry.access' },
  },
  {
    id: 'msk-glue-registry-no-path',
    title: 'Glue schema registry, but the ESM subnets have neither a NAT route nor a glue endpoint',
    snapshot: () => withPrivateDefaultRoute(withGlueRegistry(provisionedWithControls(mskIamHealthy())), undefined),
    expect: { verdict: 'at-risk' },
  },
  {
    id: 'msk-confluent-registry-healthy',
    title: 'Provisioned mode validating records against a Confluent registry inside the VPC (https://10.20.64.15:8081): healthy',
    snapshot: () => withConfluentRegistry(provisionedWithControls(mskIamHealthy())),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-confluent-registry-blocked',
    title: 'Confluent registry on 8081 in the VPC, but the cluster security group lets only 9098 and 443 out',
    snapshot: () => withTightEgress(withConfluentRegistry(provisionedWithControls(mskIamHealthy()))),
    expect: { verdict: 'failing', cause: 'schema-registry.reachable' },
  },
  {
    id: 'msk-provisioned-pollers-healthy',
    title: 'Provisioned mode with 2–12 pollers in a poller group on a 12-partition topic: healthy',
    snapshot: () => provisionedWithControls(mskIamHealthy(), { MinimumPollers: 2, MaximumPollers: 12, PollerGroupName: 'orders' }),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-provisioned-pollers-invalid',
    title: 'Provisioned mode with MinimumPollers above MaximumPollers',
    snapshot: () => provisionedWithControls(mskIamHealthy(), { MinimumPollers: 20, MaximumPollers: 8 }),
    expect: { verdict: 'failing', cause: 'esm.provisioned-pollers' },
  },
  {
    id: 'msk-cross-account-available',
    title: 'Cross-account ESM through an AVAILABLE VPC connection, its subnets and security group open on 14001-14100: healthy',
    snapshot: () => crossAccount('AVAILABLE'),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-cross-account-no-broker-egress',
    title: 'Cross-account ESM whose VPC connection security group lets only 443 out, not the multi-VPC broker ports 14001-14100',
    snapshot() {
      const s = crossAccount('AVAILABLE');
      s.esm.LastProcessingResult = CONNECTION_ERROR;
      const sgs = s.network!.securityGroups!;
      const g = sgs.ok ? sgs.value.find((x) => x.GroupId === CONNECTION_SG) : undefined;
      if (g) g.IpPermissionsEgress = [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'AWS APIs' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }];
      return s;
    },
    expect: { verdict: 'failing', cause: 'network.sg-egress', fails: ['esm.last-result'] },
  },
  {
    id: 'msk-cross-account-rejected',
    title: 'Cross-account ESM whose VPC connection the cluster owner rejected',
    snapshot: () => crossAccount('REJECTED'),
    expect: { verdict: 'failing', cause: 'msk.vpc-connection' },
  },
  {
    id: 'msk-provisioned-poison-record-risk',
    title: 'Provisioned mode with unlimited retries, no destination, no split batches, no partial batch response',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 12 };
      return s;
    },
    expect: { verdict: 'at-risk' },
  },
  {
    id: 'msk-provisioned-bisect-only-risk',
    title: 'Provisioned mode that splits failing batches and reports failed items, but retries them without limit and has no destination',
    snapshot() {
      const s = mskIamHealthy();
      s.esm.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 12 };
      s.esm.BisectBatchOnFunctionError = true;
      s.esm.FunctionResponseTypes = ['ReportBatchItemFailures'];
      return s;
    },
    expect: { verdict: 'at-risk' },
  },
  {
    id: 'msk-s3-destination-kms-healthy',
    title: 'An S3 on-failure bucket under a customer managed key the role may kms:GenerateDataKey on: healthy',
    snapshot: () => withS3KmsDestination(mskIamHealthy(), true),
    expect: { verdict: 'healthy' },
  },
  {
    id: 'msk-s3-destination-kms-denied',
    title: 'An S3 on-failure bucket under a customer managed key, but the role has no kms:GenerateDataKey on it: failed batches are lost',
    snapshot: () => withS3KmsDestination(mskIamHealthy(), false),
    expect: { verdict: 'failing', cause: 'destination.kms' },
  },
  // Silent stalls: Enabled, LastProcessingResult OK, and yet the records do not get through (docs/metrics.md).
  {
    id: 'stall-poison-batch',
    title: 'A poison batch: the function times out on one batch, Lambda retries it for ever, the lag climbs while the ESM says OK',
    snapshot: () => withProgress(mskIamHealthy(), poisonBatch()),
    expect: { verdict: 'failing', cause: 'function.errors' },
  },
  {
    id: 'stall-throttled',
    title: 'Throttled: reserved concurrency 2 for a 12-partition topic, the lag climbs while the ESM says OK',
    snapshot() {
      const s = withProgress(mskIamHealthy(), throttled());
      s.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 2 } };
      return s;
    },
    expect: { verdict: 'failing', cause: 'function.throttles' },
  },
  {
    id: 'stall-consumer-too-slow',
    title: 'Consumer too slow: every invoke succeeds, none is throttled, but the lag keeps growing',
    snapshot: () => withProgress(mskIamHealthy(), consumerTooSlow()),
    expect: { verdict: 'at-risk' },
  },
  {
    id: 'busy-catching-up',
    title: 'A busy mapping working off a producer burst: the lag peaked and is coming down: healthy',
    snapshot: () => withProgress(mskIamHealthy(), burstCatchingUp()),
    expect: { verdict: 'healthy' },
  },
];

/** The healthy baseline plus an hour of progress metrics (scenarios/metrics). */
function withProgress(s: Snapshot, values: SeriesValues): Snapshot {
  s.metrics = progressFact(values, { functionName: 'orders-consumer', uuid: ESM_UUID });
  return s;
}
