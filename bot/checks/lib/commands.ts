/**
 * The one place that writes the AWS CLI commands a remedy carries. Each builder takes the values the
 * snapshot knows (ids, ARNs, the region) and returns one complete command, quoted for a POSIX shell
 * with shellQuote, `--region` always last, so what a reader copies runs as printed. A value that is
 * not known is not a command: the check says it in the remedy's summary instead of printing a
 * `<placeholder>` (the builders refuse one, so a regression shows as a failing test, not a broken paste).
 */
import type { PolicyDocument } from './policy';
import { shellQuote } from './shell';

/**
 * A value only the reader knows (the KMS key to use, say), passed as a shell variable the summary
 * tells them to set: the command still runs as printed, and never holds a `<placeholder>`.
 */
export interface ShellVariable {
  variable: string;
  /** The argument around it, `$NAME` standing for the variable (e.g. `Endpoints={KAFKA_BOOTSTRAP_SERVERS=[$NAME]}`). */
  template?: string;
}
type FlagValue = string | number | boolean | readonly string[] | ShellVariable | undefined;

export const variable = (name: string, template?: string): ShellVariable => {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`${name} is not a shell variable name`);
  // Inside double quotes only $ is special here: refuse what would end the quoting or expand further.
  if (template !== undefined && (/["`\\]/.test(template) || template.replace(`$${name}`, '').includes('$'))) throw new Error(`template ${template} cannot be double-quoted safely`);
  return { variable: name, ...(template !== undefined ? { template } : {}) };
};

/** A value that still holds a `<placeholder>`: the caller should have left the command out. */
const PLACEHOLDER = /<[^<>]*>/;

function flag(name: string, value: FlagValue): string[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [`--${name}`];
  if (typeof value === 'object' && 'variable' in value) {
    return [`--${name}`, `"${value.template !== undefined ? value.template.replace(`$${value.variable}`, `$${value.variable}`) : `$${value.variable}`}"`];
  }
  const values = typeof value === 'string' || typeof value === 'number' ? [String(value)] : [...value];
  for (const v of values) if (PLACEHOLDER.test(v)) throw new Error(`--${name} ${v} holds a placeholder`);
  return [`--${name}`, ...values.map(shellQuote)];
}

/** `aws <service> <operation> --flag value ... --region R`: flags in the order given, JSON values quoted. */
export function aws(service: string, operation: string, flags: Array<[string, FlagValue]>, region: string, positionals: string[] = []): string {
  if (!region) throw new Error(`aws ${service} ${operation}: no region`);
  return ['aws', service, operation, ...positionals.map(shellQuote), ...flags.flatMap(([n, v]) => flag(n, v)), '--region', shellQuote(region)].join(' ');
}

/** A JSON document as the single CLI argument AWS expects (one quoted word, never wrapped). */
function jsonFlag(name: string, value: unknown): [string, FlagValue] {
  return [name, JSON.stringify(value)];
}

export type Peer = { groupId: string } | { cidr: string };

/** `NAME=$(command)`: keeps what a command prints for the next one, which names it as variable(NAME). */
export function assign(name: string, command: string): string {
  return `${variable(name).variable}=$(${command})`;
}

// ---------------------------------------------------------------------------------------------
// EC2: security groups, NACLs, endpoints, routes, VPC attributes

export function authorizeSgIngress(o: { groupId: string; port: number; from: Peer; region: string }): string {
  return aws('ec2', 'authorize-security-group-ingress', [
    ['group-id', o.groupId],
    ['protocol', 'tcp'],
    ['port', o.port],
    'groupId' in o.from ? ['source-group', o.from.groupId] : ['cidr', o.from.cidr],
  ], o.region);
}

/**
 * The egress rule. Unlike authorize-security-group-ingress, the egress call takes no
 * --protocol/--port/--cidr shorthand (EC2: "Not supported. Use IP permissions instead").
 */
export function authorizeSgEgress(o: { groupId: string; port: number; to: Peer; region: string }): string {
  const peer = 'groupId' in o.to ? `UserIdGroupPairs=[{GroupId=${o.to.groupId}}]` : `IpRanges=[{CidrIp=${o.to.cidr}}]`;
  return aws('ec2', 'authorize-security-group-egress', [
    ['group-id', o.groupId],
    ['ip-permissions', `IpProtocol=tcp,FromPort=${o.port},ToPort=${o.port},${peer}`],
  ], o.region);
}

export function createNaclEntry(o: {
  aclId: string; egress: boolean; ruleNumber: number; ports: { from: number; to: number }; cidr: string; region: string;
}): string {
  return aws('ec2', 'create-network-acl-entry', [
    ['network-acl-id', o.aclId],
    [o.egress ? 'egress' : 'ingress', true],
    ['rule-number', o.ruleNumber],
    ['protocol', 'tcp'],
    ['port-range', `From=${o.ports.from},To=${o.ports.to}`],
    ['cidr-block', o.cidr],
    ['rule-action', 'allow'],
  ], o.region);
}

export function createInterfaceEndpoint(o: {
  vpcId: string; serviceName: string; subnetIds: string[]; securityGroupIds: string[]; region: string;
}): string {
  return aws('ec2', 'create-vpc-endpoint', [
    ['vpc-endpoint-type', 'Interface'],
    ['service-name', o.serviceName],
    ['vpc-id', o.vpcId],
    ['subnet-ids', o.subnetIds],
    ['security-group-ids', o.securityGroupIds],
    ['private-dns-enabled', true],
  ], o.region);
}

export function createGatewayEndpoint(o: { vpcId: string; serviceName: string; routeTableIds: string[]; region: string }): string {
  return aws('ec2', 'create-vpc-endpoint', [
    ['vpc-endpoint-type', 'Gateway'],
    ['service-name', o.serviceName],
    ['vpc-id', o.vpcId],
    ['route-table-ids', o.routeTableIds],
  ], o.region);
}

export function enableEndpointPrivateDns(o: { endpointId: string; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], ['private-dns-enabled', true]], o.region);
}

export function addEndpointSubnets(o: { endpointId: string; subnetIds: string[]; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], ['add-subnet-ids', o.subnetIds]], o.region);
}

export function setEndpointPolicy(o: { endpointId: string; document: unknown; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], jsonFlag('policy-document', o.document)], o.region);
}

/** One attribute per call: ModifyVpcAttribute takes a single attribute at a time. */
export function enableVpcDns(o: { vpcId: string; attribute: 'enableDnsSupport' | 'enableDnsHostnames'; region: string }): string {
  const name = o.attribute === 'enableDnsSupport' ? 'enable-dns-support' : 'enable-dns-hostnames';
  return aws('ec2', 'modify-vpc-attribute', [['vpc-id', o.vpcId], jsonFlag(name, { Value: true })], o.region);
}

export function routeToNat(o: { replace: boolean; routeTableId: string; natGatewayId: string; region: string }): string {
  return aws('ec2', o.replace ? 'replace-route' : 'create-route', [
    ['route-table-id', o.routeTableId],
    ['destination-cidr-block', '0.0.0.0/0'],
    ['nat-gateway-id', o.natGatewayId],
  ], o.region);
}

/** The ENIs nothing uses any more in these subnets: what can be deleted to free addresses. */
export function listAvailableEnis(o: { subnetIds: string[]; region: string }): string {
  return aws('ec2', 'describe-network-interfaces', [['filters', [`Name=subnet-id,Values=${o.subnetIds.join(',')}`, 'Name=status,Values=available']]], o.region);
}

// ---------------------------------------------------------------------------------------------
// IAM

export function putRolePolicy(o: { roleName: string; policyName: string; document: PolicyDocument; region: string }): string {
  return aws('iam', 'put-role-policy', [
    ['role-name', o.roleName],
    ['policy-name', o.policyName],
    jsonFlag('policy-document', o.document),
  ], o.region);
}

export function updateAssumeRolePolicy(o: { roleName: string; document: unknown; region: string }): string {
  return aws('iam', 'update-assume-role-policy', [['role-name', o.roleName], jsonFlag('policy-document', o.document)], o.region);
}

// ---------------------------------------------------------------------------------------------
// Lambda: the mapping and the function

export interface SourceAccess {
  Type: string;
  URI?: string;
}

export interface EsmUpdate {
  enabled?: boolean;
  sourceAccessConfigurations?: SourceAccess[];
  provisionedPollerConfig?: { MinimumPollers: number; MaximumPollers: number; PollerGroupName?: string };
  maximumRetryAttempts?: number;
  bisectBatchOnFunctionError?: boolean;
  functionResponseTypes?: string[];
}

/** ProvisionedPollerConfig in the CLI's shorthand (PollerGroupName only when set). */
function pollerConfig(c: NonNullable<EsmUpdate['provisionedPollerConfig']>): string {
  return `MinimumPollers=${c.MinimumPollers},MaximumPollers=${c.MaximumPollers}${c.PollerGroupName ? `,PollerGroupName=${c.PollerGroupName}` : ''}`;
}

export function updateEsm(o: { uuid: string; region: string } & EsmUpdate): string {
  const access = o.sourceAccessConfigurations?.map((c) => ({ Type: c.Type, ...(c.URI ? { URI: c.URI } : {}) }));
  return aws('lambda', 'update-event-source-mapping', [
    ['uuid', o.uuid],
    ['enabled', o.enabled === true],
    ['no-enabled', o.enabled === false],
    ...(access ? [jsonFlag('source-access-configurations', access)] : []),
    ['provisioned-poller-config', o.provisionedPollerConfig ? pollerConfig(o.provisionedPollerConfig) : undefined],
    ['maximum-retry-attempts', o.maximumRetryAttempts],
    ['bisect-batch-on-function-error', o.bisectBatchOnFunctionError === true],
    ['function-response-types', o.functionResponseTypes],
  ], o.region);
}

/**
 * A new mapping with what the current one has, plus the change that cannot be made in place
 * (bootstrap servers, consumer group). Without a consumer group id, Lambda uses the new mapping's UUID.
 */
export function createKafkaEsm(o: {
  functionArn: string;
  topics: string[];
  region: string;
  /** bootstrapServersVariable: the reader's corrected list, comma-separated host:port, in that shell variable. */
  source: { clusterArn: string } | { bootstrapServers: string[] } | { bootstrapServersVariable: string };
  sourceAccessConfigurations?: SourceAccess[];
  consumerGroupId?: string;
  /** Required for Kafka sources; the current mapping's, so the new one reads from the same place. */
  startingPosition?: string;
}): string {
  const access = (o.sourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, ...(c.URI ? { URI: c.URI } : {}) }));
  const msk = 'clusterArn' in o.source;
  const config = o.consumerGroupId
    ? [jsonFlag(msk ? 'amazon-managed-kafka-event-source-config' : 'self-managed-kafka-event-source-config', { ConsumerGroupId: o.consumerGroupId })]
    : [];
  return aws('lambda', 'create-event-source-mapping', [
    ['function-name', o.functionArn],
    ['topics', o.topics],
    ['starting-position', o.startingPosition ?? 'LATEST'],
    'clusterArn' in o.source
      ? ['event-source-arn', o.source.clusterArn]
      : 'bootstrapServers' in o.source
        ? jsonFlag('self-managed-event-source', { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: o.source.bootstrapServers } })
        // CLI shorthand, so the list can come from a variable (a JSON argument is single-quoted and would not expand it).
        : ['self-managed-event-source', variable(o.source.bootstrapServersVariable, `Endpoints={KAFKA_BOOTSTRAP_SERVERS=[$${o.source.bootstrapServersVariable}]}`)],
    ...(access.length ? [jsonFlag('source-access-configurations', access)] : []),
    ...config,
  ], o.region);
}

export function deleteEsm(o: { uuid: string; region: string }): string {
  return aws('lambda', 'delete-event-source-mapping', [['uuid', o.uuid]], o.region);
}

export function getEsm(o: { uuid: string; region: string }): string {
  return aws('lambda', 'get-event-source-mapping', [['uuid', o.uuid]], o.region);
}

export function getFunctionState(o: { functionName: string; region: string }): string {
  return aws('lambda', 'get-function', [['function-name', o.functionName], ['query', 'Configuration.State']], o.region);
}

/** A configuration update that changes nothing but the description: it moves a function out of Failed/Inactive. */
export function touchFunction(o: { functionName: string; region: string }): string {
  return aws('lambda', 'update-function-configuration', [['function-name', o.functionName], ['description', 'retry after fix']], o.region);
}

export function deleteFunctionConcurrency(o: { functionName: string; region: string }): string {
  return aws('lambda', 'delete-function-concurrency', [['function-name', o.functionName]], o.region);
}

export function putFunctionConcurrency(o: { functionName: string; reserved: number; region: string }): string {
  return aws('lambda', 'put-function-concurrency', [['function-name', o.functionName], ['reserved-concurrent-executions', o.reserved]], o.region);
}

export function tailFunctionLogs(o: { functionName: string; since: string; region: string }): string {
  return aws('logs', 'tail', [['since', o.since]], o.region, [`/aws/lambda/${o.functionName}`]);
}

// ---------------------------------------------------------------------------------------------
// MSK

export function batchAssociateScramSecret(o: { clusterArn: string; secretArns: string[] | ShellVariable; region: string }): string {
  return aws('kafka', 'batch-associate-scram-secret', [['cluster-arn', o.clusterArn], ['secret-arn-list', o.secretArns]], o.region);
}

/** A new secret from a local JSON file; the command prints the new ARN (assign it to use it next). */
export function createSecret(o: { name: string; kmsKeyId: string | ShellVariable; file: string; region: string }): string {
  return aws('secretsmanager', 'create-secret', [
    ['name', o.name],
    ['kms-key-id', o.kmsKeyId],
    ['secret-string', `file://${o.file}`],
    ['query', 'ARN'],
    ['output', 'text'],
  ], o.region);
}

export function listScramSecrets(o: { clusterArn: string; region: string }): string {
  return aws('kafka', 'list-scram-secrets', [['cluster-arn', o.clusterArn]], o.region);
}

export function clusterState(o: { clusterArn: string; region: string }): string {
  return aws('kafka', 'describe-cluster-v2', [['cluster-arn', o.clusterArn], ['query', 'ClusterInfo.State']], o.region);
}

export function clusterOperations(o: { clusterArn: string; region: string }): string {
  return aws('kafka', 'list-cluster-operations-v2', [['cluster-arn', o.clusterArn]], o.region);
}

export function listClusters(o: { region: string }): string {
  return aws('kafka', 'list-clusters-v2', [['query', 'ClusterInfoList[].[ClusterName,ClusterArn,State]'], ['output', 'table']], o.region);
}

export function describeCluster(o: { clusterArn: string; region: string }): string {
  return aws('kafka', 'describe-cluster-v2', [['cluster-arn', o.clusterArn]], o.region);
}

/**
 * UpdateSecurity needs the cluster's current version; when the snapshot does not hold it, the
 * command reads it itself (a command substitution still runs as printed).
 */
export function updateClusterSecurity(o: {
  clusterArn: string; currentVersion?: string; region: string; clientAuthentication?: unknown; encryptionInfo?: unknown;
}): string {
  const version = o.currentVersion
    ?? `$(${aws('kafka', 'describe-cluster-v2', [['cluster-arn', o.clusterArn], ['query', 'ClusterInfo.CurrentVersion'], ['output', 'text']], o.region)})`;
  const base = aws('kafka', 'update-security', [
    ['cluster-arn', o.clusterArn],
    ...(o.clientAuthentication !== undefined ? [jsonFlag('client-authentication', o.clientAuthentication)] : []),
    ...(o.encryptionInfo !== undefined ? [jsonFlag('encryption-info', o.encryptionInfo)] : []),
  ], o.region);
  const versionArg = o.currentVersion ? shellQuote(version) : `"${version}"`;
  return base.replace(' --region ', ` --current-version ${versionArg} --region `);
}

export function createMskTopic(o: { clusterArn: string; topic: string; partitions: number; replicationFactor: number; region: string }): string {
  return aws('kafka', 'create-topic', [
    ['cluster-arn', o.clusterArn],
    ['topic-name', o.topic],
    ['partition-count', o.partitions],
    ['replication-factor', o.replicationFactor],
  ], o.region);
}

// ---------------------------------------------------------------------------------------------
// Secrets Manager, KMS, Route 53

export function replicateSecret(o: { secretId: string; toRegion: string; region: string }): string {
  return aws('secretsmanager', 'replicate-secret-to-regions', [['secret-id', o.secretId], ['add-replica-regions', `Region=${o.toRegion}`]], o.region);
}

export function restoreSecret(o: { secretId: string; region: string }): string {
  return aws('secretsmanager', 'restore-secret', [['secret-id', o.secretId]], o.region);
}

export function describeSecret(o: { secretId: string; region: string }): string {
  return aws('secretsmanager', 'describe-secret', [['secret-id', o.secretId]], o.region);
}

export function setSecretKey(o: { secretId: string; kmsKeyId: string | ShellVariable; region: string }): string {
  return aws('secretsmanager', 'update-secret', [['secret-id', o.secretId], ['kms-key-id', o.kmsKeyId]], o.region);
}

export function randomPassword(o: { length: number; region: string }): string {
  return aws('secretsmanager', 'get-random-password', [['password-length', o.length], ['exclude-punctuation', true]], o.region);
}

export function cancelKeyDeletion(o: { keyId: string; region: string }): string {
  return aws('kms', 'cancel-key-deletion', [['key-id', o.keyId]], o.region);
}

export function enableKey(o: { keyId: string; region: string }): string {
  return aws('kms', 'enable-key', [['key-id', o.keyId]], o.region);
}

export function associateVpcWithZone(o: { hostedZoneId: string; vpcId: string; vpcRegion: string; region: string }): string {
  return aws('route53', 'associate-vpc-with-hosted-zone', [['hosted-zone-id', o.hostedZoneId], ['vpc', `VPCRegion=${o.vpcRegion},VPCId=${o.vpcId}`]], o.region);
}

// ---------------------------------------------------------------------------------------------
// Local tools: certificates and keys (no AWS call, no region)

export const OPENSSL = {
  derToPem: 'openssl x509 -inform der -in cert.der -out cert.pem',
  inspectCert: 'openssl x509 -in cert.pem -noout -subject -issuer -enddate',
  inspectKey: 'openssl asn1parse -in client.key',
  toPkcs8: 'openssl pkcs8 -topk8 -nocrypt -in client.key -out client-pkcs8.key',
  toPbes1: 'openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in client-encrypted.key -out client-pbes1.key',
} as const;

// ---------------------------------------------------------------------------------------------
// Fix plans (bot/remediate): each call a plan makes, and its undo, as the CLI command that does the same

/** One inbound rule as EC2's IpPermissions (JSON), so the description travels with it. */
export function authorizeSgIngressPermissions(o: { groupId: string; ipPermissions: unknown[]; region: string }): string {
  return aws('ec2', 'authorize-security-group-ingress', [['group-id', o.groupId], jsonFlag('ip-permissions', o.ipPermissions)], o.region);
}

export function revokeSgIngressPermissions(o: { groupId: string; ipPermissions: unknown[]; region: string }): string {
  return aws('ec2', 'revoke-security-group-ingress', [['group-id', o.groupId], jsonFlag('ip-permissions', o.ipPermissions)], o.region);
}

export function deleteRolePolicy(o: { roleName: string; policyName: string; region: string }): string {
  return aws('iam', 'delete-role-policy', [['role-name', o.roleName], ['policy-name', o.policyName]], o.region);
}

export function batchDisassociateScramSecret(o: { clusterArn: string; secretArns: string[]; region: string }): string {
  return aws('kafka', 'batch-disassociate-scram-secret', [['cluster-arn', o.clusterArn], ['secret-arn-list', o.secretArns]], o.region);
}
