/**
 * Seeds moto (test/support/moto.ts + moto_ext) with realistic environments through the real AWS SDK
 * v3, the way a team would build them in AWS: a VPC with private subnets in three AZs, egress by
 * NAT gateway or interface endpoints (or neither), the cluster security group, an MSK provisioned
 * cluster with IAM or SASL/SCRAM auth, the execution role, the function, the SCRAM secret and its
 * customer managed key, the topic, and the Kafka event source mapping.
 *
 * Every scenario is one function that returns the ids a test asserts on. The state Lambda itself
 * reports (State, StateTransitionReason, LastProcessingResult) is set through moto_ext's test-only
 * control endpoint, since no AWS API can produce it.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  RevokeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupEgressCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
  type ResourceType,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  BatchAssociateScramSecretCommand,
  CreateClusterV2Command,
  CreateTopicCommand,
  CreateVpcConnectionCommand,
  KafkaClient,
  type ClientAuthentication,
} from '@aws-sdk/client-kafka';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  type CreateEventSourceMappingCommandInput,
  type SourceAccessConfiguration,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const SEED_REGION = 'eu-west-1';
export const SEED_ACCOUNT = '123456789012';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

export interface SeedTarget {
  endpoint: string;
  region?: string;
}

export interface AwsClients {
  region: string;
  endpoint: string;
  ec2: EC2Client;
  iam: IAMClient;
  kafka: KafkaClient;
  kms: KMSClient;
  lambda: LambdaClient;
  secrets: SecretsManagerClient;
  destroy(): void;
}

/** SDK clients pointed at moto (explicit endpoint and test credentials: no environment needed). */
export function awsClients(target: SeedTarget): AwsClients {
  const region = target.region ?? SEED_REGION;
  const config = {
    endpoint: target.endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
    maxAttempts: 1,
  };
  const clients = {
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    kafka: new KafkaClient(config),
    kms: new KMSClient(config),
    lambda: new LambdaClient(config),
    secrets: new SecretsManagerClient(config),
  };
  return {
    region,
    endpoint: target.endpoint,
    ...clients,
    destroy() {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

const nameTag = (resourceType: ResourceType, name: string): TagSpecification[] => [{ ResourceType: resourceType, Tags: [{ Key: 'Name', Value: name }] }];

// ------------------------------------------------------------------------------------------------
// Control endpoint (moto_ext/control.py): what only Lambda or MSK themselves can do.

export interface EsmStatus {
  State?: string;
  StateTransitionReason?: string | null;
  LastProcessingResult?: string | null;
}

async function control(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto_ext control ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Sets what Lambda reports for a Kafka ESM: State, StateTransitionReason, LastProcessingResult. */
export function setEsmStatus(endpoint: string, uuid: string, status: EsmStatus): Promise<unknown> {
  return control(endpoint, `/moto-ext/esm/${uuid}/state`, status);
}

export function setClusterState(endpoint: string, clusterArn: string, state: string, stateInfo?: { Code: string; Message: string }): Promise<unknown> {
  return control(endpoint, '/moto-ext/kafka/cluster-state', { ClusterArn: clusterArn, State: state, ...(stateInfo ? { StateInfo: stateInfo } : {}) });
}

export function setFunctionStatus(
  endpoint: string,
  functionName: string,
  fields: { State?: string; StateReason?: string; StateReasonCode?: string; LastUpdateStatus?: string; LastUpdateStatusReason?: string; LastUpdateStatusReasonCode?: string },
): Promise<unknown> {
  return control(endpoint, '/moto-ext/lambda/function-state', { FunctionName: functionName, ...fields });
}

// ------------------------------------------------------------------------------------------------
// Building blocks

export type Egress = 'nat' | 'endpoints' | 'igw-only' | 'none';
export type EndpointService = 'sts' | 'lambda' | 'secretsmanager';

export interface NetworkOptions {
  /** How the private subnets reach AWS services. */
  egress: Egress;
  /** Interface endpoints only: private DNS on the endpoints (default true). */
  privateDns?: boolean;
  /** Interface endpoints only: which services (default sts + lambda). */
  endpointServices?: EndpointService[];
  /** Interface endpoints only: the endpoint policy (default: AWS's full-access default). */
  endpointPolicy?: string;
  cidr?: string;
  name?: string;
}

export interface Network {
  vpcId: string;
  privateSubnetIds: string[];
  privateRouteTableId: string;
  publicSubnetId?: string;
  publicRouteTableId?: string;
  internetGatewayId?: string;
  natGatewayId?: string;
  /** service -> vpce id */
  endpointIds: Partial<Record<EndpointService, string>>;
  endpointSecurityGroupId?: string;
}

/**
 * A VPC with three private subnets (one per AZ) sharing a route table, plus the chosen egress:
 *  - nat:       a public subnet with an internet gateway route and a NAT gateway; private 0.0.0.0/0 -> NAT
 *  - endpoints: interface endpoints in the private subnets (SG admitting 443 from the VPC), no default route
 *  - igw-only:  an internet gateway and private 0.0.0.0/0 -> IGW (the classic mistake: ENIs have no public IP)
 *  - none:      local routes only
 */
export async function createNetwork(c: AwsClients, options: NetworkOptions): Promise<Network> {
  const name = options.name ?? 'orders';
  const cidr = options.cidr ?? '10.20.0.0/16';
  const base = cidr.split('.').slice(0, 2).join('.');
  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: nameTag('vpc', `${name}-vpc`) }));
  const vpcId = vpc.Vpc!.VpcId!;
  await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
  await c.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));

  const privateSubnetIds: string[] = [];
  for (const [i, az] of AZS.entries()) {
    const s = await c.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${i * 16}.0/20`, AvailabilityZone: az, TagSpecifications: nameTag('subnet', `${name}-private-${az}`) }),
    );
    privateSubnetIds.push(s.Subnet!.SubnetId!);
  }
  const privateRt = await c.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', `${name}-private`) }));
  const privateRouteTableId = privateRt.RouteTable!.RouteTableId!;
  for (const subnetId of privateSubnetIds) {
    await c.ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRouteTableId, SubnetId: subnetId }));
  }
  const net: Network = { vpcId, privateSubnetIds, privateRouteTableId, endpointIds: {} };

  if (options.egress === 'nat' || options.egress === 'igw-only') {
    const igw = await c.ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: nameTag('internet-gateway', `${name}-igw`) }));
    net.internetGatewayId = igw.InternetGateway!.InternetGatewayId!;
    await c.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: net.internetGatewayId, VpcId: vpcId }));
  }
  if (options.egress === 'nat') {
    const pub = await c.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.48.0/24`, AvailabilityZone: AZS[0], TagSpecifications: nameTag('subnet', `${name}-public-${AZS[0]}`) }),
    );
    net.publicSubnetId = pub.Subnet!.SubnetId!;
    const publicRt = await c.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', `${name}-public`) }));
    net.publicRouteTableId = publicRt.RouteTable!.RouteTableId!;
    await c.ec2.send(new CreateRouteCommand({ RouteTableId: net.publicRouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: net.internetGatewayId }));
    await c.ec2.send(new AssociateRouteTableCommand({ RouteTableId: net.publicRouteTableId, SubnetId: net.publicSubnetId }));
    const eip = await c.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = await c.ec2.send(
      new CreateNatGatewayCommand({ SubnetId: net.publicSubnetId, AllocationId: eip.AllocationId, ConnectivityType: 'public', TagSpecifications: nameTag('natgateway', `${name}-nat`) }),
    );
    net.natGatewayId = nat.NatGateway!.NatGatewayId!;
    await c.ec2.send(new CreateRouteCommand({ RouteTableId: privateRouteTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: net.natGatewayId }));
  }
  if (options.egress === 'igw-only') {
    await c.ec2.send(new CreateRouteCommand({ RouteTableId: privateRouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: net.internetGatewayId }));
  }
  if (options.egress === 'endpoints') {
    const sg = await c.ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${name}-endpoints`, Description: 'Interface endpoints: HTTPS from the VPC' }),
    );
    net.endpointSecurityGroupId = sg.GroupId!;
    await c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: net.endpointSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: cidr, Description: 'HTTPS from the VPC' }] }],
      }),
    );
    for (const service of options.endpointServices ?? ['sts', 'lambda']) {
      const ep = await c.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          VpcEndpointType: 'Interface',
          ServiceName: `com.amazonaws.${c.region}.${service}`,
          SubnetIds: privateSubnetIds,
          SecurityGroupIds: [net.endpointSecurityGroupId],
          PrivateDnsEnabled: options.privateDns ?? true,
          ...(options.endpointPolicy ? { PolicyDocument: options.endpointPolicy } : {}),
          TagSpecifications: nameTag('vpc-endpoint', `${name}-${service}`),
        }),
      );
      net.endpointIds[service] = ep.VpcEndpoint!.VpcEndpointId!;
    }
  }
  return net;
}

/** The cluster SG: the broker port from itself (the ESM's ENIs carry it) or, without that rule, only from an office range. */
export async function createClusterSecurityGroup(
  c: AwsClients,
  vpcId: string,
  options: { port: number; selfReferencingRule: boolean; name?: string },
): Promise<string> {
  const sg = await c.ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${options.name ?? 'orders'}-msk`, Description: 'MSK brokers' }),
  );
  const groupId = sg.GroupId!;
  await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        options.selfReferencingRule
          ? { IpProtocol: 'tcp', FromPort: options.port, ToPort: options.port, UserIdGroupPairs: [{ GroupId: groupId, Description: 'Kafka clients in this SG' }] }
          : { IpProtocol: 'tcp', FromPort: options.port, ToPort: options.port, IpRanges: [{ CidrIp: '172.16.0.0/12', Description: 'office VPN' }] },
      ],
    }),
  );
  return groupId;
}

export type MskAuth = 'iam' | 'scram';

export const MSK_PORTS: Record<MskAuth, number> = { iam: 9098, scram: 9096 };

export async function createMskCluster(
  c: AwsClients,
  options: { name: string; subnetIds: string[]; securityGroupIds: string[]; auth: MskAuth; kafkaVersion?: string },
): Promise<string> {
  const clientAuthentication: ClientAuthentication =
    options.auth === 'iam'
      ? { Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } }, Unauthenticated: { Enabled: false } }
      : { Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } }, Unauthenticated: { Enabled: false } };
  const out = await c.kafka.send(
    new CreateClusterV2Command({
      ClusterName: options.name,
      Provisioned: {
        KafkaVersion: options.kafkaVersion ?? '3.6.0',
        NumberOfBrokerNodes: 3,
        BrokerNodeGroupInfo: {
          ClientSubnets: options.subnetIds,
          SecurityGroups: options.securityGroupIds,
          InstanceType: 'kafka.m7g.large',
          StorageInfo: { EbsStorageInfo: { VolumeSize: 1000 } },
        },
        ClientAuthentication: clientAuthentication,
        EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      },
      Tags: { team: 'orders' },
    }),
  );
  return out.ClusterArn!;
}

/** arn:aws:kafka:<r>:<a>:cluster/<name>/<uuid> -> the topic and group ARN prefixes IAM auth uses. */
export function kafkaResourcePrefix(clusterArn: string, kind: 'topic' | 'group'): string {
  return clusterArn.replace(':cluster/', `:${kind}/`);
}

export interface RoleOptions {
  name: string;
  /** The MSK cluster for kafka-cluster:* (IAM auth); omitted = no kafka-cluster permissions. */
  kafkaClusterArn?: string;
  /** Secrets the role may read, with the CMK that encrypts them. */
  secrets?: Array<{ secretArn: string; kmsKeyArn?: string }>;
  /** SASL/SCRAM on MSK: kafka:ListScramSecrets on this cluster (Lambda checks the association). */
  scramClusterArn?: string;
  /** Cross-account MSK: kafka:DescribeVpcConnection on the managed VPC connection the ESM names. */
  vpcConnectionArn?: string;
}

/** An execution role trusted by Lambda, with AWSLambdaMSKExecutionRole (which has no kafka-cluster:*) and what the options add. */
export async function createExecutionRole(c: AwsClients, options: RoleOptions): Promise<{ roleArn: string; roleName: string }> {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const role = await c.iam.send(new CreateRoleCommand({ RoleName: options.name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await c.iam.send(
    new AttachRolePolicyCommand({ RoleName: options.name, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole' }),
  );
  if (options.kafkaClusterArn) {
    const arn = options.kafkaClusterArn;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Cluster', Effect: 'Allow', Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'], Resource: arn },
        { Sid: 'Topics', Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Resource: `${kafkaResourcePrefix(arn, 'topic')}/*` },
        { Sid: 'Groups', Effect: 'Allow', Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Resource: `${kafkaResourcePrefix(arn, 'group')}/*` },
      ],
    };
    await c.iam.send(new PutRolePolicyCommand({ RoleName: options.name, PolicyName: 'msk-iam-access', PolicyDocument: JSON.stringify(policy) }));
  }
  const statements: unknown[] = [];
  const secrets = options.secrets ?? [];
  if (secrets.length) {
    statements.push({ Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secrets.map((s) => s.secretArn) });
    const keys = secrets.map((s) => s.kmsKeyArn).filter((k): k is string => !!k);
    if (keys.length) statements.push({ Sid: 'DecryptSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: keys });
  }
  if (options.scramClusterArn) statements.push({ Sid: 'ScramAssociation', Effect: 'Allow', Action: 'kafka:ListScramSecrets', Resource: options.scramClusterArn });
  if (options.vpcConnectionArn) statements.push({ Sid: 'VpcConnection', Effect: 'Allow', Action: 'kafka:DescribeVpcConnection', Resource: options.vpcConnectionArn });
  if (statements.length) {
    await c.iam.send(
      new PutRolePolicyCommand({ RoleName: options.name, PolicyName: 'kafka-secret-access', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
    );
  }
  return { roleArn: role.Role!.Arn!, roleName: options.name };
}

/** index.js exporting a handler, zipped (what CreateFunction expects). */
const FUNCTION_ZIP = Buffer.from(
  'UEsDBBQAAAAAAAAAIVyyWMxNQAAAAEAAAAAIAAAAaW5kZXguanNleHBvcnRzLmhhbmRsZXIgPSBhc3luYyAoZXZlbnQpID0+ICh7IGJhdGNoSXRlbUZhaWx1cmVzOiBbXSB9KTsKUEsBAhQDFAAAAAAAAAAhXLJYzE1AAAAAQAAAAAgAAAAAAAAAAAAAAIABAAAAAGluZGV4LmpzUEsFBgAAAAABAAEANgAAAGYAAAAAAA==',
  'base64',
);

export async function createFunction(c: AwsClients, options: { name: string; roleArn: string; reservedConcurrency?: number }): Promise<string> {
  const fn = await c.lambda.send(
    new CreateFunctionCommand({
      FunctionName: options.name,
      Runtime: 'nodejs22.x',
      Role: options.roleArn,
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 256,
      Code: { ZipFile: FUNCTION_ZIP },
      Tags: { team: 'orders' },
    }),
  );
  if (options.reservedConcurrency !== undefined) {
    await c.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: options.name, ReservedConcurrentExecutions: options.reservedConcurrency }));
  }
  return fn.FunctionArn!;
}

export type SecretKind = 'cmk' | 'default-key';

/** A SCRAM secret: {"username","password"}, encrypted with a new customer managed key or the default aws/secretsmanager key. */
export async function createScramSecret(c: AwsClients, options: { name: string; key: SecretKind }): Promise<{ secretArn: string; kmsKeyArn?: string }> {
  let kmsKeyArn: string | undefined;
  if (options.key === 'cmk') {
    const key = await c.kms.send(new CreateKeyCommand({ Description: `encrypts ${options.name}`, KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' }));
    kmsKeyArn = key.KeyMetadata!.Arn!;
  }
  const secret = await c.secrets.send(
    new CreateSecretCommand({
      Name: options.name,
      SecretString: JSON.stringify({ username: 'orders-consumer', password: 'c0rrect-h0rse-battery-staple' }),
      ...(kmsKeyArn ? { KmsKeyId: kmsKeyArn } : {}),
    }),
  );
  return { secretArn: secret.ARN!, ...(kmsKeyArn ? { kmsKeyArn } : {}) };
}

export async function createTopic(c: AwsClients, clusterArn: string, topic: string, configs: Record<string, string> = {}): Promise<string> {
  const out = await c.kafka.send(
    new CreateTopicCommand({
      ClusterArn: clusterArn,
      TopicName: topic,
      PartitionCount: 12,
      ReplicationFactor: 3,
      Configs: Buffer.from(JSON.stringify({ 'retention.ms': '604800000', ...configs })).toString('base64'),
    }),
  );
  return out.TopicArn!;
}

// ------------------------------------------------------------------------------------------------
// Scenarios

export interface MskScenarioOptions {
  /** How the cluster subnets reach STS / Lambda / Secrets Manager (default nat). */
  egress?: Egress;
  /** Interface endpoints only (default true). */
  privateDns?: boolean;
  /** Interface endpoints only (default sts + lambda, + secretsmanager with SCRAM). */
  endpointServices?: EndpointService[];
  endpointPolicy?: string;
  /** Cluster auth (default iam). */
  auth?: MskAuth;
  /** The cluster SG admits the broker port from itself (default true). */
  selfReferencingRule?: boolean;
  /** IAM auth: the role has kafka-cluster:* on the cluster, its topics and groups (default true). */
  kafkaClusterPermissions?: boolean;
  /**
   * SCRAM only (default associated): the secret the ESM names
   *  - associated: AmazonMSK_ name, CMK, associated with the cluster
   *  - not-associated: same secret, never associated
   *  - missing: the ESM names a secret ARN that does not exist
   *  - scheduled-for-deletion: the secret exists but is scheduled for deletion
   *  - default-key: AmazonMSK_ name but the default aws/secretsmanager key (MSK refuses to associate it)
   *  - no-prefix: a CMK but a name without AmazonMSK_ (MSK refuses to associate it)
   */
  secret?: 'associated' | 'not-associated' | 'missing' | 'scheduled-for-deletion' | 'default-key' | 'no-prefix';
  /** SCRAM only: the role may read the secret and decrypt it (default true). */
  secretPermissions?: boolean;
  /** Provisioned mode: ProvisionedPollerConfig set (default false = on-demand). */
  provisioned?: boolean;
  /** Create the topic on the cluster (default true). */
  createTopic?: boolean;
  /** What Lambda reports; default Enabled / USER_INITIATED / OK. */
  status?: EsmStatus;
  reservedConcurrency?: number;
  kafkaVersion?: string;
  names?: { cluster?: string; function?: string; topic?: string; role?: string };
}

export interface MskScenario {
  region: string;
  account: string;
  network: Network;
  clusterSecurityGroupId: string;
  clusterArn: string;
  topic: string;
  roleArn: string;
  roleName: string;
  functionName: string;
  functionArn: string;
  secretArn?: string;
  kmsKeyArn?: string;
  uuid: string;
  esmArn: string;
}

/**
 * An on-demand (or provisioned) MSK ESM and everything around it. With no options it is the healthy
 * baseline: IAM auth, three private subnets with a NAT gateway, the cluster SG admitting 9098 from
 * itself, a role with AWSLambdaMSKExecutionRole + kafka-cluster:*, the topic, an ESM reporting OK.
 */
export async function seedMskScenario(c: AwsClients, moto: SeedTarget, options: MskScenarioOptions = {}): Promise<MskScenario> {
  const auth = options.auth ?? 'iam';
  const names = { cluster: 'orders-prod', function: 'orders-consumer', topic: 'orders', role: 'orders-consumer-role', ...options.names };
  const defaultEndpoints: EndpointService[] = auth === 'scram' ? ['sts', 'lambda', 'secretsmanager'] : ['sts', 'lambda'];
  const network = await createNetwork(c, {
    egress: options.egress ?? 'nat',
    privateDns: options.privateDns,
    endpointServices: options.endpointServices ?? defaultEndpoints,
    endpointPolicy: options.endpointPolicy,
    name: names.cluster,
  });
  const clusterSecurityGroupId = await createClusterSecurityGroup(c, network.vpcId, {
    port: MSK_PORTS[auth],
    selfReferencingRule: options.selfReferencingRule ?? true,
    name: names.cluster,
  });
  const clusterArn = await createMskCluster(c, {
    name: names.cluster,
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [clusterSecurityGroupId],
    auth,
    kafkaVersion: options.kafkaVersion,
  });
  if (options.createTopic ?? true) await createTopic(c, clusterArn, names.topic);

  let secretArn: string | undefined;
  let kmsKeyArn: string | undefined;
  const secretMode = options.secret ?? 'associated';
  if (auth === 'scram') {
    const secretName = secretMode === 'no-prefix' ? `kafka/${names.function}/scram` : `AmazonMSK_${names.function}`;
    if (secretMode === 'missing') {
      secretArn = `arn:aws:secretsmanager:${c.region}:${SEED_ACCOUNT}:secret:${secretName}-Xy12Ab`;
    } else {
      ({ secretArn, kmsKeyArn } = await createScramSecret(c, { name: secretName, key: secretMode === 'default-key' ? 'default-key' : 'cmk' }));
      if (secretMode === 'associated') {
        const out = await c.kafka.send(new BatchAssociateScramSecretCommand({ ClusterArn: clusterArn, SecretArnList: [secretArn] }));
        if (out.UnprocessedScramSecrets?.length) throw new Error(`seed: secret not associated: ${JSON.stringify(out.UnprocessedScramSecrets)}`);
      }
      if (secretMode === 'scheduled-for-deletion') {
        await c.secrets.send(new DeleteSecretCommand({ SecretId: secretArn, RecoveryWindowInDays: 7 }));
      }
    }
  }

  const wantsKafkaCluster = auth === 'iam' && (options.kafkaClusterPermissions ?? true);
  const { roleArn, roleName } = await createExecutionRole(c, {
    name: names.role,
    kafkaClusterArn: wantsKafkaCluster ? clusterArn : undefined,
    secrets: secretArn && (options.secretPermissions ?? true) ? [{ secretArn, kmsKeyArn }] : undefined,
    scramClusterArn: auth === 'scram' ? clusterArn : undefined,
  });
  const functionArn = await createFunction(c, { name: names.function, roleArn, reservedConcurrency: options.reservedConcurrency });

  const sac: SourceAccessConfiguration[] = secretArn ? [{ Type: 'SASL_SCRAM_512_AUTH', URI: secretArn }] : [];
  const input: CreateEventSourceMappingCommandInput = {
    EventSourceArn: clusterArn,
    FunctionName: names.function,
    Topics: [names.topic],
    StartingPosition: 'LATEST',
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 1,
    ...(sac.length ? { SourceAccessConfigurations: sac } : {}),
    // Provisioned mode with its error handling controls, as a careful team sets it (esm.error-handling).
    ...(options.provisioned ? { ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 }, MaximumRetryAttempts: 10, BisectBatchOnFunctionError: true } : {}),
  };
  const esm = await c.lambda.send(new CreateEventSourceMappingCommand(input));
  const uuid = esm.UUID!;
  await setEsmStatus(moto.endpoint, uuid, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK', ...options.status });
  return {
    region: c.region,
    account: SEED_ACCOUNT,
    network,
    clusterSecurityGroupId,
    clusterArn,
    topic: names.topic,
    roleArn,
    roleName,
    functionName: names.function,
    functionArn,
    ...(secretArn ? { secretArn } : {}),
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    uuid,
    esmArn: esm.EventSourceMappingArn!,
  };
}

/** Healthy: IAM auth, private subnets with a NAT gateway. */
export const seedMskIamWithNat = (c: AwsClients, moto: SeedTarget, extra: MskScenarioOptions = {}) =>
  seedMskScenario(c, moto, { egress: 'nat', ...extra });

/** Healthy: IAM auth, interface endpoints for STS and Lambda with private DNS, no NAT. */
export const seedMskIamWithEndpoints = (c: AwsClients, moto: SeedTarget, extra: MskScenarioOptions = {}) =>
  seedMskScenario(c, moto, { egress: 'endpoints', privateDns: true, ...extra });

/** Healthy: provisioned mode needs no path to STS / Lambda; the subnets have local routes only. */
export const seedMskProvisionedNoEgress = (c: AwsClients, moto: SeedTarget, extra: MskScenarioOptions = {}) =>
  seedMskScenario(c, moto, { egress: 'none', provisioned: true, ...extra });

/** Broken: on-demand, private subnets route 0.0.0.0/0 to an internet gateway (no NAT, no endpoints). */
export const seedMskIgwOnly = (c: AwsClients, moto: SeedTarget, extra: MskScenarioOptions = {}) =>
  seedMskScenario(c, moto, { egress: 'igw-only', ...extra });

/** SASL/SCRAM with a CMK-encrypted AmazonMSK_ secret; `secret` picks what is wrong with it. */
export const seedMskScram = (c: AwsClients, moto: SeedTarget, extra: MskScenarioOptions = {}) =>
  seedMskScenario(c, moto, { auth: 'scram', ...extra });

/** The other account's cluster a cross-account ESM reaches (never created here: it is not this account's). */
export const OTHER_ACCOUNT_CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:210987654321:cluster/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3';

export interface CrossAccountScenario {
  network: Network;
  connectionSecurityGroupId: string;
  vpcConnectionArn: string;
  uuid: string;
}

/**
 * A cross-account ESM: a managed VPC connection (SASL_IAM) from this account's private subnets to
 * another account's cluster, its security group admitting itself on the multi-VPC ports
 * 14001-14100; the ESM names the connection. `connectionEgress: '443-only'` leaves the group only 443
 * out (the broker ports cannot leave).
 */
export async function seedMskCrossAccount(c: AwsClients, moto: SeedTarget, options: { connectionEgress?: 'all' | '443-only' } = {}): Promise<CrossAccountScenario> {
  const network = await createNetwork(c, { egress: 'nat', endpointServices: [], name: 'payments-link' });
  const sg = await c.ec2.send(new CreateSecurityGroupCommand({ VpcId: network.vpcId, GroupName: 'payments-prod-msk-connection', Description: 'Managed VPC connection to payments-prod' }));
  const groupId = sg.GroupId!;
  await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 14001, ToPort: 14100, UserIdGroupPairs: [{ GroupId: groupId, Description: 'ESM pollers to the connection endpoints' }] }],
    }),
  );
  if (options.connectionEgress === '443-only') {
    await c.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await c.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  }
  const connection = await c.kafka.send(
    new CreateVpcConnectionCommand({
      TargetClusterArn: OTHER_ACCOUNT_CLUSTER_ARN,
      Authentication: 'SASL_IAM',
      VpcId: network.vpcId,
      ClientSubnets: network.privateSubnetIds,
      SecurityGroups: [groupId],
    }),
  );
  const vpcConnectionArn = connection.VpcConnectionArn!;
  const { roleArn } = await createExecutionRole(c, { name: 'payments-consumer-role', vpcConnectionArn });
  await createFunction(c, { name: 'payments-consumer', roleArn });
  const esm = await c.lambda.send(
    new CreateEventSourceMappingCommand({ EventSourceArn: vpcConnectionArn, FunctionName: 'payments-consumer', Topics: ['payments'], StartingPosition: 'LATEST', BatchSize: 100 }),
  );
  await setEsmStatus(moto.endpoint, esm.UUID!, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK' });
  return { network, connectionSecurityGroupId: groupId, vpcConnectionArn, uuid: esm.UUID! };
}

export interface SelfManagedScenario {
  network: Network;
  securityGroupId: string;
  secretArn: string;
  kmsKeyArn?: string;
  roleArn: string;
  functionName: string;
  functionArn: string;
  bootstrapServers: string[];
  uuid: string;
  esmArn: string;
}

/** A self-managed Kafka ESM over SASL_SSL/SCRAM-512 in a VPC (VPC_SUBNET / VPC_SECURITY_GROUP), NAT egress. */
export async function seedSelfManaged(
  c: AwsClients,
  moto: SeedTarget,
  options: { bootstrapServers?: string[]; status?: EsmStatus; provisioned?: boolean } = {},
): Promise<SelfManagedScenario> {
  const network = await createNetwork(c, { egress: 'nat', name: 'clickstream', cidr: '10.30.0.0/16' });
  const securityGroupId = await createClusterSecurityGroup(c, network.vpcId, { port: 9096, selfReferencingRule: true, name: 'clickstream' });
  const { secretArn, kmsKeyArn } = await createScramSecret(c, { name: 'kafka/clickstream/scram', key: 'cmk' });
  const { roleArn } = await createExecutionRole(c, { name: 'clickstream-ingest-role', secrets: [{ secretArn, kmsKeyArn }] });
  const functionArn = await createFunction(c, { name: 'clickstream-ingest', roleArn });
  const bootstrapServers = options.bootstrapServers ?? ['kafka-1.clickstream.internal:9096', 'kafka-2.clickstream.internal:9096'];
  const esm = await c.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'clickstream-ingest',
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: bootstrapServers } },
      Topics: ['clickstream'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      SourceAccessConfigurations: [
        { Type: 'SASL_SCRAM_512_AUTH', URI: secretArn },
        ...network.privateSubnetIds.slice(0, 2).map((s) => ({ Type: 'VPC_SUBNET' as const, URI: `subnet:${s}` })),
        { Type: 'VPC_SECURITY_GROUP', URI: `security_group:${securityGroupId}` },
      ],
      ...(options.provisioned ? { ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 }, MaximumRetryAttempts: 10, BisectBatchOnFunctionError: true } : {}),
    }),
  );
  await setEsmStatus(moto.endpoint, esm.UUID!, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK', ...options.status });
  return {
    network,
    securityGroupId,
    secretArn,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    roleArn,
    functionName: 'clickstream-ingest',
    functionArn,
    bootstrapServers,
    uuid: esm.UUID!,
    esmArn: esm.EventSourceMappingArn!,
  };
}

/**
 * An SQS queue through moto's query API. The project has no SQS client; moto routes by the SigV4
 * credential scope and does not check signatures, so an unsigned-but-scoped request is enough.
 */
export async function createSqsQueue(moto: SeedTarget, name: string): Promise<string> {
  const region = moto.region ?? SEED_REGION;
  const res = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: 'CreateQueue', QueueName: name, Version: '2012-11-05' }).toString(),
  });
  if (!res.ok) throw new Error(`seed: CreateQueue answered ${res.status}: ${await res.text()}`);
  return `arn:aws:sqs:${region}:${SEED_ACCOUNT}:${name}`;
}

/** An SQS ESM, created by moto's own implementation: what esm-doctor must refuse as "not a Kafka mapping". */
export async function seedSqsEsm(c: AwsClients, moto: SeedTarget): Promise<{ queueArn: string; functionName: string; uuid: string }> {
  const queueArn = await createSqsQueue(moto, 'orders-dlq-replay');
  const { roleArn } = await createExecutionRole(c, { name: 'orders-replay-role' });
  await createFunction(c, { name: 'orders-replay', roleArn });
  const esm = await c.lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn, FunctionName: 'orders-replay', BatchSize: 10 }));
  return { queueArn, functionName: 'orders-replay', uuid: esm.UUID! };
}
