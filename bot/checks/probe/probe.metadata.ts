import type { Snapshot } from '../../model/snapshot';
import { type ProbeResult, type ProbeStep } from '../../probe/schema';
import { type Fix } from '../check';
import { remedy } from '../lib/remedy';
import { shellQuote } from '../lib/shell';
import { AWS_DOCS } from '../lib/aws-docs';
import { portOf, probeCheck } from './lib';

function metadataFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'metadata' }>, r: ProbeResult): Fix {
  const e = step.evidence;
  const topic = e?.topic || snapshot.esm.Topics?.[0];
  const broker = r.bootstrap[0];
  const fixes: string[] = [];
  const commands: string[] = [];
  if (e?.found === false) {
    fixes.push('Create the topic (names are case-sensitive), then disable and re-enable the trigger.');
    if (broker && topic) commands.push(`kafka-topics.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --create --topic ${shellQuote(topic)} --partitions 3`);
  }
  if (e?.errorType === 'TOPIC_AUTHORIZATION_FAILED') {
    if (r.authMode === 'iam') fixes.push('Grant the execution role kafka-cluster:DescribeTopic and kafka-cluster:ReadData on the topic ARN (iam.execution-role names the statement).');
    else {
      fixes.push('Allow the ESM\'s principal (set KAFKA_USER to the secret\'s user name) to Describe and Read the topic.');
      if (broker && topic) commands.push(`kafka-acls.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --add --allow-principal "User:$KAFKA_USER" --operation Describe --operation Read --topic ${shellQuote(topic)}`);
    }
  }
  const unreachable = e?.brokers.filter((b) => b.outcome !== 'reachable') ?? [];
  if (unreachable.length) {
    fixes.push(`After bootstrapping, the ESM connects to the addresses the brokers advertise: ${unreachable.map((b) => `${b.host}:${b.port}`).join(', ')} must resolve and accept connections from the ESM's network position (fix advertised.listeners, DNS, or the security groups for ${portOf(`x:${unreachable[0]!.port}`)}).`);
  }
  if (e?.partitions.some((p) => p.leader < 0)) fixes.push('Some partitions have no leader: a broker is down or the cluster is unhealthy; check the brokers (MSK: the cluster\'s metrics and state).');
  return remedy(fixes.join('\n') || 'Check the cluster\'s health and the ESM\'s permissions on the topic.', commands);
}


export const probeMetadata = probeCheck({
  step: 'metadata',
  title: 'Live probe: the topic exists, has leaders, and every advertised broker is reachable',
  docs: AWS_DOCS.troubleshoot,
  fix: (snapshot, step, r) => metadataFix(snapshot, step as Extract<ProbeStep, { step: 'metadata' }>, r),
});
