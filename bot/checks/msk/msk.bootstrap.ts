import { AUTH_LABELS, MSK_LISTENERS, chooseMskAuth, clusterClientAuth, esmSource, type AuthMode } from '../../model/esm';
import type { ClusterInfo, Snapshot } from '../../model/snapshot';
import { type Outcome, couldNotRead, fail, notCollected, pass, skip, valueOf, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { mskBrokers, regionOf } from '../lib/resources';
import { updateClusterSecurity } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { SELF_MANAGED } from './lib';

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

export const mskBootstrap = defineCheck({
  id: 'msk.bootstrap',
  step: 3,
  title: 'MSK has a broker string for the auth mode Lambda uses',
  docs: AWS_DOCS.mskAuth,
  explains: ['dns', 'connection-error', 'broker-connection', 'ESM_CONFIG_NOT_VALID', 'stuck'],
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
    const found = mskBrokers(snapshot, listener.field);
    if (!found.ok) return found.outcome;
    const { strings, brokers } = found.value;
    const mode = AUTH_LABELS[choice.mode];
    if (!brokers.length) {
      const others = Object.entries(strings)
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
});
