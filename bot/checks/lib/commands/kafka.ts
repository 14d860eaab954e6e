/** MSK: clusters, SCRAM secrets, VPC connections, topics. */
import { shellQuote } from '../shell';
import { aws, jsonFlag, type ShellVariable } from './aws';

export function batchAssociateScramSecret(o: { clusterArn: string; secretArns: string[] | ShellVariable; region: string }): string {
  return aws('kafka', 'batch-associate-scram-secret', [['cluster-arn', o.clusterArn], ['secret-arn-list', o.secretArns]], o.region);
}

export function describeVpcConnection(o: { arn: string; region: string }): string {
  return aws('kafka', 'describe-vpc-connection', [['arn', o.arn]], o.region);
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

export function batchDisassociateScramSecret(o: { clusterArn: string; secretArns: string[]; region: string }): string {
  return aws('kafka', 'batch-disassociate-scram-secret', [['cluster-arn', o.clusterArn], ['secret-arn-list', o.secretArns]], o.region);
}
