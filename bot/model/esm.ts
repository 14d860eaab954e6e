/**
 * Pure derivations from an ESM's configuration (and its MSK cluster): where it runs, which auth
 * mode Lambda will choose, which port and broker string that implies, which consumer group it uses.
 * Collectors use them to know what to ask AWS; checks use them to judge. No I/O here.
 */
import type { ClusterInfo, EsmConfig, SourceAccessConfiguration, VpcConnectionInfo } from './snapshot';

export type EsmSource = 'msk' | 'self-managed';

export function esmSourceKind(esm: Pick<EsmConfig, 'EventSourceArn' | 'SelfManagedEventSource'>): string {
  const arn = esm.EventSourceArn;
  if (!arn) return esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS ? 'self-managed Kafka' : 'unknown';
  const service = arn.split(':')[2] ?? '';
  const names: Record<string, string> = {
    kafka: 'Amazon MSK',
    sqs: 'Amazon SQS',
    kinesis: 'Amazon Kinesis',
    dynamodb: 'Amazon DynamoDB Streams',
    mq: 'Amazon MQ',
    docdb: 'Amazon DocumentDB',
  };
  return names[service] ?? `${service} (${arn})`;
}

/** 'msk' | 'self-managed', or undefined for a non-Kafka ESM. */
export function esmSource(esm: Pick<EsmConfig, 'EventSourceArn' | 'SelfManagedEventSource'>): EsmSource | undefined {
  if (esm.EventSourceArn?.split(':')[2] === 'kafka') return 'msk';
  if (!esm.EventSourceArn && esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS) return 'self-managed';
  return undefined;
}

export function bootstrapServers(esm: EsmConfig): string[] {
  return esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS ?? [];
}

export function accessConfigs(esm: EsmConfig, type: string): SourceAccessConfiguration[] {
  return (esm.SourceAccessConfigurations ?? []).filter((c) => c.Type === type);
}

/** The SourceAccessConfiguration types whose URI is a Secrets Manager ARN. */
export const SECRET_TYPES = [
  'CLIENT_CERTIFICATE_TLS_AUTH',
  'SASL_SCRAM_512_AUTH',
  'SASL_SCRAM_256_AUTH',
  'BASIC_AUTH',
  'SERVER_ROOT_CA_CERTIFICATE',
] as const;

export function secretConfigs(esm: EsmConfig): SourceAccessConfiguration[] {
  return (esm.SourceAccessConfigurations ?? []).filter((c) => (SECRET_TYPES as readonly string[]).includes(c.Type));
}

/** On-demand unless ProvisionedPollerConfig is set: it changes how the invoke leaves the VPC. */
export function isProvisionedMode(esm: EsmConfig): boolean {
  const p = esm.ProvisionedPollerConfig;
  return p !== undefined && (p.MinimumPollers !== undefined || p.MaximumPollers !== undefined);
}

/** The Kafka consumer group the ESM joins: its ConsumerGroupId, or its UUID. */
export function consumerGroupId(esm: Pick<EsmConfig, 'UUID' | 'AmazonManagedKafkaEventSourceConfig' | 'SelfManagedKafkaEventSourceConfig'>): string {
  return (
    esm.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ??
    esm.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId ??
    esm.UUID
  );
}

export function hasCustomConsumerGroup(esm: EsmConfig): boolean {
  return consumerGroupId(esm) !== esm.UUID;
}

// ---------------------------------------------------------------------------------------------
// ARNs

export interface KafkaClusterArn {
  partition: string;
  region: string;
  account: string;
  clusterName: string;
  clusterUuid: string;
  arn: string;
}

/** arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> (serverless clusters use the same form). */
export function parseClusterArn(arn: string | undefined): KafkaClusterArn | undefined {
  const m = /^arn:([^:]+):kafka:([^:]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/.exec(arn ?? '');
  if (!m) return undefined;
  const [, partition, region, account, clusterName, clusterUuid] = m as unknown as string[];
  return { partition: partition!, region: region!, account: account!, clusterName: clusterName!, clusterUuid: clusterUuid!, arn: arn! };
}

export function isVpcConnectionArn(arn: string | undefined): boolean {
  return /^arn:[^:]+:kafka:[^:]+:\d{12}:vpc-connection\//.test(arn ?? '');
}

/** The error code of a cluster fact that belongs to another account (a cross-account ESM's cluster): skipped, not an error. */
export const CROSS_ACCOUNT_CLUSTER = 'CrossAccountCluster';

/**
 * The ports a client dials through a multi-VPC (managed VPC connection) link: one per broker,
 * counting up from 14001, served by the connection's interface endpoints in the client's subnets.
 * The MSK and Lambda pages esm-doctor could consult do not state the range (aws-facts.md §3.4 marks
 * it UNCERTAIN); the source is terraform-aws-modules/terraform-aws-msk-kafka-cluster,
 * examples/basic/main.tf ("multi-VPC network load balancer is listening on the 14001-14100 port
 * ranges"). The checks that use it say so in their evidence.
 */
export const MULTI_VPC_BROKER_PORTS = { from: 14001, to: 14100 } as const;

export function kafkaTopicArn(cluster: KafkaClusterArn, topic: string): string {
  return `arn:${cluster.partition}:kafka:${cluster.region}:${cluster.account}:topic/${cluster.clusterName}/${cluster.clusterUuid}/${topic}`;
}

export function kafkaGroupArn(cluster: KafkaClusterArn, group: string): string {
  return `arn:${cluster.partition}:kafka:${cluster.region}:${cluster.account}:group/${cluster.clusterName}/${cluster.clusterUuid}/${group}`;
}

// ---------------------------------------------------------------------------------------------
// Auth mode

export type AuthMode = 'mtls' | 'sasl-scram-512' | 'sasl-scram-256' | 'sasl-plain' | 'iam' | 'tls' | 'plaintext' | 'unauthenticated';

export const AUTH_LABELS: Record<AuthMode, string> = {
  mtls: 'mTLS (client certificate)',
  'sasl-scram-512': 'SASL/SCRAM-SHA-512',
  'sasl-scram-256': 'SASL/SCRAM-SHA-256',
  'sasl-plain': 'SASL/PLAIN',
  iam: 'IAM (SASL/OAUTHBEARER, AWS_MSK_IAM)',
  tls: 'unauthenticated TLS',
  plaintext: 'plaintext (no TLS, no auth)',
  unauthenticated: 'no authentication',
};

export interface AuthChoice {
  /** undefined when Lambda has nothing it can use (or the cluster could not be read). */
  mode?: AuthMode;
  /** Why this mode: which secret, or which cluster setting. */
  reason: string;
}

function enabled(v: { Enabled?: boolean } | undefined): boolean {
  return v?.Enabled === true;
}

export function clusterClientAuth(cluster: ClusterInfo) {
  return cluster.Provisioned?.ClientAuthentication ?? cluster.Serverless?.ClientAuthentication;
}

/** ClientBroker in-transit setting; MSK's default is TLS_PLAINTEXT. Serverless is TLS only. */
export function clientBrokerEncryption(cluster: ClusterInfo): string {
  if (cluster.ClusterType === 'SERVERLESS' || cluster.Serverless) return 'TLS';
  return cluster.Provisioned?.EncryptionInfo?.EncryptionInTransit?.ClientBroker ?? 'TLS_PLAINTEXT';
}

/**
 * Which auth an MSK ESM uses. Lambda lets a secret decide (mTLS before SCRAM); with no secret it
 * takes the strongest mode on the cluster — IAM, then unauthenticated TLS, then plaintext — and
 * never falls back to a weaker one (docs: msk-cluster-auth.html).
 */
export function chooseMskAuth(esm: EsmConfig, cluster: ClusterInfo | undefined): AuthChoice {
  if (accessConfigs(esm, 'CLIENT_CERTIFICATE_TLS_AUTH').length) return { mode: 'mtls', reason: 'the ESM has a CLIENT_CERTIFICATE_TLS_AUTH secret' };
  if (accessConfigs(esm, 'SASL_SCRAM_512_AUTH').length) return { mode: 'sasl-scram-512', reason: 'the ESM has a SASL_SCRAM_512_AUTH secret' };
  if (!cluster) return { reason: 'the ESM has no secret and the cluster could not be read' };
  const auth = clusterClientAuth(cluster);
  if (cluster.ClusterType === 'SERVERLESS' || cluster.Serverless || enabled(auth?.Sasl?.Iam)) {
    return { mode: 'iam', reason: 'the ESM has no secret and IAM access control is on for the cluster' };
  }
  const anyAuth = enabled(auth?.Sasl?.Scram) || enabled(auth?.Tls) || enabled(auth?.Sasl?.Iam);
  const unauthenticated = enabled(auth?.Unauthenticated) || !anyAuth;
  if (!unauthenticated) {
    return { reason: 'the ESM has no secret and the cluster allows neither IAM nor unauthenticated access' };
  }
  const inTransit = clientBrokerEncryption(cluster);
  if (inTransit === 'TLS' || inTransit === 'TLS_PLAINTEXT') {
    return { mode: 'tls', reason: 'the ESM has no secret, IAM is off and the cluster accepts unauthenticated TLS' };
  }
  return { mode: 'plaintext', reason: 'the ESM has no secret, IAM is off and the cluster accepts plaintext only' };
}

/** Self-managed: the secret decides; with none, the client connects without authentication. */
export function chooseSelfManagedAuth(esm: EsmConfig): AuthChoice {
  if (accessConfigs(esm, 'CLIENT_CERTIFICATE_TLS_AUTH').length) return { mode: 'mtls', reason: 'the ESM has a CLIENT_CERTIFICATE_TLS_AUTH secret' };
  if (accessConfigs(esm, 'SASL_SCRAM_512_AUTH').length) return { mode: 'sasl-scram-512', reason: 'the ESM has a SASL_SCRAM_512_AUTH secret' };
  if (accessConfigs(esm, 'SASL_SCRAM_256_AUTH').length) return { mode: 'sasl-scram-256', reason: 'the ESM has a SASL_SCRAM_256_AUTH secret' };
  if (accessConfigs(esm, 'BASIC_AUTH').length) return { mode: 'sasl-plain', reason: 'the ESM has a BASIC_AUTH (SASL/PLAIN) secret' };
  return { mode: 'unauthenticated', reason: 'the ESM has no authentication secret' };
}

export function chooseAuth(esm: EsmConfig, cluster: ClusterInfo | undefined): AuthChoice {
  return esmSource(esm) === 'msk' ? chooseMskAuth(esm, cluster) : chooseSelfManagedAuth(esm);
}

/** The MSK broker port and GetBootstrapBrokers field for each mode, inside the VPC. */
export const MSK_LISTENERS: Partial<Record<AuthMode, { port: number; field: string }>> = {
  mtls: { port: 9094, field: 'BootstrapBrokerStringTls' },
  tls: { port: 9094, field: 'BootstrapBrokerStringTls' },
  'sasl-scram-512': { port: 9096, field: 'BootstrapBrokerStringSaslScram' },
  iam: { port: 9098, field: 'BootstrapBrokerStringSaslIam' },
  plaintext: { port: 9092, field: 'BootstrapBrokerString' },
};

/** "host:port" → its parts, or undefined when it is not of that form (the Lambda API's own pattern). */
export function splitHostPort(entry: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A broker list string ("b-1...:9098,b-2...:9098") → its entries. */
export function brokerList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Placement

export interface Placement {
  /** msk-vpc-connection: a cross-account ESM, placed by its managed VPC connection (the cluster is another account's). */
  kind: 'msk' | 'msk-vpc-connection' | 'self-managed-vpc' | 'internet';
  subnetIds: string[];
  securityGroupIds: string[];
  /** Where the ids come from, for the evidence. */
  from: string;
}

/**
 * Where the ESM's pollers sit. The function's own VPC config plays no part: MSK ESMs use the
 * cluster's client subnets and security groups; self-managed ESMs use the internet unless
 * VPC_SUBNET / VPC_SECURITY_GROUP are given (docs: with-msk-cluster-network, with-kafka-cluster-network).
 */
export function esmPlacement(esm: EsmConfig, cluster: ClusterInfo | undefined, vpcConnection?: VpcConnectionInfo): Placement | undefined {
  if (esmSource(esm) === 'msk' && isVpcConnectionArn(esm.EventSourceArn)) {
    // Cross-account (msk-cross-account): this account holds no cluster, only the managed VPC
    // connection, whose interface endpoints sit in the connection's client subnets with its security
    // groups (MSK mvpc-cross-account-user-action: "choose ... subnets", "choose security groups for
    // this VPC connection"). Lambda's pollers reach the brokers through those endpoints, so esm-doctor
    // places them where the connection is, as the cluster's client subnets place a same-account ESM.
    if (!vpcConnection) return undefined;
    return {
      kind: 'msk-vpc-connection',
      subnetIds: vpcConnection.Subnets ?? [],
      securityGroupIds: vpcConnection.SecurityGroups ?? [],
      from: 'the cross-account VPC connection\'s Subnets and SecurityGroups',
    };
  }
  if (esmSource(esm) === 'msk') {
    if (!cluster) return undefined;
    if (cluster.Provisioned) {
      const g = cluster.Provisioned.BrokerNodeGroupInfo;
      return {
        kind: 'msk',
        subnetIds: g?.ClientSubnets ?? [],
        securityGroupIds: g?.SecurityGroups ?? [],
        from: 'the cluster\'s BrokerNodeGroupInfo',
      };
    }
    const vpcs = cluster.Serverless?.VpcConfigs ?? [];
    return {
      kind: 'msk',
      subnetIds: vpcs.flatMap((v) => v.SubnetIds ?? []),
      securityGroupIds: vpcs.flatMap((v) => v.SecurityGroupIds ?? []),
      from: 'the serverless cluster\'s VpcConfigs',
    };
  }
  const subnetIds = accessConfigs(esm, 'VPC_SUBNET').map((c) => c.URI.replace(/^subnet:/, ''));
  const securityGroupIds = accessConfigs(esm, 'VPC_SECURITY_GROUP').map((c) => c.URI.replace(/^security_group:/, ''));
  if (subnetIds.length === 0 && securityGroupIds.length === 0) {
    return { kind: 'internet', subnetIds, securityGroupIds, from: 'no VPC_SUBNET / VPC_SECURITY_GROUP on the ESM' };
  }
  return { kind: 'self-managed-vpc', subnetIds, securityGroupIds, from: 'the ESM\'s VPC_SUBNET / VPC_SECURITY_GROUP' };
}

export function functionNameFromArn(arn: string): string {
  const parts = arn.split(':');
  return parts[6] ?? arn;
}

// ---------------------------------------------------------------------------------------------
// Newer features: schema registry, on-failure destination

/** The ESM's KafkaSchemaRegistryConfig (on AmazonManagedKafkaEventSourceConfig or SelfManagedKafkaEventSourceConfig). */
export function schemaRegistryConfig(esm: EsmConfig) {
  return esm.AmazonManagedKafkaEventSourceConfig?.SchemaRegistryConfig ?? esm.SelfManagedKafkaEventSourceConfig?.SchemaRegistryConfig;
}

/** arn:aws:glue:<region>:<account>:registry/<name> → its parts; undefined for a Confluent URL. */
export function parseGlueRegistryArn(uri: string | undefined): { partition: string; region: string; account: string; name: string; arn: string } | undefined {
  const m = /^arn:([^:]+):glue:([^:]+):(\d{12}):registry\/(.+)$/.exec(uri ?? '');
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]!, arn: uri! };
}

/** The topic of a `kafka://<topic>` on-failure destination, else undefined. */
export function kafkaDestinationTopic(esm: EsmConfig): string | undefined {
  const d = esm.DestinationConfig?.OnFailure?.Destination;
  return d?.startsWith('kafka://') ? d.slice('kafka://'.length) : undefined;
}
