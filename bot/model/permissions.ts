/**
 * What the ESM's execution role must be allowed to do, with the resource ARNs IAM evaluates.
 * The collector asks SimulatePrincipalPolicy exactly these; the checks judge the answers. One list,
 * so the question and the verdict never drift apart.
 *
 * Sources: with-msk-permissions.html, with-kafka-permissions.html, the AWSLambdaMSKExecutionRole
 * managed policy (v2: no kafka-cluster:*), the MSK IAM access-control resource ARN formats.
 */
import {
  chooseAuth,
  consumerGroupId,
  esmPlacement,
  esmSource,
  functionNameFromArn,
  isVpcConnectionArn,
  kafkaGroupArn,
  kafkaDestinationTopic,
  kafkaTopicArn,
  parseClusterArn,
  parseGlueRegistryArn,
  schemaRegistryConfig,
  secretConfigs,
} from './esm';
import type { ClusterInfo, EsmConfig } from './snapshot';

/** Which check reports a denied requirement. */
export type RequirementGroup = 'execution-role' | 'secret' | 'destination' | 'destination-kms' | 'schema-registry';

export interface Requirement {
  action: string;
  resource: string;
  /** Any one of these actions satisfies the requirement (kafka:DescribeCluster is the legacy twin of V2). */
  alternatives?: string[];
  why: string;
  group: RequirementGroup;
  /**
   * 'warn' when the ESM works without it but something around it does not (logs); 'optional' when
   * the ESM's behaviour does not depend on it at all (a denial is a note on a pass, never a warning).
   */
  severity: 'fail' | 'warn' | 'optional';
}

export interface RequirementInputs {
  esm: EsmConfig;
  cluster?: ClusterInfo;
  /** The function's region and account, for log-group ARNs. */
  region: string;
  account?: string;
  /** secret ARN → KMS key ARN, for secrets encrypted with a customer managed key. */
  secretKeys?: Record<string, string | undefined>;
  /** The customer managed KMS key ARN of an SQS / SNS / S3 on-failure destination, when it has one. */
  destinationKey?: string;
}

const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
];

export function requiredPermissions(input: RequirementInputs): Requirement[] {
  const { esm, cluster } = input;
  const out: Requirement[] = [];
  const add = (r: Omit<Requirement, 'severity' | 'group'> & Partial<Pick<Requirement, 'severity' | 'group'>>) =>
    out.push({ severity: 'fail', group: 'execution-role', ...r });
  const source = esmSource(esm);
  const fnName = functionNameFromArn(esm.FunctionArn);
  const logGroup = input.account
    ? `arn:aws:logs:${input.region}:${input.account}:log-group:/aws/lambda/${fnName}:*`
    : '*';

  for (const action of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']) {
    add({ action, resource: logGroup, why: 'the function and the ESM write their logs', severity: 'warn' });
  }

  if (source === 'msk') {
    const clusterArn = esm.EventSourceArn!;
    if (isVpcConnectionArn(clusterArn)) {
      add({ action: 'kafka:DescribeVpcConnection', resource: clusterArn, why: 'a cross-account ESM reads its managed VPC connection' });
    } else {
      // with-msk-permissions: "You only need to add one of either kafka:DescribeCluster or
      // kafka:DescribeClusterV2. For provisioned Amazon MSK clusters, either permission works. For
      // serverless Amazon MSK clusters, you must use kafka:DescribeClusterV2."
      const serverless = cluster?.ClusterType === 'SERVERLESS' || (!!cluster?.Serverless && !cluster.Provisioned);
      add({
        action: 'kafka:DescribeClusterV2',
        ...(serverless ? {} : { alternatives: ['kafka:DescribeCluster'] }),
        resource: clusterArn,
        why: serverless
          ? 'Lambda reads the Serverless cluster\'s VPC configs and auth settings (the legacy kafka:DescribeCluster does not work for MSK Serverless)'
          : 'Lambda reads the cluster\'s subnets, security groups and auth settings',
      });
      add({ action: 'kafka:GetBootstrapBrokers', resource: clusterArn, why: 'Lambda looks up the broker addresses' });
    }
    // ec2 Describe* cannot be scoped to a resource: Lambda's pre-flight check needs them on "*".
    for (const action of ENI_ACTIONS) add({ action, resource: '*', why: 'Lambda creates and manages the poller ENIs in the cluster subnets' });

    const auth = chooseAuth(esm, cluster).mode;
    const parsed = parseClusterArn(clusterArn);
    if (auth === 'iam' && parsed) {
      const topic = esm.Topics?.[0] ?? '*';
      const group = consumerGroupId(esm);
      add({ action: 'kafka-cluster:Connect', resource: parsed.arn, why: 'IAM auth: connect to the brokers' });
      add({ action: 'kafka-cluster:DescribeGroup', resource: kafkaGroupArn(parsed, group), why: `IAM auth: describe consumer group ${group}` });
      add({ action: 'kafka-cluster:AlterGroup', resource: kafkaGroupArn(parsed, group), why: `IAM auth: join consumer group ${group}` });
      add({ action: 'kafka-cluster:DescribeTopic', resource: kafkaTopicArn(parsed, topic), why: `IAM auth: describe topic ${topic}` });
      add({ action: 'kafka-cluster:ReadData', resource: kafkaTopicArn(parsed, topic), why: `IAM auth: read topic ${topic}` });
      add({
        action: 'kafka-cluster:DescribeClusterDynamicConfiguration',
        resource: parsed.arn,
        why: 'IAM auth: the consumer reads the cluster\'s dynamic configuration (the DescribeConfigs ACL)',
        severity: 'warn',
      });
    }
    if (auth === 'sasl-scram-512') {
      // Not in the documented SCRAM set (AWSLambdaMSKExecutionRole + the secret's GetSecretValue and
      // kms:Decrypt, with-msk-permissions): the ESM runs the same without it.
      add({ action: 'kafka:ListScramSecrets', resource: clusterArn, why: 'SASL/SCRAM: lets Lambda list the secrets associated with the cluster (not needed to consume)', severity: 'optional' });
    }
  } else if (esmPlacement(esm, cluster)?.kind === 'self-managed-vpc') {
    for (const action of ENI_ACTIONS) add({ action, resource: '*', why: 'Lambda creates and manages the poller ENIs in VPC_SUBNET' });
  }

  for (const secret of secretConfigs(esm)) {
    add({ action: 'secretsmanager:GetSecretValue', resource: secret.URI, why: `read the ${secret.Type} secret`, group: 'secret' });
    const key = input.secretKeys?.[secret.URI];
    if (key) add({ action: 'kms:Decrypt', resource: key, why: `decrypt the ${secret.Type} secret with its customer managed key`, group: 'secret' });
  }

  const destination = esm.DestinationConfig?.OnFailure?.Destination;
  const service = destination?.split(':')[2];
  if (destination && service === 'sqs') add({ action: 'sqs:SendMessage', resource: destination, why: 'send failed batches to the on-failure queue', group: 'destination' });
  if (destination && service === 'sns') add({ action: 'sns:Publish', resource: destination, why: 'send failed batches to the on-failure topic', group: 'destination' });
  if (destination && service === 's3') {
    add({ action: 's3:PutObject', resource: `${destination}/*`, why: 'write failed batches to the on-failure bucket', group: 'destination' });
    add({ action: 's3:ListBucket', resource: destination, why: 'write failed batches to the on-failure bucket', group: 'destination' });
  }
  // kafka-on-failure: "For a Kafka destination: kafka-cluster:WriteData"; Lambda produces to the topic
  // as the execution role, which under IAM access control also needs Connect and DescribeTopic
  // (kafka-on-failure-destination's example policy). With SASL/SCRAM or mTLS the Kafka ACLs decide.
  const kafkaTopic = kafkaDestinationTopic(esm);
  const parsedCluster = source === 'msk' ? parseClusterArn(esm.EventSourceArn) : undefined;
  if (kafkaTopic && parsedCluster && chooseAuth(esm, cluster).mode === 'iam') {
    const topicArn = kafkaTopicArn(parsedCluster, kafkaTopic);
    add({ action: 'kafka-cluster:Connect', resource: parsedCluster.arn, why: 'write failed records to the on-failure topic: connect', group: 'destination' });
    add({ action: 'kafka-cluster:DescribeTopic', resource: topicArn, why: `write failed records to the on-failure topic ${kafkaTopic}: describe it`, group: 'destination' });
    add({ action: 'kafka-cluster:WriteData', resource: topicArn, why: `write failed records to the on-failure topic ${kafkaTopic}`, group: 'destination' });
  }
  // kafka-on-failure: SQS and SNS destinations encrypted with a customer managed key need kms:Decrypt
  // and kms:GenerateDataKey on it; an S3 bucket's SSE-KMS key needs kms:GenerateDataKey ("If you've
  // enabled encryption with your own KMS key for an S3 destination, kms:GenerateDataKey is required").
  // S3 itself also asks kms:Decrypt for multipart uploads (UsingKMSEncryption); Lambda's page lists only
  // GenerateDataKey for its one object per failed batch, so Decrypt is not required here.
  if (destination && input.destinationKey && (service === 'sqs' || service === 'sns')) {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      add({ action, resource: input.destinationKey, why: `send failed batches to the ${service.toUpperCase()} destination encrypted with this customer managed key`, group: 'destination-kms' });
    }
  }
  if (destination && input.destinationKey && service === 's3') {
    add({ action: 'kms:GenerateDataKey', resource: input.destinationKey, why: 'write failed batches to the S3 destination whose default encryption (SSE-KMS) is this customer managed key', group: 'destination-kms' });
  }

  // with-msk-permissions (optional permissions): a Glue schema registry needs glue:GetRegistry and
  // glue:GetSchemaVersion; a Confluent registry's auth secrets need secretsmanager:GetSecretValue.
  const registry = schemaRegistryConfig(esm);
  const glue = parseGlueRegistryArn(registry?.SchemaRegistryURI);
  if (glue) {
    add({ action: 'glue:GetRegistry', resource: glue.arn, why: 'look up the Glue schema registry', group: 'schema-registry' });
    add({
      action: 'glue:GetSchemaVersion',
      resource: `arn:${glue.partition}:glue:${glue.region}:${glue.account}:schema/${glue.name}/*`,
      why: 'read the schema versions the records name',
      group: 'schema-registry',
    });
  } else if (registry?.SchemaRegistryURI) {
    for (const c of registry.AccessConfigs ?? []) {
      if (c.URI?.startsWith('arn:') && c.URI.split(':')[2] === 'secretsmanager') {
        add({ action: 'secretsmanager:GetSecretValue', resource: c.URI, why: `read the schema registry's ${c.Type ?? ''} secret`, group: 'schema-registry' });
      }
    }
  }
  return out;
}

/** The actions to simulate, deduplicated per resource: SimulatePrincipalPolicy takes many actions × many resources. */
export function simulationRequests(reqs: Requirement[]): Array<{ resource: string; actions: string[] }> {
  const byResource = new Map<string, Set<string>>();
  for (const r of reqs) {
    const set = byResource.get(r.resource) ?? new Set<string>();
    set.add(r.action);
    for (const alt of r.alternatives ?? []) set.add(alt);
    byResource.set(r.resource, set);
  }
  return [...byResource].map(([resource, actions]) => ({ resource, actions: [...actions] }));
}
