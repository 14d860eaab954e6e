/**
 * The healthy baselines every scenario and check test starts from: an on-demand MSK ESM using IAM
 * auth in three private subnets with a NAT gateway, and a self-managed ESM in a VPC using SCRAM.
 * Field names and shapes are those the AWS APIs return (ids and names are invented).
 */
import { requiredPermissions } from '../bot/model/permissions';
import type { EvaluationResult, Snapshot } from '../bot/model/snapshot';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-consumer`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/orders-consumer-role`;
export const ESM_UUID = '14e0db71-5d35-4eb5-b481-8945cf9d10c2';
export const VPC_ID = 'vpc-0c1d2e3f4a5b6c7d8';
export const CLUSTER_SG = 'sg-0a1b2c3d4e5f60718';
export const SUBNETS = ['subnet-0a11aa11aa11aa111', 'subnet-0b22bb22bb22bb222', 'subnet-0c33cc33cc33cc333'];
export const PUBLIC_SUBNET = 'subnet-0d44dd44dd44dd444';
export const NAT_ID = 'nat-0e55ee55ee55ee555';
export const IGW_ID = 'igw-0f66ff66ff66ff666';

const TRUST_POLICY = encodeURIComponent(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }),
);

/** Every requirement of the ESM answered "allowed", as SimulatePrincipalPolicy would for a correct role. */
export function allowAll(snapshot: Snapshot): EvaluationResult[] {
  const cluster = snapshot.cluster?.ok ? snapshot.cluster.value : undefined;
  const secretKeys: Record<string, string | undefined> = {};
  for (const s of snapshot.secrets) {
    if (s.kmsKey?.ok && s.kmsKey.value.KeyManager === 'CUSTOMER') secretKeys[s.arn] = s.kmsKey.value.Arn;
  }
  const destKey = snapshot.destinationEncryption?.ok && snapshot.destinationEncryption.value.key?.ok ? snapshot.destinationEncryption.value.key.value : undefined;
  const destinationKey = destKey && destKey.KeyManager !== 'AWS' ? destKey.Arn : undefined;
  return requiredPermissions({ esm: snapshot.esm, cluster, region: snapshot.target.region, account: ACCOUNT, secretKeys, ...(destinationKey ? { destinationKey } : {}) }).map((r) => ({
    EvalActionName: r.action,
    EvalResourceName: r.resource,
    EvalDecision: 'allowed',
  }));
}

/** A secret as DescribeSecret + DescribeKey report it, encrypted with a customer managed key. */
export function cmkSecret(type: string, arn: string, name: string, keyArn: string): Snapshot['secrets'][number] {
  return {
    type,
    arn,
    describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: arn, Name: name, KmsKeyId: keyArn, LastChangedDate: '2026-10-01T08:00:00.000Z' } },
    kmsKey: {
      ok: true,
      source: 'kms:DescribeKey',
      value: { KeyId: keyArn.split('/').pop()!, Arn: keyArn, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' },
    },
  };
}

function subnet(id: string, az: string, azId: string, cidr: string) {
  return {
    SubnetId: id,
    VpcId: VPC_ID,
    CidrBlock: cidr,
    AvailabilityZone: az,
    AvailabilityZoneId: azId,
    AvailableIpAddressCount: 4081,
    MapPublicIpOnLaunch: false,
    State: 'available',
  };
}

export function mskIamHealthy(): Snapshot {
  const snapshot: Snapshot = {
    schemaVersion: 1,
    collectedAt: '2026-11-20T09:14:03.000Z',
    target: { uuid: ESM_UUID, region: REGION, account: ACCOUNT },
    options: { inspectSecrets: false },
    caller: { ok: true, source: 'sts:GetCallerIdentity', value: { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`, UserId: 'AROAEXAMPLEID:alice' } },
    esm: {
      UUID: ESM_UUID,
      EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${ESM_UUID}`,
      EventSourceArn: CLUSTER_ARN,
      FunctionArn: FUNCTION_ARN,
      State: 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      LastProcessingResult: 'OK',
      LastModified: '2026-11-18T16:02:11.000Z',
      Topics: ['orders'],
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: ESM_UUID },
    },
    function: {
      ok: true,
      source: 'lambda:GetFunction',
      value: {
        Configuration: {
          FunctionName: 'orders-consumer',
          FunctionArn: FUNCTION_ARN,
          Role: ROLE_ARN,
          Runtime: 'nodejs22.x',
          Timeout: 60,
          State: 'Active',
          LastUpdateStatus: 'Successful',
        },
        Tags: { team: 'orders' },
      },
    },
    concurrency: { ok: true, source: 'lambda:GetFunctionConcurrency', value: {} },
    role: { ok: true, source: 'iam:GetRole', value: { RoleName: 'orders-consumer-role', Arn: ROLE_ARN, AssumeRolePolicyDocument: TRUST_POLICY } },
    cluster: {
      ok: true,
      source: 'kafka:DescribeClusterV2',
      value: {
        ClusterArn: CLUSTER_ARN,
        ClusterName: 'orders-prod',
        ClusterType: 'PROVISIONED',
        State: 'ACTIVE',
        CurrentVersion: 'K3AEGXETSR30VB',
        Provisioned: {
          BrokerNodeGroupInfo: {
            BrokerAZDistribution: 'DEFAULT',
            ClientSubnets: SUBNETS,
            InstanceType: 'kafka.m7g.large',
            SecurityGroups: [CLUSTER_SG],
            ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
          },
          ClientAuthentication: {
            Sasl: { Scram: { Enabled: false }, Iam: { Enabled: true } },
            Tls: { CertificateAuthorityArnList: [], Enabled: false },
            Unauthenticated: { Enabled: false },
          },
          EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
          CurrentBrokerSoftwareInfo: { KafkaVersion: '3.6.0' },
          NumberOfBrokerNodes: 3,
        },
      },
    },
    bootstrapBrokers: {
      ok: true,
      source: 'kafka:GetBootstrapBrokers',
      value: {
        BootstrapBrokerStringSaslIam:
          'b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098,b-2.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098,b-3.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098',
      },
    },
    topic: {
      ok: true,
      source: 'kafka:DescribeTopic',
      value: {
        Found: true,
        TopicName: 'orders',
        TopicArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders`,
        PartitionCount: 12,
        ReplicationFactor: 3,
        // {"max.message.bytes":"1048588","retention.ms":"604800000"}
        Configs: Buffer.from(JSON.stringify({ 'max.message.bytes': '1048588', 'retention.ms': '604800000' })).toString('base64'),
        Status: 'ACTIVE',
      },
    },
    siblings: {
      ok: true,
      source: 'lambda:ListEventSourceMappings',
      value: [
        {
          UUID: ESM_UUID,
          FunctionArn: FUNCTION_ARN,
          EventSourceArn: CLUSTER_ARN,
          State: 'Enabled',
          Topics: ['orders'],
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: ESM_UUID },
        },
        {
          UUID: 'a4b7c0d3-e6f9-4a2b-8c5d-0e1f2a3b4c5d',
          FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:payments-consumer`,
          EventSourceArn: CLUSTER_ARN,
          State: 'Enabled',
          Topics: ['payments'],
          AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'a4b7c0d3-e6f9-4a2b-8c5d-0e1f2a3b4c5d' },
        },
      ],
    },
    network: {
      vpcId: VPC_ID,
      subnets: {
        ok: true,
        source: 'ec2:DescribeSubnets',
        value: [
          subnet(SUBNETS[0]!, 'eu-west-1a', 'euw1-az1', '10.20.0.0/20'),
          subnet(SUBNETS[1]!, 'eu-west-1b', 'euw1-az2', '10.20.16.0/20'),
          subnet(SUBNETS[2]!, 'eu-west-1c', 'euw1-az3', '10.20.32.0/20'),
        ],
      },
      securityGroups: {
        ok: true,
        source: 'ec2:DescribeSecurityGroups',
        value: [
          {
            GroupId: CLUSTER_SG,
            GroupName: 'orders-prod-msk',
            VpcId: VPC_ID,
            OwnerId: ACCOUNT,
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
            ],
            IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
          },
          {
            GroupId: 'sg-0123456789abcdef0',
            GroupName: 'default',
            VpcId: VPC_ID,
            OwnerId: ACCOUNT,
            IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0', UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
            IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
          },
        ],
      },
      routeTables: {
        ok: true,
        source: 'ec2:DescribeRouteTables',
        value: [
          {
            RouteTableId: 'rtb-0aa1private000001',
            VpcId: VPC_ID,
            Associations: SUBNETS.map((s, i) => ({ Main: false, SubnetId: s, RouteTableAssociationId: `rtbassoc-0aa1${i}` })),
            Routes: [
              { DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
              { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: NAT_ID, Origin: 'CreateRoute', State: 'active' },
            ],
          },
          {
            RouteTableId: 'rtb-0bb2public0000002',
            VpcId: VPC_ID,
            Associations: [{ Main: false, SubnetId: PUBLIC_SUBNET, RouteTableAssociationId: 'rtbassoc-0bb21' }],
            Routes: [
              { DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
              { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW_ID, Origin: 'CreateRoute', State: 'active' },
            ],
          },
          {
            RouteTableId: 'rtb-0cc3main00000003',
            VpcId: VPC_ID,
            Associations: [{ Main: true, RouteTableAssociationId: 'rtbassoc-0cc3main' }],
            Routes: [{ DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
          },
        ],
      },
      natGateways: {
        ok: true,
        source: 'ec2:DescribeNatGateways',
        value: [{ NatGatewayId: NAT_ID, SubnetId: PUBLIC_SUBNET, VpcId: VPC_ID, State: 'available', ConnectivityType: 'public' }],
      },
      vpcEndpoints: { ok: true, source: 'ec2:DescribeVpcEndpoints', value: [] },
      networkAcls: {
        ok: true,
        source: 'ec2:DescribeNetworkAcls',
        value: [
          {
            NetworkAclId: 'acl-0a1b2c3d4e5f60718',
            VpcId: VPC_ID,
            IsDefault: true,
            Associations: [...SUBNETS, PUBLIC_SUBNET].map((s, i) => ({ SubnetId: s, NetworkAclAssociationId: `aclassoc-0${i}`, NetworkAclId: 'acl-0a1b2c3d4e5f60718' })),
            Entries: [
              { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
              { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
              { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
              { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
            ],
          },
        ],
      },
      vpcDns: { ok: true, source: 'ec2:DescribeVpcAttribute', value: { EnableDnsSupport: true, EnableDnsHostnames: true } },
    },
    secrets: [],
  };
  snapshot.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: allowAll(snapshot) };
  return snapshot;
}

export const SM_UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const SM_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:clickstream-ingest`;
export const SM_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/clickstream-ingest-role`;
export const SM_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:kafka/clickstream/scram-Ab12Cd`;
export const SM_SG = 'sg-0f1e2d3c4b5a69788';
export const SM_SUBNETS = ['subnet-0a11aa11aa11aa111', 'subnet-0b22bb22bb22bb222'];
export const SM_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A self-managed cluster on EC2 in the same VPC, reached over SASL_SSL with SCRAM-SHA-512, on-demand with NAT. */
export function selfManagedScramHealthy(): Snapshot {
  const base = mskIamHealthy();
  const snapshot: Snapshot = {
    ...base,
    target: { uuid: SM_UUID, region: REGION, account: ACCOUNT },
    esm: {
      UUID: SM_UUID,
      EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${SM_UUID}`,
      FunctionArn: SM_FUNCTION_ARN,
      State: 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      LastProcessingResult: 'OK',
      LastModified: '2026-11-02T10:40:00.000Z',
      Topics: ['clickstream'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.internal.example.com:9096', 'kafka-2.internal.example.com:9096'] } },
      SourceAccessConfigurations: [
        { Type: 'SASL_SCRAM_512_AUTH', URI: SM_SECRET_ARN },
        { Type: 'VPC_SUBNET', URI: `subnet:${SM_SUBNETS[0]}` },
        { Type: 'VPC_SUBNET', URI: `subnet:${SM_SUBNETS[1]}` },
        { Type: 'VPC_SECURITY_GROUP', URI: `security_group:${SM_SG}` },
      ],
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: SM_UUID },
    },
    function: {
      ok: true,
      source: 'lambda:GetFunction',
      value: {
        Configuration: { FunctionName: 'clickstream-ingest', FunctionArn: SM_FUNCTION_ARN, Role: SM_ROLE_ARN, Runtime: 'nodejs22.x', Timeout: 120, State: 'Active', LastUpdateStatus: 'Successful' },
      },
    },
    role: { ok: true, source: 'iam:GetRole', value: { RoleName: 'clickstream-ingest-role', Arn: SM_ROLE_ARN, AssumeRolePolicyDocument: TRUST_POLICY } },
    cluster: undefined,
    bootstrapBrokers: undefined,
    topic: undefined,
    siblings: {
      ok: true,
      source: 'lambda:ListEventSourceMappings',
      value: [
        {
          UUID: SM_UUID,
          FunctionArn: SM_FUNCTION_ARN,
          State: 'Enabled',
          Topics: ['clickstream'],
          SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.internal.example.com:9096', 'kafka-2.internal.example.com:9096'] } },
          SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: SM_UUID },
        },
      ],
    },
    secrets: [cmkSecret('SASL_SCRAM_512_AUTH', SM_SECRET_ARN, 'kafka/clickstream/scram', SM_KEY_ARN)],
    dns: {
      ok: true,
      source: 'dns',
      value: [
        { entry: 'kafka-1.internal.example.com:9096', host: 'kafka-1.internal.example.com', port: 9096, addresses: ['10.20.1.15'] },
        { entry: 'kafka-2.internal.example.com:9096', host: 'kafka-2.internal.example.com', port: 9096, addresses: ['10.20.17.22'] },
      ],
    },
  };
  const sg = {
    GroupId: SM_SG,
    GroupName: 'clickstream-esm',
    VpcId: VPC_ID,
    OwnerId: ACCOUNT,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9096, ToPort: 9096, UserIdGroupPairs: [{ GroupId: SM_SG, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
  };
  const net = base.network!;
  snapshot.network = {
    ...net,
    subnets: net.subnets.ok ? { ...net.subnets, value: net.subnets.value.filter((s) => SM_SUBNETS.includes(s.SubnetId)) } : net.subnets,
    securityGroups: net.securityGroups?.ok ? { ...net.securityGroups, value: [sg, ...net.securityGroups.value] } : net.securityGroups,
  };
  snapshot.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: allowAll(snapshot) };
  return snapshot;
}
