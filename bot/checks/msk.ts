/**
 * Step 3 for MSK: Lambda finds the brokers through the MSK API with the execution role —
 * DescribeClusterV2 (is the cluster there, is it ACTIVE) and GetBootstrapBrokers (is there a broker
 * string for the auth mode Lambda chooses).
 */
import { AUTH_LABELS, MSK_LISTENERS, brokerList, chooseMskAuth, clusterClientAuth, esmSource, type AuthMode } from '../model/esm';
import type { ClusterInfo, Snapshot } from '../model/snapshot';
import { type Check, type Fix, type Outcome, couldNotRead, fail, pass, skip, valueOf, warn } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { notCollected } from './lib/problems';
import { regionOf } from './lib/resources';
import { clusterOperations, clusterState, deleteEsm, describeCluster, listClusters, updateClusterSecurity } from './lib/commands';
import { remedy } from './lib/remedy';

const SELF_MANAGED = 'Self-managed Kafka: there is no MSK cluster to read; Lambda uses KAFKA_BOOTSTRAP_SERVERS as given.';

// ---------------------------------------------------------------------------------------------
// msk.cluster

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

export const mskCluster: Check = {
  id: 'msk.cluster',
  step: 3,
  title: 'The MSK cluster exists and is ACTIVE',
  docs: AWS_DOCS.mskCreate,
  run(snapshot: Snapshot): Outcome {
    if (esmSource(snapshot.esm) !== 'msk') return skip(SELF_MANAGED);
    const arn = snapshot.esm.EventSourceArn!;
    const region = regionOf(snapshot);
    const f = snapshot.cluster;
    if (!f) return notCollected('MSK cluster (DescribeClusterV2)', 'kafka:DescribeClusterV2');
    if (!f.ok) {
      if (f.error.code === 'NotFoundException') {
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
      return couldNotRead('the MSK cluster', f);
    }
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
};

// ---------------------------------------------------------------------------------------------
// msk.bootstrap

/** The update-security change that turns on the listener a mode needs (MSK UpdateSecurity API). */
function enableListener(mode: AuthMode, cluster: ClusterInfo, region: string): string | undefined {
  const version = (cluster as { CurrentVersion?: string }).CurrentVersion;
  const base = { clusterArn: cluster.ClusterArn, ...(version ? { currentVersion: version } : {}), region };
  switch (mode) {
    case 'iam':
      return updateClusterSecurity({ ...base, clientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
    case 'sasl-scram-512':
      return updateClusterSecurity({ ...base, clientAuthentication: { Sasl: { Scram: { Enabled: true } } } });
    case 'tls':
    case 'plaintext':
      return updateClusterSecurity({ ...base, encryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS_PLAINTEXT' } } });
    default:
      // mTLS needs the ARN of the ACM Private CA, which only the reader knows: no command.
      return undefined;
  }
}

export const mskBootstrap: Check = {
  id: 'msk.bootstrap',
  step: 3,
  title: 'MSK has a broker string for the auth mode Lambda uses',
  docs: AWS_DOCS.mskAuth,
  run(snapshot: Snapshot): Outcome {
    if (esmSource(snapshot.esm) !== 'msk') return skip(SELF_MANAGED);
    const arn = snapshot.esm.EventSourceArn!;
    const region = regionOf(snapshot);
    const clusterFact = snapshot.cluster;
    if (clusterFact && !clusterFact.ok && clusterFact.error.code === 'NotFoundException') {
      return skip(`The cluster ${arn} does not exist (msk.cluster), so it has no brokers to list.`);
    }
    const cluster = valueOf(clusterFact);
    const choice = chooseMskAuth(snapshot.esm, cluster);
    if (!choice.mode) {
      if (!cluster) {
        return clusterFact && !clusterFact.ok
          ? couldNotRead('the MSK cluster (needed to know the auth mode)', clusterFact)
          : notCollected('MSK cluster (DescribeClusterV2)', 'kafka:DescribeClusterV2');
      }
      const auth = clusterClientAuth(cluster);
      const on = [
        auth?.Sasl?.Scram?.Enabled ? 'SASL/SCRAM' : undefined,
        auth?.Tls?.Enabled ? 'mTLS' : undefined,
      ].filter(Boolean);
      return fail(
        'Lambda has no auth mode it can use with this cluster',
        `Lambda cannot choose an auth mode for ${arn}: ${choice.reason}. ` +
          `The cluster accepts ${on.length ? on.join(' and ') : 'no client authentication Lambda can use'}, which need a secret on the ESM.`,
        remedy(
          'Either give the ESM a secret for a mode the cluster has on (a SASL_SCRAM_512_AUTH or CLIENT_CERTIFICATE_TLS_AUTH secret), or turn on IAM access control (the command).',
          [enableListener('iam', cluster, region)].filter((c): c is string => !!c),
        ),
        { resources: [arn] },
      );
    }
    const listener = MSK_LISTENERS[choice.mode]!;
    const f = snapshot.bootstrapBrokers;
    if (!f) return notCollected('broker strings (GetBootstrapBrokers)', 'kafka:GetBootstrapBrokers');
    if (!f.ok) return couldNotRead('the broker strings', f);
    const value = (f.value as Record<string, unknown>)[listener.field];
    const brokers = brokerList(typeof value === 'string' ? value : undefined);
    const mode = AUTH_LABELS[choice.mode];
    if (!brokers.length) {
      const others = Object.entries(f.value)
        .filter(([, v]) => typeof v === 'string' && v.trim())
        .map(([k]) => k);
      return fail(
        `MSK has no ${mode} listener for Lambda to connect to`,
        `Lambda will use ${mode} because ${choice.reason}, so it connects on port ${listener.port} through ${listener.field}. ` +
          `GetBootstrapBrokers for ${arn} returns no ${listener.field}: that listener is off. ` +
          `It returns ${others.length ? others.join(', ') : 'no broker string at all'}. Lambda does not fall back to another mode.`,
        (() => {
          const command = cluster ? enableListener(choice.mode, cluster, region) : undefined;
          return command
            ? remedy('Turn the listener on (the update takes a while; the ESM recovers by itself once it is done).', [command])
            : `Turn ${mode} on for the cluster (kafka update-security${choice.mode === 'mtls' ? ', with the ACM Private CA that issues the client certificates' : ''}), or give the ESM a secret for a mode the cluster has on.`;
        })(),
        { resources: [arn] },
      );
    }
    return pass(`Lambda will use ${mode} (${choice.reason}); ${listener.field} lists ${brokers.length} broker(s): ${brokers.join(', ')}.`, {
      resources: [arn],
    });
  },
};

export const checks: Check[] = [mskCluster, mskBootstrap];
