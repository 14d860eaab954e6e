/**
 * The live reads behind `esm-doctor dependents` and `impact`: every Kafka ESM of the account and
 * region, and for each the few facts that say what it depends on — the cluster's placement, the
 * function's role, the secrets and their keys, the subnets' route tables, NAT gateways, endpoints and
 * NACLs. ESMs share clusters, functions, secrets and VPCs, so each read is made once and shared:
 * 100 ESMs on one cluster cost one DescribeClusterV2, not 100. No IAM simulation, no topic, no
 * bootstrap brokers: those are what a diagnosis adds, not what it depends on.
 */
import { esmPlacement, esmSource, isVpcConnectionArn, secretConfigs } from '../model/esm';
import { EsmConfig, type ClusterInfo, type Fact, type KeyMetadata, type NetworkFacts, type SecretFacts, type Subnet } from '../model/snapshot';
import type { AwsClients } from './clients';
import { jsonSafe } from './fact';
import { listEventSourceMappings } from './inventory';
import { readCluster, readVpcConnection } from './kafka';
import { readFunction } from './lambda';
import { readKey, readSecretDescription } from './secrets';
import { readSubnets, readVpcRouting, type VpcRouting } from './ec2';
import type { DependencyFacts } from '../impact/dependencies';

export type DependencyClients = Pick<AwsClients, 'lambda' | 'kafka' | 'ec2' | 'secretsManager' | 'kms'>;

export interface DependencyRead {
  facts: DependencyFacts;
  /** Reads that failed (denied, throttled): the ESM's dependencies may be incomplete. */
  errors: string[];
}

/** Every Kafka ESM in the clients' account and region (MSK and self-managed), as GetEventSourceMapping shapes them. */
export async function listKafkaMappings(clients: Pick<AwsClients, 'lambda'>): Promise<EsmConfig[]> {
  const { mappings } = await listEventSourceMappings(clients.lambda);
  return mappings.flatMap((m) => {
    const parsed = EsmConfig.safeParse(jsonSafe(m));
    return parsed.success && esmSource(parsed.data) ? [parsed.data] : [];
  });
}

/** One memo per read: the first caller starts it, the others await the same promise. */
function memo<T>(): (key: string, read: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key, read) => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = read()));
    return p;
  };
}

/**
 * A reader that shares every read between the ESMs it is asked about. Create one per run: it
 * caches for its whole life.
 */
export function dependencyReader(clients: DependencyClients) {
  const clusters = memo<Fact<ClusterInfo>>();
  const functions = memo<Awaited<ReturnType<typeof readFunction>>>();
  const secrets = memo<SecretFacts>();
  const keys = memo<Fact<KeyMetadata>>();
  const subnets = memo<Fact<Subnet[]>>();
  const vpcs = memo<VpcRouting>();

  const readSecret = (type: string, arn: string) =>
    secrets(arn, async () => {
      const describe = await readSecretDescription(clients.secretsManager, arn);
      const kmsKeyId = describe.ok ? describe.value.KmsKeyId : undefined;
      const kmsKey = kmsKeyId ? await keys(kmsKeyId, () => readKey(clients.kms, kmsKeyId)) : undefined;
      return { type, arn, describe, ...(kmsKey ? { kmsKey } : {}) };
    });

  return async function read(esm: EsmConfig): Promise<DependencyRead> {
    const errors: string[] = [];
    const note = (f: Fact<unknown> | undefined) => {
      if (f && !f.ok) errors.push(`${f.error.action ?? f.source}: ${f.error.code}`);
    };
    const arn = esm.EventSourceArn;
    const cluster =
      esmSource(esm) === 'msk' && arn && !isVpcConnectionArn(arn) ? clusters(arn, () => readCluster(clients.kafka, arn)) : undefined;
    // Cross-account: the managed VPC connection places the ESM (its subnets and security groups).
    const connection = esmSource(esm) === 'msk' && arn && isVpcConnectionArn(arn) ? readVpcConnection(clients.kafka, arn) : undefined;
    const [fn, secretFacts, clusterFact, connectionFact] = await Promise.all([
      functions(esm.FunctionArn, () => readFunction(clients.lambda, esm.FunctionArn)),
      Promise.all(secretConfigs(esm).map((c) => readSecret(c.Type, c.URI))),
      cluster,
      connection,
    ]);
    note(fn);
    note(clusterFact);
    note(connectionFact);
    for (const s of secretFacts) note(s.describe);
    const placement = esmPlacement(esm, clusterFact?.ok ? clusterFact.value : undefined, connectionFact?.ok ? connectionFact.value : undefined);
    let network: NetworkFacts | undefined;
    if (placement && placement.kind !== 'internet' && placement.subnetIds.length) {
      const ids = [...new Set(placement.subnetIds)].sort();
      const subnetFact = await subnets(ids.join(','), () => readSubnets(clients.ec2, ids));
      note(subnetFact);
      const vpcId = subnetFact.ok ? subnetFact.value[0]?.VpcId : undefined;
      if (vpcId) {
        const routing = await vpcs(vpcId, () => readVpcRouting(clients.ec2, [vpcId]));
        for (const f of Object.values(routing)) note(f);
        network = { subnets: subnetFact, vpcId, ...routing };
      } else {
        network = { subnets: subnetFact };
      }
    }
    return {
      facts: {
        esm,
        function: fn,
        ...(clusterFact ? { cluster: clusterFact } : {}),
        ...(connectionFact ? { vpcConnection: connectionFact } : {}),
        ...(network ? { network } : {}),
        secrets: secretFacts,
      },
      errors,
    };
  };
}

