/** Helpers shared by the auth checks; index.ts says what the area checks and why. */
import { clientBrokerEncryption, clusterClientAuth, type AuthMode } from '../../model/esm';
import type { ClusterInfo, Snapshot } from '../../model/snapshot';
import { regionOf } from '../lib/resources';
import { updateClusterSecurity, updateEsm } from '../lib/commands';

/** Access types Lambda accepts only for self-managed Kafka (Lambda API, SourceAccessConfiguration). */
export const MSK_UNSUPPORTED: Record<string, string> = {
  SASL_SCRAM_256_AUTH: 'MSK supports SASL/SCRAM with SHA-512 only',
  BASIC_AUTH: 'MSK has no SASL/PLAIN',
  SERVER_ROOT_CA_CERTIFICATE: 'MSK broker certificates come from Amazon Trust Services, which Lambda trusts already',
  VPC_SUBNET: 'an MSK ESM always uses the cluster\'s client subnets',
  VPC_SECURITY_GROUP: 'an MSK ESM always uses the cluster\'s security groups',
  VIRTUAL_HOST: 'it is for RabbitMQ only',
};

export const SASL_MODES: AuthMode[] = ['sasl-scram-512', 'sasl-scram-256', 'sasl-plain'];

/** Hosts whose listener layout is MSK's own, fixed by the service (port-info). */
export const MSK_HOST = /\.kafka(-serverless)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i;
/** Confluent Cloud serves SASL_SSL on 9092. */
export const SASL_SSL_ON_9092 = /\.confluent\.cloud$/i;

export function configsWithout(snapshot: Snapshot, type: string): string {
  const configs = (snapshot.esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== type).map((c) => ({ Type: c.Type, URI: c.URI }));
  return updateEsm({ uuid: snapshot.esm.UUID, sourceAccessConfigurations: configs, region: regionOf(snapshot) });
}

export function updateSecurity(cluster: ClusterInfo, region: string, auth: unknown): string {
  const version = (cluster as { CurrentVersion?: string }).CurrentVersion;
  return updateClusterSecurity({ clusterArn: cluster.ClusterArn, ...(version ? { currentVersion: version } : {}), clientAuthentication: auth, region });
}

export function clusterModes(cluster: ClusterInfo): string {
  const auth = clusterClientAuth(cluster);
  const on = [
    auth?.Sasl?.Iam?.Enabled || cluster.Serverless ? 'IAM' : undefined,
    auth?.Sasl?.Scram?.Enabled ? 'SASL/SCRAM' : undefined,
    auth?.Tls?.Enabled ? 'mTLS' : undefined,
    auth?.Unauthenticated?.Enabled ? 'unauthenticated' : undefined,
  ].filter(Boolean);
  return `${on.length ? on.join(', ') : 'no client authentication'} (client-broker encryption ${clientBrokerEncryption(cluster)})`;
}
