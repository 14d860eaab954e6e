import { z } from 'zod';
import { Target } from './target';
import { ProbeResult } from '../probe/schema';

/**
 * The Snapshot: every fact the checks need about one ESM, JSON-serialisable and versioned.
 *
 * Facts keep the AWS API's own field names (PascalCase, as the SDK returns them) so that a fixture
 * is a realistic API response and a reader can compare it with the console or the CLI. Objects are
 * "loose": fields the checks do not read are kept, not rejected, so a newer API never breaks an old
 * snapshot. Timestamps are ISO strings. Secret values never appear here: only the format facts
 * derived from them in memory (`SecretFormatFacts`).
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Fact<T>: a value, or the error that stopped us reading it.

export const FactError = z.object({
  /** The AWS error name (AccessDeniedException, ThrottlingException, NotFoundException, ...) or a local one. */
  code: z.string(),
  message: z.string(),
  /** The IAM action the call needs, e.g. "ec2:DescribeSubnets": what to grant when code is AccessDenied. */
  action: z.string().optional(),
  /** HTTP status, when the SDK gave one. */
  httpStatus: z.number().optional(),
});
export type FactError = z.infer<typeof FactError>;

/** `source` names how the fact was obtained: the API call as an IAM action ("kafka:DescribeClusterV2"), or "dns", "derived". */
export function fact<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), source: z.string(), value }),
    z.object({ ok: z.literal(false), source: z.string(), error: FactError }),
  ]);
}
export type Fact<T> = { ok: true; source: string; value: T } | { ok: false; source: string; error: FactError };

// ---------------------------------------------------------------------------------------------
// Lambda

export const SourceAccessConfiguration = z.looseObject({
  Type: z.string(),
  URI: z.string(),
});
export type SourceAccessConfiguration = z.infer<typeof SourceAccessConfiguration>;

/** KafkaSchemaRegistryConfig: a Glue registry ARN or a Confluent registry URL, with its access configs. */
export const KafkaSchemaRegistryConfig = z.looseObject({
  SchemaRegistryURI: z.string().optional(),
  EventRecordFormat: z.string().optional(),
  AccessConfigs: z.array(z.looseObject({ Type: z.string().optional(), URI: z.string().optional() })).optional(),
  SchemaValidationConfigs: z.array(z.looseObject({ Attribute: z.string().optional() })).optional(),
});
export type KafkaSchemaRegistryConfig = z.infer<typeof KafkaSchemaRegistryConfig>;

/** GetEventSourceMapping output (EventSourceMappingConfiguration). */
export const EsmConfig = z.looseObject({
  UUID: z.string(),
  EventSourceMappingArn: z.string().optional(),
  EventSourceArn: z.string().optional(),
  FunctionArn: z.string(),
  State: z.string(),
  StateTransitionReason: z.string().optional(),
  LastProcessingResult: z.string().optional(),
  LastModified: z.string().optional(),
  Topics: z.array(z.string()).optional(),
  StartingPosition: z.string().optional(),
  BatchSize: z.number().optional(),
  MaximumBatchingWindowInSeconds: z.number().optional(),
  SelfManagedEventSource: z.looseObject({ Endpoints: z.record(z.string(), z.array(z.string())).optional() }).optional(),
  SourceAccessConfigurations: z.array(SourceAccessConfiguration).optional(),
  AmazonManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional(), SchemaRegistryConfig: KafkaSchemaRegistryConfig.optional() }).optional(),
  SelfManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional(), SchemaRegistryConfig: KafkaSchemaRegistryConfig.optional() }).optional(),
  MaximumRetryAttempts: z.number().optional(),
  MaximumRecordAgeInSeconds: z.number().optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  DestinationConfig: z
    .looseObject({ OnFailure: z.looseObject({ Destination: z.string().optional() }).optional() })
    .optional(),
  ProvisionedPollerConfig: z
    .looseObject({
      MinimumPollers: z.number().optional(),
      MaximumPollers: z.number().optional(),
      PollerGroupName: z.string().optional(),
    })
    .optional(),
});
export type EsmConfig = z.infer<typeof EsmConfig>;

/** GetFunction output, minus `Code` (a presigned URL we have no use for). */
export const FunctionInfo = z.looseObject({
  Configuration: z.looseObject({
    FunctionName: z.string(),
    FunctionArn: z.string(),
    Role: z.string().optional(),
    Runtime: z.string().optional(),
    Timeout: z.number().optional(),
    State: z.string().optional(),
    StateReason: z.string().optional(),
    StateReasonCode: z.string().optional(),
    LastUpdateStatus: z.string().optional(),
    LastUpdateStatusReason: z.string().optional(),
    LastUpdateStatusReasonCode: z.string().optional(),
  }),
  Tags: z.record(z.string(), z.string()).optional(),
});
export type FunctionInfo = z.infer<typeof FunctionInfo>;

/** GetFunctionConcurrency output: no ReservedConcurrentExecutions means unreserved. */
export const FunctionConcurrency = z.looseObject({ ReservedConcurrentExecutions: z.number().optional() });
export type FunctionConcurrency = z.infer<typeof FunctionConcurrency>;

/** One entry of ListEventSourceMappings, kept small: what consumer-group.unique compares. */
export const SiblingEsm = z.looseObject({
  UUID: z.string(),
  FunctionArn: z.string().optional(),
  EventSourceArn: z.string().optional(),
  State: z.string().optional(),
  Topics: z.array(z.string()).optional(),
  SelfManagedEventSource: z.looseObject({ Endpoints: z.record(z.string(), z.array(z.string())).optional() }).optional(),
  AmazonManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional() }).optional(),
  SelfManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional() }).optional(),
});
export type SiblingEsm = z.infer<typeof SiblingEsm>;

// ---------------------------------------------------------------------------------------------
// IAM / STS

/** GetRole output's Role. AssumeRolePolicyDocument is URL-encoded JSON, exactly as IAM returns it. */
export const RoleInfo = z.looseObject({
  RoleName: z.string(),
  Arn: z.string(),
  AssumeRolePolicyDocument: z.string().optional(),
});
export type RoleInfo = z.infer<typeof RoleInfo>;

/** SimulatePrincipalPolicy EvaluationResults entry. */
export const EvaluationResult = z.looseObject({
  EvalActionName: z.string(),
  EvalResourceName: z.string().optional(),
  EvalDecision: z.string(),
  MissingContextValues: z.array(z.string()).optional(),
});
export type EvaluationResult = z.infer<typeof EvaluationResult>;

export const CallerIdentity = z.looseObject({
  Account: z.string(),
  Arn: z.string(),
  UserId: z.string().optional(),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;

// ---------------------------------------------------------------------------------------------
// MSK

const Enabled = z.looseObject({ Enabled: z.boolean().optional() }).optional();

export const ClientAuthentication = z.looseObject({
  Sasl: z.looseObject({ Scram: Enabled, Iam: Enabled }).optional(),
  Tls: z
    .looseObject({ Enabled: z.boolean().optional(), CertificateAuthorityArnList: z.array(z.string()).optional() })
    .optional(),
  Unauthenticated: Enabled,
});
export type ClientAuthentication = z.infer<typeof ClientAuthentication>;

/** DescribeClusterV2 output's ClusterInfo. */
export const ClusterInfo = z.looseObject({
  ClusterArn: z.string(),
  ClusterName: z.string().optional(),
  ClusterType: z.string().optional(),
  State: z.string().optional(),
  StateInfo: z.looseObject({ Code: z.string().optional(), Message: z.string().optional() }).optional(),
  Provisioned: z
    .looseObject({
      BrokerNodeGroupInfo: z
        .looseObject({
          ClientSubnets: z.array(z.string()).optional(),
          SecurityGroups: z.array(z.string()).optional(),
          ConnectivityInfo: z.looseObject({}).optional(),
        })
        .optional(),
      ClientAuthentication: ClientAuthentication.optional(),
      EncryptionInfo: z
        .looseObject({
          EncryptionInTransit: z
            .looseObject({ ClientBroker: z.string().optional(), InCluster: z.boolean().optional() })
            .optional(),
        })
        .optional(),
      CurrentBrokerSoftwareInfo: z.looseObject({ KafkaVersion: z.string().optional() }).optional(),
      NumberOfBrokerNodes: z.number().optional(),
    })
    .optional(),
  Serverless: z
    .looseObject({
      VpcConfigs: z
        .array(z.looseObject({ SubnetIds: z.array(z.string()).optional(), SecurityGroupIds: z.array(z.string()).optional() }))
        .optional(),
      ClientAuthentication: ClientAuthentication.optional(),
    })
    .optional(),
});
export type ClusterInfo = z.infer<typeof ClusterInfo>;

/** GetBootstrapBrokers output: an absent or empty field means that listener is off. */
export const BootstrapBrokers = z.looseObject({
  BootstrapBrokerString: z.string().optional(),
  BootstrapBrokerStringTls: z.string().optional(),
  BootstrapBrokerStringSaslScram: z.string().optional(),
  BootstrapBrokerStringSaslIam: z.string().optional(),
  BootstrapBrokerStringPublicTls: z.string().optional(),
  BootstrapBrokerStringPublicSaslScram: z.string().optional(),
  BootstrapBrokerStringPublicSaslIam: z.string().optional(),
});
export type BootstrapBrokers = z.infer<typeof BootstrapBrokers>;

export const ScramSecrets = z.looseObject({ SecretArnList: z.array(z.string()) });
export type ScramSecrets = z.infer<typeof ScramSecrets>;

/**
 * DescribeTopic output, or `{ Found: false }` when MSK answered NotFoundException for the topic.
 * `Configs` is what MSK returns: Base64 text (decoded by the checks, which know both JSON and properties).
 */
export const TopicInfo = z.union([
  z.looseObject({
    Found: z.literal(true),
    TopicName: z.string(),
    TopicArn: z.string().optional(),
    PartitionCount: z.number().optional(),
    ReplicationFactor: z.number().optional(),
    Configs: z.string().optional(),
    Status: z.string().optional(),
  }),
  z.object({ Found: z.literal(false), TopicName: z.string() }),
]);
export type TopicInfo = z.infer<typeof TopicInfo>;

/** DescribeVpcConnection output: the managed VPC connection a cross-account ESM names. */
export const VpcConnectionInfo = z.looseObject({
  VpcConnectionArn: z.string().optional(),
  TargetClusterArn: z.string().optional(),
  State: z.string().optional(),
  Authentication: z.string().optional(),
  VpcId: z.string().optional(),
  Subnets: z.array(z.string()).optional(),
  SecurityGroups: z.array(z.string()).optional(),
  CreationTime: z.string().optional(),
});
export type VpcConnectionInfo = z.infer<typeof VpcConnectionInfo>;

// ---------------------------------------------------------------------------------------------
// Glue schema registry, on-failure destinations

/** glue:GetRegistry output. */
export const GlueRegistry = z.looseObject({
  RegistryName: z.string().optional(),
  RegistryArn: z.string().optional(),
  Status: z.string().optional(),
});
export type GlueRegistry = z.infer<typeof GlueRegistry>;

/**
 * The encryption of an SQS or SNS on-failure destination: its KmsMasterKeyId attribute (absent when
 * the queue or topic is not encrypted with KMS) and, for a key that is not AWS managed, its DescribeKey.
 */
export const DestinationEncryption = z.object({
  KmsMasterKeyId: z.string().optional(),
  key: fact(z.looseObject({ KeyId: z.string(), Arn: z.string().optional(), KeyManager: z.string().optional(), KeyState: z.string().optional() })).optional(),
});
export type DestinationEncryption = z.infer<typeof DestinationEncryption>;

// ---------------------------------------------------------------------------------------------
// EC2

export const Subnet = z.looseObject({
  SubnetId: z.string(),
  VpcId: z.string(),
  CidrBlock: z.string().optional(),
  AvailabilityZone: z.string().optional(),
  AvailabilityZoneId: z.string().optional(),
  AvailableIpAddressCount: z.number().optional(),
  MapPublicIpOnLaunch: z.boolean().optional(),
});
export type Subnet = z.infer<typeof Subnet>;

export const Route = z.looseObject({
  DestinationCidrBlock: z.string().optional(),
  DestinationIpv6CidrBlock: z.string().optional(),
  DestinationPrefixListId: z.string().optional(),
  GatewayId: z.string().optional(),
  NatGatewayId: z.string().optional(),
  TransitGatewayId: z.string().optional(),
  VpcPeeringConnectionId: z.string().optional(),
  NetworkInterfaceId: z.string().optional(),
  InstanceId: z.string().optional(),
  State: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

export const RouteTable = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string().optional(),
  Associations: z
    .array(z.looseObject({ Main: z.boolean().optional(), SubnetId: z.string().optional(), RouteTableAssociationId: z.string().optional() }))
    .optional(),
  Routes: z.array(Route).optional(),
});
export type RouteTable = z.infer<typeof RouteTable>;

export const NatGateway = z.looseObject({
  NatGatewayId: z.string(),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  State: z.string().optional(),
  ConnectivityType: z.string().optional(),
});
export type NatGateway = z.infer<typeof NatGateway>;

export const VpcEndpoint = z.looseObject({
  VpcEndpointId: z.string(),
  VpcEndpointType: z.string().optional(),
  VpcId: z.string().optional(),
  ServiceName: z.string(),
  State: z.string().optional(),
  PolicyDocument: z.string().optional(),
  PrivateDnsEnabled: z.boolean().optional(),
  SubnetIds: z.array(z.string()).optional(),
  RouteTableIds: z.array(z.string()).optional(),
  Groups: z.array(z.looseObject({ GroupId: z.string(), GroupName: z.string().optional() })).optional(),
});
export type VpcEndpoint = z.infer<typeof VpcEndpoint>;

export const IpPermission = z.looseObject({
  IpProtocol: z.string(),
  FromPort: z.number().optional(),
  ToPort: z.number().optional(),
  IpRanges: z.array(z.looseObject({ CidrIp: z.string(), Description: z.string().optional() })).optional(),
  Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: z.string() })).optional(),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string() })).optional(),
  UserIdGroupPairs: z.array(z.looseObject({ GroupId: z.string().optional(), UserId: z.string().optional() })).optional(),
});
export type IpPermission = z.infer<typeof IpPermission>;

export const SecurityGroup = z.looseObject({
  GroupId: z.string(),
  GroupName: z.string().optional(),
  VpcId: z.string().optional(),
  IpPermissions: z.array(IpPermission).optional(),
  IpPermissionsEgress: z.array(IpPermission).optional(),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const NetworkAclEntry = z.looseObject({
  RuleNumber: z.number(),
  Protocol: z.string(),
  RuleAction: z.string(),
  Egress: z.boolean(),
  CidrBlock: z.string().optional(),
  Ipv6CidrBlock: z.string().optional(),
  PortRange: z.looseObject({ From: z.number().optional(), To: z.number().optional() }).optional(),
});
export type NetworkAclEntry = z.infer<typeof NetworkAclEntry>;

export const NetworkAcl = z.looseObject({
  NetworkAclId: z.string(),
  VpcId: z.string().optional(),
  IsDefault: z.boolean().optional(),
  Associations: z.array(z.looseObject({ SubnetId: z.string().optional(), NetworkAclAssociationId: z.string().optional() })).optional(),
  Entries: z.array(NetworkAclEntry).optional(),
});
export type NetworkAcl = z.infer<typeof NetworkAcl>;

/** DescribeVpcAttribute for enableDnsSupport and enableDnsHostnames, folded into one fact. */
export const VpcDnsAttributes = z.object({
  EnableDnsSupport: z.boolean().optional(),
  EnableDnsHostnames: z.boolean().optional(),
});
export type VpcDnsAttributes = z.infer<typeof VpcDnsAttributes>;

/**
 * The network facts of the ESM's position: MSK → the cluster's client subnets and SGs;
 * self-managed → VPC_SUBNET / VPC_SECURITY_GROUP. Absent for a self-managed ESM on the internet.
 * Subnets and SGs are read by id; the rest by the VPC id the subnets belong to (route tables
 * include the VPC's main table; security groups include the endpoints' groups).
 */
export const NetworkFacts = z.object({
  subnets: fact(z.array(Subnet)),
  vpcId: z.string().optional(),
  securityGroups: fact(z.array(SecurityGroup)).optional(),
  routeTables: fact(z.array(RouteTable)).optional(),
  natGateways: fact(z.array(NatGateway)).optional(),
  vpcEndpoints: fact(z.array(VpcEndpoint)).optional(),
  networkAcls: fact(z.array(NetworkAcl)).optional(),
  vpcDns: fact(VpcDnsAttributes).optional(),
});
export type NetworkFacts = z.infer<typeof NetworkFacts>;

// ---------------------------------------------------------------------------------------------
// Secrets Manager / KMS

export const SecretDescription = z.looseObject({
  ARN: z.string(),
  Name: z.string(),
  KmsKeyId: z.string().optional(),
  DeletedDate: z.string().optional(),
  PrimaryRegion: z.string().optional(),
});
export type SecretDescription = z.infer<typeof SecretDescription>;

export const KeyMetadata = z.looseObject({
  KeyId: z.string(),
  Arn: z.string().optional(),
  KeyManager: z.string().optional(),
  KeyState: z.string().optional(),
  KeySpec: z.string().optional(),
  KeyUsage: z.string().optional(),
});
export type KeyMetadata = z.infer<typeof KeyMetadata>;

export const PemCertificateFacts = z.object({
  /** Number of BEGIN CERTIFICATE blocks. */
  blocks: z.number(),
  /** Every block parsed as X.509. */
  parses: z.boolean(),
  firstSubject: z.string().optional(),
  firstIssuer: z.string().optional(),
  firstNotAfter: z.string().optional(),
});

export const PrivateKeyFacts = z.object({
  /** The PEM label: "PRIVATE KEY" (PKCS#8), "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY" (PKCS#1), ... or "none". */
  pemLabel: z.string(),
  /** For encrypted PKCS#8: PBES1 (what Lambda accepts) or PBES2 (OpenSSL 3's default, which Lambda rejects). */
  encryptionScheme: z.enum(['PBES1', 'PBES2', 'unknown']).optional(),
  passwordGiven: z.boolean(),
});

/**
 * What --inspect-secrets learns from a secret value, in memory. Only shapes and booleans: the value,
 * the username and the password never leave the collector.
 */
export const SecretFormatFacts = z.object({
  json: z.boolean(),
  keys: z.array(z.string()),
  usernamePresent: z.boolean().optional(),
  passwordPresent: z.boolean().optional(),
  /** The password holds \, / or " — characters known to break the Kafka source (aws-cdk#22813). */
  passwordHasRiskyCharacters: z.boolean().optional(),
  certificate: PemCertificateFacts.optional(),
  privateKey: PrivateKeyFacts.optional(),
});
export type SecretFormatFacts = z.infer<typeof SecretFormatFacts>;

export const SecretFacts = z.object({
  /** The SourceAccessConfiguration Type that names it (SASL_SCRAM_512_AUTH, CLIENT_CERTIFICATE_TLS_AUTH, ...). */
  type: z.string(),
  arn: z.string(),
  describe: fact(SecretDescription),
  /** DescribeKey of the secret's KmsKeyId; absent when the secret uses the default aws/secretsmanager key. */
  kmsKey: fact(KeyMetadata).optional(),
  /** Only with --inspect-secrets. */
  format: fact(SecretFormatFacts).optional(),
});
export type SecretFacts = z.infer<typeof SecretFacts>;

// ---------------------------------------------------------------------------------------------
// DNS (self-managed bootstrap servers, resolved from where esm-doctor runs)

export const ResolvedEndpoint = z.object({
  /** The entry exactly as in KAFKA_BOOTSTRAP_SERVERS. */
  entry: z.string(),
  host: z.string().optional(),
  port: z.number().optional(),
  addresses: z.array(z.string()),
  /** ENOTFOUND, EAI_AGAIN, "malformed", ... */
  error: z.string().optional(),
});
export type ResolvedEndpoint = z.infer<typeof ResolvedEndpoint>;

// ---------------------------------------------------------------------------------------------
// CloudWatch (progress metrics, GetMetricData; docs/metrics.md)

/** One GetMetricData result: what was asked (namespace, metric, dimensions, statistic) and the points, oldest first. */
export const MetricSeries = z.object({
  namespace: z.string(),
  metric: z.string(),
  dimensions: z.record(z.string(), z.string()),
  stat: z.string(),
  /** ISO timestamps, ascending; minutes with no data are absent (CloudWatch returns no point for them). */
  timestamps: z.array(z.string()),
  values: z.array(z.number()),
  /** GetMetricData's StatusCode: Complete, PartialData (points beyond the call's limits) or InternalError. */
  statusCode: z.string().optional(),
});
export type MetricSeries = z.infer<typeof MetricSeries>;

/** The progress metrics of the ESM and its function over one window, keyed by series name (see collect/metrics SERIES). */
export const ProgressMetrics = z.object({
  start: z.string(),
  end: z.string(),
  periodSeconds: z.number(),
  series: z.record(z.string(), MetricSeries),
});
export type ProgressMetrics = z.infer<typeof ProgressMetrics>;

// ---------------------------------------------------------------------------------------------

export const Snapshot = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  collectedAt: z.string(),
  target: Target,
  options: z.object({ inspectSecrets: z.boolean() }),
  caller: fact(CallerIdentity).optional(),
  esm: EsmConfig,
  function: fact(FunctionInfo).optional(),
  concurrency: fact(FunctionConcurrency).optional(),
  role: fact(RoleInfo).optional(),
  /** SimulatePrincipalPolicy of the execution role against what this ESM needs (see model/permissions). */
  permissions: fact(z.array(EvaluationResult)).optional(),
  cluster: fact(ClusterInfo).optional(),
  bootstrapBrokers: fact(BootstrapBrokers).optional(),
  scramSecrets: fact(ScramSecrets).optional(),
  topic: fact(TopicInfo).optional(),
  /** Other Kafka ESMs of the same source (same cluster, or every self-managed one in the region). */
  siblings: fact(z.array(SiblingEsm)).optional(),
  network: NetworkFacts.optional(),
  secrets: z.array(SecretFacts),
  dns: fact(z.array(ResolvedEndpoint)).optional(),
  /** DescribeTopic of a kafka:// on-failure destination topic (MSK only). Additive, optional. */
  destinationTopic: fact(TopicInfo).optional(),
  /** The KMS key of an SQS / SNS on-failure destination. Additive, optional. */
  destinationEncryption: fact(DestinationEncryption).optional(),
  /** glue:GetRegistry of the ESM's Glue schema registry. Additive, optional. */
  schemaRegistry: fact(GlueRegistry).optional(),
  /** kafka:DescribeVpcConnection of a cross-account ESM's VPC connection. Additive, optional. */
  vpcConnection: fact(VpcConnectionInfo).optional(),
  /** A live probe's replay of steps 3–6 (--probe); absent when none ran. Additive: schemaVersion 1 snapshots without it stay valid. */
  probe: fact(ProbeResult).optional(),
  /** CloudWatch progress metrics over a recent window (OffsetLag, the function's Errors, Throttles, ...). Additive: absent in older snapshots. */
  metrics: fact(ProgressMetrics).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export function parseSnapshot(json: unknown): Snapshot {
  return Snapshot.parse(json);
}
