import { esmSource } from '../../model/esm';
import type { ClusterInfo, Snapshot } from '../../model/snapshot';
import { type Fix, type Outcome, fail, need, pass, skip, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { regionOf } from '../lib/resources';
import { clusterOperations, clusterState, deleteEsm, describeCluster, listClusters } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { SELF_MANAGED } from './lib';

/**
 * States in which the brokers keep serving clients. MSK applies updates, maintenance, broker
 * reboots and self-healing one broker at a time, so the cluster stays reachable and the ESM keeps
 * working, though it may see transient connection errors: a warning, not a failure. CREATING
 * (no brokers yet), DELETING and FAILED cannot serve the ESM at all: those fail.
 */
const SERVING_TRANSITIONS: Record<string, string> = {
  UPDATING: 'MSK is applying a change (configuration, version, security, storage or broker count)',
  MAINTENANCE: 'MSK is patching the brokers',
  REBOOTING_BROKER: 'a broker is being rebooted',
  HEALING: 'MSK is replacing or repairing an unhealthy broker',
};

function stateInfo(cluster: ClusterInfo): string {
  const info = cluster.StateInfo;
  if (!info?.Code && !info?.Message) return '';
  return ` StateInfo: ${[info.Code, info.Message].filter(Boolean).join(': ')}.`;
}

function clusterGone(snapshot: Snapshot, arn: string, region: string): Outcome {
  return fail(
    'The MSK cluster of the ESM does not exist',
    `DescribeClusterV2 answered NotFoundException for ${arn}: the cluster was deleted, or the ESM points at a wrong ARN. ` +
      'An ESM\'s EventSourceArn cannot be changed.',
    remedy(
      'Find the right cluster (the first command lists them), create a new mapping for it (lambda create-event-source-mapping --event-source-arn with its ARN, the same topics and access configurations), then delete this one (the second command).',
      [listClusters({ region }), deleteEsm({ uuid: snapshot.esm.UUID, region })],
    ),
    { resources: [arn] },
  );
}

export const mskCluster = defineCheck({
  id: 'msk.cluster',
  step: 3,
  title: 'The MSK cluster exists and is ACTIVE',
  docs: AWS_DOCS.mskCreate,
  explains: ['dns', 'internal-error', 'connection-error', 'broker-connection', 'ESM_CONFIG_NOT_VALID', 'stuck'],
  run(snapshot: Snapshot): Outcome {
    if (esmSource(snapshot.esm) !== 'msk') return skip(SELF_MANAGED);
    const arn = snapshot.esm.EventSourceArn!;
    const region = regionOf(snapshot);
    const f = need(snapshot.cluster, 'the MSK cluster', 'kafka:DescribeClusterV2', (e) => (e.code === 'NotFoundException' ? clusterGone(snapshot, arn, region) : undefined));
    if (!f.ok) return f.outcome;
    const cluster = f.value;
    const state = cluster.State ?? 'unknown';
    const kind = cluster.ClusterType === 'SERVERLESS' || cluster.Serverless ? 'serverless' : 'provisioned';
    const version = cluster.Provisioned?.CurrentBrokerSoftwareInfo?.KafkaVersion;
    const brokers = cluster.Provisioned?.NumberOfBrokerNodes;
    const about = [kind, version ? `Kafka ${version}` : undefined, brokers ? `${brokers} brokers` : undefined].filter(Boolean).join(', ');
    const resources = [arn];
    if (state === 'ACTIVE') return pass(`Cluster ${cluster.ClusterName ?? arn} is ACTIVE (${about}).`, { resources });
    if (SERVING_TRANSITIONS[state]) {
      return warn(
        `The MSK cluster is ${state}`,
        `Cluster ${arn} is ${state}: ${SERVING_TRANSITIONS[state]}.${stateInfo(cluster)} Brokers are handled one at a time, ` +
          'so the ESM usually keeps working but may report connection errors until the cluster is ACTIVE again.',
        remedy('Wait until the command prints ACTIVE, then re-run esm-doctor.', [clusterState({ clusterArn: arn, region })]),
        { resources },
      );
    }
    const fixes: Record<string, Fix> = {
      CREATING: remedy('Wait until the command prints ACTIVE; if Lambda disabled the ESM meanwhile, enable it again.', [clusterState({ clusterArn: arn, region })]),
      DELETING: 'The cluster is going away: point the workload at another cluster with a new ESM, and delete this mapping.',
      FAILED: remedy('Read the reason in StateInfo and the cluster\'s operations (the command); a FAILED cluster has to be deleted and created again.', [clusterOperations({ clusterArn: arn, region })]),
    };
    return fail(
      `The MSK cluster is ${state}, not ACTIVE`,
      `Cluster ${arn} is ${state}.${stateInfo(cluster)} Lambda cannot poll a cluster in this state.`,
      fixes[state] ?? remedy('Bring the cluster back to ACTIVE; the command shows its state and StateInfo.', [describeCluster({ clusterArn: arn, region })]),
      { resources },
    );
  },
});
