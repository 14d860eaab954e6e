import { z } from 'zod';
import { Target } from '../target';
import { ProbeResult } from '../../probe/schema';
import { fact } from './fact';
import { EsmConfig, FunctionConcurrency, FunctionInfo, SiblingEsm } from './lambda';
import { CallerIdentity, EvaluationResult, RoleInfo } from './iam';
import { BootstrapBrokers, ClusterInfo, ScramSecrets, TopicInfo, VpcConnectionInfo } from './msk';
import { DestinationEncryption, GlueRegistry } from './destinations';
import { NetworkFacts } from './network';
import { SecretFacts } from './secrets';
import { ResolvedEndpoint } from './dns';
import { ProgressMetrics } from './metrics';

/**
 * The Snapshot: every fact the checks need about one ESM, JSON-serialisable and versioned.
 *
 * Facts keep the AWS API's own field names (PascalCase, as the SDK returns them) so that a fixture
 * is a realistic API response and a reader can compare it with the console or the CLI. Objects are
 * "loose": fields the checks do not read are kept, not rejected, so a newer API never breaks an old
 * snapshot. Timestamps are ISO strings. Secret values never appear here: only the format facts
 * derived from them in memory (`SecretFormatFacts`).
 *
 * One module per concern (fact, lambda, iam, msk, destinations, network, secrets, dns, metrics); this
 * index re-exports them all, so `model/snapshot` stays the one import.
 */
export * from './fact';
export * from './lambda';
export * from './iam';
export * from './msk';
export * from './destinations';
export * from './network';
export * from './secrets';
export * from './dns';
export * from './metrics';

export const SNAPSHOT_SCHEMA_VERSION = 1;

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
  /** The encryption (and KMS key) of an SQS, SNS or S3 on-failure destination. Additive, optional. */
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
