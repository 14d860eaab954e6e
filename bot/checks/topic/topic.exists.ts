import { esmSource } from '../../model/esm';
import type { ClusterInfo, Snapshot } from '../../model/snapshot';
import { type Outcome, couldNotRead, fail, pass, skip, valueOf, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { regionOf } from '../lib/resources';
import { createMskTopic, updateEsm } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { shellQuote } from '../lib/shell';
import { firstBroker } from './lib';

/** MSK's topic APIs need a provisioned cluster with Kafka 3.6.0 or later (msk-view-topic-information). */
function topicApiUnsupported(cluster: ClusterInfo | undefined): string | undefined {
  if (!cluster) return undefined;
  if (cluster.ClusterType === 'SERVERLESS' || cluster.Serverless) return 'MSK Serverless has no topic API';
  const version = cluster.Provisioned?.CurrentBrokerSoftwareInfo?.KafkaVersion;
  if (!version) return undefined;
  const [major = 0, minor = 0] = version.split('.').map((n) => parseInt(n, 10));
  if (major < 3 || (major === 3 && minor < 6)) return `the cluster runs Kafka ${version}, and MSK's topic API needs 3.6.0 or later`;
  return undefined;
}

export const topicExists = defineCheck({
  id: 'topic.exists',
  step: 6,
  title: 'The topic exists',
  docs: AWS_DOCS.troubleshoot,
  explains: ['authorization', 'topic-not-found', 'ESM_CONFIG_NOT_VALID', 'EVENT_SOURCE_AUTHZ_ERROR', 'stuck'],
  probe: [
    { probe: 'probe.metadata', probeCanClear: true, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const topic = esm.Topics?.[0];
    if (esmSource(esm) !== 'msk') {
      return skip(`Self-managed Kafka has no AWS API for topics: only a live probe (esm-doctor diagnose --probe) can see whether "${topic ?? '?'}" exists.`);
    }
    const arn = esm.EventSourceArn!;
    if (!topic) return skip('The ESM names no topic.');
    const cluster = valueOf(snapshot.cluster);
    const f = snapshot.topic;
    if (!f) {
      const why = topicApiUnsupported(cluster);
      return skip(why ? `Cannot look the topic up: ${why}; a live probe can.` : `DescribeTopic was not called for "${topic}", so there is no answer to judge; a live probe can tell.`);
    }
    if (!f.ok) {
      const code = f.error.code;
      if (code === 'NotFoundException') return skip(`The cluster ${arn} does not exist (msk.cluster), so the topic was not looked up.`);
      if (code === 'BadRequestException') {
        return skip(
          `MSK refused DescribeTopic (BadRequestException: ${f.error.message}): its topic API needs a provisioned cluster with Kafka 3.6.0 or later` +
            `${topicApiUnsupported(cluster) ? ` and ${topicApiUnsupported(cluster)}` : ''}. A live probe can see the topic.`,
        );
      }
      const denied = couldNotRead(`topic ${topic}`, f);
      if (/AccessDenied|Forbidden|Unauthorized/i.test(`${code} ${f.error.message}`)) {
        return {
          ...denied,
          fix:
            `MSK authorizes DescribeTopic with data-plane actions: grant the identity running esm-doctor kafka-cluster:Connect, kafka-cluster:DescribeTopic and ` +
            `kafka-cluster:DescribeTopicDynamicConfiguration on ${arn.replace(':cluster/', ':topic/')}/${topic} (and Connect on the cluster), then re-run.`,
        };
      }
      return denied;
    }
    const info = f.value;
    if (!info.Found) {
      const region = regionOf(snapshot);
      return fail(
        `Topic "${topic}" does not exist on the cluster`,
        `DescribeTopic answered NotFoundException for "${topic}" on ${arn}. Topic names are case-sensitive ("Orders" is not "orders"). ` +
          'Lambda looks the topic up when the mapping starts; a topic created later may only be picked up after disabling and enabling the trigger.',
        (() => {
          const broker = firstBroker(snapshot);
          return remedy(
            'Create the topic (or, if the name is wrong, create a new mapping with the right one: the topic of a mapping cannot be changed), then restart the trigger (the last two commands). ' +
              `Create it with the first command${broker ? ', or with Kafka\'s own tool (the second; client.properties holds the connection settings)' : ''}.`,
            [
              createMskTopic({ clusterArn: arn, topic, partitions: 3, replicationFactor: 3, region }),
              ...(broker ? [`kafka-topics.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --create --topic ${shellQuote(topic)}`] : []),
              updateEsm({ uuid: snapshot.esm.UUID, enabled: false, region }),
              updateEsm({ uuid: snapshot.esm.UUID, enabled: true, region }),
            ],
          );
        })(),
        { resources: [arn, `${arn.replace(':cluster/', ':topic/')}/${topic}`] },
      );
    }
    const topicArn = info.TopicArn ?? `${arn.replace(':cluster/', ':topic/')}/${topic}`;
    if (info.Status === 'DELETING') {
      return warn(
        `Topic "${topic}" is being deleted`,
        `DescribeTopic reports ${topicArn} with Status DELETING: once it is gone, Lambda reports "Topic not found".`,
        'If the deletion was a mistake, recreate the topic once it is gone and disable and re-enable the trigger.',
        { resources: [topicArn] },
      );
    }
    const parts = [
      info.PartitionCount !== undefined ? `${info.PartitionCount} partitions` : undefined,
      info.ReplicationFactor !== undefined ? `replication factor ${info.ReplicationFactor}` : undefined,
      info.Status ? `status ${info.Status}` : undefined,
    ].filter(Boolean);
    return pass(`Topic "${topic}" exists on the cluster (${parts.join(', ') || 'no details'}).`, { resources: [topicArn] });
  },
});
