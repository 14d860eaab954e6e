import type { Snapshot } from '../../model/snapshot';
import { type ProbeResult, type ProbeStep } from '../../probe/schema';
import { type Fix } from '../check';
import { remedy } from '../lib/remedy';
import { shellQuote } from '../lib/shell';
import { AWS_DOCS } from '../lib/aws-docs';
import { probeCheck } from './lib';

function groupFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'group' }>, r: ProbeResult): Fix {
  const group = step.evidence?.groupId ?? r.groupId;
  if (step.evidence?.outcome === 'not-authorized') {
    return r.authMode === 'iam'
      ? `Grant the execution role kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on the group ARN (…:group/cluster-name/cluster-uuid/${group}; iam.execution-role names the statement).`
      : remedy(
        'Allow the ESM\'s principal (set KAFKA_USER to the secret\'s user name) to use the group.',
        r.bootstrap[0] ? [`kafka-acls.sh --bootstrap-server ${shellQuote(r.bootstrap[0])} --command-config client.properties --add --allow-principal "User:$KAFKA_USER" --operation Read --operation Describe --group ${shellQuote(group)}`] : [],
      );
  }
  if (step.evidence?.outcome === 'coordinator-unavailable') return 'No group coordinator: the __consumer_offsets topic is unavailable (brokers down, under-replicated); check the cluster\'s health.';
  void snapshot;
  return 'Check the cluster\'s health and the ESM\'s rights on its consumer group.';
}


export const probeGroup = probeCheck({
  step: 'group',
  title: 'Live probe: the consumer group can be used',
  docs: AWS_DOCS.consumerGroupId,
  fix: (snapshot, step, r) => groupFix(snapshot, step as Extract<ProbeStep, { step: 'group' }>, r),
});
