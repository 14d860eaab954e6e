/**
 * collectSnapshot: every fact the checks need about one ESM, read from AWS as concurrently as the
 * data dependencies allow. The critical path is at most four calls long:
 *
 *   1  GetEventSourceMapping ‖ GetCallerIdentity
 *   2  (needs the ESM)      DescribeClusterV2, GetBootstrapBrokers, ListScramSecrets, DescribeTopic,
 *                           GetFunction, GetFunctionConcurrency, ListEventSourceMappings,
 *                           DescribeSecret, GetSecretValue, DNS; self-managed in a VPC: DescribeSubnets
 *   3  (needs round 2)      MSK: DescribeSubnets (the cluster's, or a cross-account VPC connection's); GetRole ‖ SimulatePrincipalPolicy
 *                           (the role from GetFunction); DescribeKey (from DescribeSecret);
 *                           self-managed: the VPC-wide EC2 calls
 *   4  (needs round 3)      MSK: the VPC-wide EC2 calls (by the subnets' VPC id)
 *
 * The progress metrics (CloudWatch GetMetricData, collect/metrics) need only the ESM, so they run in
 * round 2 and add no round-trip to the critical path.
 *
 * Each call is chained on exactly the promises it needs, so it starts the moment its inputs are
 * ready rather than when a whole round is done. Only the target ESM can end the run (typed errors);
 * every other failure becomes an error fact.
 */
import { CROSS_ACCOUNT_CLUSTER, isVpcConnectionArn, bootstrapServers, esmPlacement, esmSource, esmSourceKind, kafkaDestinationTopic, parseGlueRegistryArn, schemaRegistryConfig, secretConfigs, type Placement } from '../model/esm';
import { NotKafkaEsm } from '../model/errors';
import { requiredPermissions, simulationRequests } from '../model/permissions';
import {
  SNAPSHOT_SCHEMA_VERSION,
  Snapshot,
  type ClusterInfo,
  type DestinationEncryption,
  type EsmConfig,
  type EvaluationResult,
  type Fact,
  type FunctionInfo,
  type KeyMetadata,
  type NetworkFacts,
  type RoleInfo,
  type SecretFacts,
  type TopicInfo,
  type VpcConnectionInfo,
} from '../model/snapshot';
import type { Target } from '../model/target';
import { createClients, type AwsClients } from './clients';
import { resolveBootstrapServers, systemResolver, type Resolver } from './dns';
import { readSubnets, readVpcWide, type VpcWideFacts } from './ec2';
import { dependencyFact, errorFact, okFact } from './fact';
import { readRole, readCallerIdentity, simulateRole } from './iam';
import { readBootstrapBrokers, readCluster, readScramSecrets, readTopic, readVpcConnection } from './kafka';
import { readGlueRegistry, readBucketEncryption, readQueueEncryption, readTopicEncryption } from './features';
import { readConcurrency, readFunction, readSiblings, readTargetEsm } from './lambda';
import { readKey, readSecretDescription, readSecretFormat, secretKeyRef } from './secrets';
import { functionRoleArn } from '../model/role';
import { readProgressMetrics } from './metrics';

export interface CollectOptions {
  /** Read secret values (in memory only) for the secret.format check. Off by default. */
  inspectSecrets?: boolean;
  /** Injected SDK clients; by default created for the target's region. */
  clients?: AwsClients;
  /** Resolves self-managed bootstrap hosts; by default dns.promises.lookup(host, { all: true }). */
  resolver?: Resolver;
  /** Called as each long step starts, for a spinner or a Slack "working…" message. */
  onProgress?: (message: string) => void;
  /** The progress metrics' window in minutes (1-minute periods). Default 60. */
  metricsWindowMinutes?: number;
  /** The clock the metric window ends at; by default the current time. */
  now?: () => Date;
}

export const PROGRESS = {
  esm: 'Reading the ESM…',
  sources: 'Reading the cluster, function and secrets…',
  network: 'Reading the network…',
  simulation: 'Simulating the execution role…',
} as const;

export async function collectSnapshot(target: Target, options: CollectOptions = {}): Promise<Snapshot> {
  const collectedAt = new Date().toISOString();
  const clients = options.clients ?? createClients(target.region);
  const inspectSecrets = options.inspectSecrets === true;
  const progress = (message: string) => {
    try {
      options.onProgress?.(message);
    } catch {
      // A failing progress reporter (a Slack edit that timed out) must not fail the diagnosis.
    }
  };

  // Round 1. The caller identity is independent of everything; it is awaited only at the end.
  progress(PROGRESS.esm);
  const caller = readCallerIdentity(clients.sts);
  const esm = await readTargetEsm(clients.lambda, target);
  const source = esmSource(esm);
  if (!source) throw new NotKafkaEsm(target.uuid, esmSourceKind(esm));

  // Round 2 and what chains on it.
  progress(PROGRESS.sources);
  const cluster = source === 'msk' ? readMskCluster(clients, esm) : undefined;
  const fn = readFunction(clients.lambda, esm.FunctionArn);
  const concurrency = readConcurrency(clients.lambda, esm.FunctionArn);
  const siblings = readSiblings(clients.lambda, esm);
  const dns = source === 'self-managed' ? resolveBootstrapServers(bootstrapServers(esm), options.resolver ?? systemResolver) : undefined;
  const secrets = readSecrets(clients, esm, inspectSecrets);
  const network = readNetwork(clients, esm, cluster?.info, progress, cluster?.connection);
  const role = fn.then((f) => readExecutionRole(clients, f));
  const features = readFeatures(clients, esm);
  const permissions = simulateExecutionRole(clients, target, esm, fn, cluster?.info, secrets.keyArns, features.destinationKey, progress);
  const metrics = clients.cloudwatch
    ? readProgressMetrics(clients.cloudwatch, esm, {
        ...(options.metricsWindowMinutes ? { windowMinutes: options.metricsWindowMinutes } : {}),
        ...(options.now ? { now: options.now() } : {}),
      })
    : undefined;

  const [callerFact, fnFact, concurrencyFact, roleFact, permissionsFact, siblingsFact, networkFacts, secretFacts, dnsFact, mskFacts, featureFacts, metricsFact] =
    await Promise.all([caller, fn, concurrency, role, permissions, siblings, network, secrets.facts, dns, cluster?.all, features.all, metrics]);

  const account = target.account ?? accountOf(esm);
  const snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAt,
    target: { ...target, ...(account ? { account } : {}) },
    options: { inspectSecrets },
    caller: callerFact,
    esm,
    function: fnFact,
    concurrency: concurrencyFact,
    role: roleFact,
    permissions: permissionsFact,
    ...(mskFacts ?? {}),
    siblings: siblingsFact,
    ...(networkFacts ? { network: networkFacts } : {}),
    secrets: secretFacts,
    ...(dnsFact ? { dns: dnsFact } : {}),
    ...featureFacts,
    ...(metricsFact ? { metrics: metricsFact } : {}),
  };
  return Snapshot.parse(snapshot);
}

function accountOf(esm: EsmConfig): string | undefined {
  const account = (esm.EventSourceMappingArn ?? esm.FunctionArn).split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

// ---------------------------------------------------------------------------------------------
// MSK

interface MskReads {
  /** DescribeClusterV2, which the network and the simulation chain on. */
  info: Promise<Fact<ClusterInfo>>;
  all: Promise<Pick<Snapshot, 'cluster' | 'bootstrapBrokers' | 'scramSecrets' | 'topic' | 'destinationTopic' | 'vpcConnection'>>;
  /** Cross-account: DescribeVpcConnection, which places the ESM (the network chains on it). */
  connection?: Promise<Fact<VpcConnectionInfo>>;
}

function readMskCluster(clients: AwsClients, esm: EsmConfig): MskReads {
  const arn = esm.EventSourceArn!;
  const topicName = esm.Topics?.[0];
  if (isVpcConnectionArn(arn)) {
    // Multi-VPC (cross-account) ESMs name a VPC connection: the cluster lives in another account.
    const notRead = <T>(action: string): Fact<T> =>
      errorFact(action, {
        code: CROSS_ACCOUNT_CLUSTER,
        message: `${arn} is not a cluster in this account (a multi-VPC connection to another account's cluster); esm-doctor does not read it`,
        action,
      });
    const info = Promise.resolve(notRead<ClusterInfo>('kafka:DescribeClusterV2'));
    // What this account can read of it: the managed VPC connection (msk-cross-account).
    const connection = readVpcConnection(clients.kafka, arn);
    return { info, connection, all: Promise.all([info, connection]).then(([cluster, vpcConnection]) => ({ cluster, bootstrapBrokers: notRead('kafka:GetBootstrapBrokers'), vpcConnection })) };
  }
  const info = readCluster(clients.kafka, arn);
  const brokers = readBootstrapBrokers(clients.kafka, arn);
  // ListScramSecrets only matters when Lambda will log in with a SCRAM secret.
  const scram = secretConfigs(esm).some((c) => c.Type === 'SASL_SCRAM_512_AUTH') ? readScramSecrets(clients.kafka, arn) : undefined;
  const topic: Promise<Fact<TopicInfo>> | undefined = topicName ? readTopic(clients.kafka, arn, topicName, info) : undefined;
  const destinationTopicName = kafkaDestinationTopic(esm);
  const destinationTopic = destinationTopicName ? readTopic(clients.kafka, arn, destinationTopicName, info) : undefined;
  const all = Promise.all([info, brokers, scram, topic, destinationTopic]).then(([cluster, bootstrapBrokers, scramSecrets, topicFact, destinationTopicFact]) => ({
    cluster,
    bootstrapBrokers,
    ...(scramSecrets ? { scramSecrets } : {}),
    ...(topicFact ? { topic: topicFact } : {}),
    ...(destinationTopicFact ? { destinationTopic: destinationTopicFact } : {}),
  }));
  return { info, all };
}

// ---------------------------------------------------------------------------------------------
// Newer features: the Glue schema registry, the encryption of an SQS / SNS / S3 on-failure destination

interface FeatureReads {
  all: Promise<Pick<Snapshot, 'schemaRegistry' | 'destinationEncryption'>>;
  /** The destination's customer managed key ARN, for simulating kms:Decrypt / kms:GenerateDataKey. */
  destinationKey: Promise<string | undefined>;
}

function readFeatures(clients: AwsClients, esm: EsmConfig): FeatureReads {
  const glue = parseGlueRegistryArn(schemaRegistryConfig(esm)?.SchemaRegistryURI);
  const registry = glue && clients.glue ? readGlueRegistry(clients.glue, glue.arn) : undefined;
  const destination = esm.DestinationConfig?.OnFailure?.Destination;
  const service = destination?.split(':')[2];
  let encryption: Promise<Fact<DestinationEncryption>> | undefined;
  if (destination && service === 'sqs' && clients.sqs) encryption = readQueueEncryption(clients.sqs, clients.kms, destination);
  if (destination && service === 'sns' && clients.sns) encryption = readTopicEncryption(clients.sns, clients.kms, destination);
  if (destination && service === 's3' && clients.s3) encryption = readBucketEncryption(clients.s3, clients.kms, destination);
  const destinationKey = (encryption ?? Promise.resolve(undefined)).then((f) => {
    const key = f?.ok ? f.value.key : undefined;
    return key?.ok && key.value.KeyManager !== 'AWS' ? key.value.Arn : undefined;
  });
  return {
    all: Promise.all([registry, encryption]).then(([schemaRegistry, destinationEncryption]) => ({
      ...(schemaRegistry ? { schemaRegistry } : {}),
      ...(destinationEncryption ? { destinationEncryption } : {}),
    })),
    destinationKey,
  };
}

// ---------------------------------------------------------------------------------------------
// Secrets

interface SecretReads {
  facts: Promise<SecretFacts[]>;
  /** secret ARN → key ARN for kms:Decrypt, per secret; resolved without DescribeKey unless the secret names an alias. */
  keyArns: Promise<Record<string, string | undefined>>;
}

function readSecrets(clients: AwsClients, esm: EsmConfig, inspectSecrets: boolean): SecretReads {
  const keys = new Map<string, Promise<Fact<KeyMetadata>>>();
  const describeKey = (keyId: string) => {
    let fact = keys.get(keyId);
    if (!fact) keys.set(keyId, (fact = readKey(clients.kms, keyId)));
    return fact;
  };
  const reads = secretConfigs(esm).map(({ Type: type, URI: arn }) => {
    const describe = readSecretDescription(clients.secretsManager, arn);
    const format = inspectSecrets ? readSecretFormat(clients.secretsManager, type, arn) : undefined;
    // No KmsKeyId: the secret uses the default aws/secretsmanager key; there is no key to describe.
    const kmsKey = describe.then((d) => (d.ok && d.value.KmsKeyId ? describeKey(d.value.KmsKeyId) : undefined));
    const keyArn = describe.then(async (d): Promise<string | undefined> => {
      if (!d.ok || !d.value.KmsKeyId) return undefined;
      const ref = secretKeyRef(d.value.KmsKeyId, arn);
      if (ref.kind === 'arn') return ref.arn;
      if (ref.kind === 'aws-managed') return undefined;
      const key = await kmsKey;
      return key?.ok && key.value.KeyManager !== 'AWS' ? key.value.Arn : undefined;
    });
    const fact = Promise.all([describe, kmsKey, format]).then(
      ([describeFact, kmsKeyFact, formatFact]): SecretFacts => ({
        type,
        arn,
        describe: describeFact,
        ...(kmsKeyFact ? { kmsKey: kmsKeyFact } : {}),
        ...(formatFact ? { format: formatFact } : {}),
      }),
    );
    return { arn, fact, keyArn };
  });
  return {
    facts: Promise.all(reads.map((r) => r.fact)),
    keyArns: Promise.all(reads.map(async (r) => [r.arn, await r.keyArn] as const)).then((pairs) => Object.fromEntries(pairs)),
  };
}

// ---------------------------------------------------------------------------------------------
// IAM

function noRole<T>(source: string): Fact<T> {
  return errorFact(source, {
    code: 'NoExecutionRole',
    message: 'lambda:GetFunction returned no Configuration.Role for the function',
    action: 'lambda:GetFunction',
  });
}

function readExecutionRole(clients: AwsClients, fn: Fact<FunctionInfo>): Promise<Fact<RoleInfo>> | Fact<RoleInfo> {
  if (!fn.ok) return dependencyFact('iam:GetRole', 'the execution role', fn);
  const roleArn = functionRoleArn(fn.value);
  return roleArn ? readRole(clients.iam, roleArn) : noRole('iam:GetRole');
}

async function simulateExecutionRole(
  clients: AwsClients,
  target: Target,
  esm: EsmConfig,
  fn: Promise<Fact<FunctionInfo>>,
  cluster: Promise<Fact<ClusterInfo>> | undefined,
  keyArns: Promise<Record<string, string | undefined>>,
  destinationKey: Promise<string | undefined>,
  progress: (message: string) => void,
): Promise<Fact<EvaluationResult[]>> {
  const [fnFact, clusterFact, secretKeys, destinationKeyArn] = await Promise.all([fn, cluster, keyArns, destinationKey]);
  const source = 'iam:SimulatePrincipalPolicy';
  if (!fnFact.ok) return dependencyFact(source, 'the execution role\'s permissions', fnFact);
  const roleArn = functionRoleArn(fnFact.value);
  if (!roleArn) return noRole(source);
  progress(PROGRESS.simulation);
  const requirements = requiredPermissions({
    esm,
    cluster: clusterFact?.ok ? clusterFact.value : undefined,
    region: target.region,
    account: accountOf(esm) ?? target.account,
    secretKeys,
    ...(destinationKeyArn ? { destinationKey: destinationKeyArn } : {}),
  });
  return simulateRole(clients.iam, roleArn, simulationRequests(requirements));
}

// ---------------------------------------------------------------------------------------------
// Network

/**
 * Subnets by id as soon as the placement is known (self-managed: from the ESM; MSK: from the
 * cluster; cross-account MSK: from the VPC connection), then the VPC-wide facts by the subnets' VPC
 * id. Undefined for a self-managed ESM on the internet.
 */
async function readNetwork(
  clients: AwsClients,
  esm: EsmConfig,
  cluster: Promise<Fact<ClusterInfo>> | undefined,
  progress: (message: string) => void,
  connection?: Promise<Fact<VpcConnectionInfo>>,
): Promise<NetworkFacts | undefined> {
  let placement: Placement | undefined;
  if (connection) {
    const connectionFact = await connection;
    if (!connectionFact.ok) return { subnets: dependencyFact('ec2:DescribeSubnets', 'the VPC connection\'s subnets', connectionFact) };
    placement = esmPlacement(esm, undefined, connectionFact.value);
  } else if (cluster) {
    const clusterFact = await cluster;
    if (!clusterFact.ok) return { subnets: dependencyFact('ec2:DescribeSubnets', 'the cluster\'s subnets', clusterFact) };
    placement = esmPlacement(esm, clusterFact.value);
  } else {
    placement = esmPlacement(esm, undefined);
  }
  if (!placement || placement.kind === 'internet') return undefined;

  progress(PROGRESS.network);
  const subnetIds = [...new Set(placement.subnetIds)];
  const subnets = subnetIds.length ? await readSubnets(clients.ec2, subnetIds) : okFact('ec2:DescribeSubnets', []);
  if (!subnets.ok) return { subnets, ...vpcWideNotRead(subnets) };
  const ordered = subnetIds.flatMap((id) => subnets.value.filter((s) => s.SubnetId === id));
  const vpcIds = [...new Set(ordered.map((s) => s.VpcId))];
  if (vpcIds.length === 0) return { subnets };
  return { subnets, vpcId: vpcIds[0], ...(await readVpcWide(clients.ec2, vpcIds)) };
}

function vpcWideNotRead(subnets: Fact<unknown> & { ok: false }): VpcWideFacts {
  const what = 'the VPC (its id comes from the subnets)';
  return {
    securityGroups: dependencyFact('ec2:DescribeSecurityGroups', what, subnets),
    routeTables: dependencyFact('ec2:DescribeRouteTables', what, subnets),
    natGateways: dependencyFact('ec2:DescribeNatGateways', what, subnets),
    vpcEndpoints: dependencyFact('ec2:DescribeVpcEndpoints', what, subnets),
    networkAcls: dependencyFact('ec2:DescribeNetworkAcls', what, subnets),
    vpcDns: dependencyFact('ec2:DescribeVpcAttribute', what, subnets),
  };
}
