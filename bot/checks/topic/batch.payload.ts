import { esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, pass, skip, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { INVOKE_PAYLOAD_LIMIT_BYTES, decodeTopicConfigs, formatBytes } from '../lib/kafka-config';
import { firstBroker } from './lib';

/** Lambda base64-encodes each record value in the event, so a record grows by a third on the way. */
const BASE64_SAFE_BYTES = Math.floor((INVOKE_PAYLOAD_LIMIT_BYTES * 3) / 4);

export const batchPayload = defineCheck({
  id: 'batch.payload',
  step: 8,
  title: 'The topic\'s records fit in one invoke',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const topic = esm.Topics?.[0] ?? '?';
    if (esmSource(esm) !== 'msk') {
      return skip(`Self-managed Kafka: the topic's max.message.bytes is only visible to a Kafka client (kafka-configs.sh --describe --entity-type topics --entity-name ${topic}).`);
    }
    const f = snapshot.topic;
    if (!f || !f.ok) return skip(`The topic's configuration is unknown (no DescribeTopic answer; topic.exists says why).`);
    if (!f.value.Found) return skip(`Topic "${topic}" does not exist (topic.exists), so it has no configuration.`);
    const configs = decodeTopicConfigs(f.value.Configs);
    if (!configs) return skip(`DescribeTopic returned no readable Configs for "${topic}".`);
    const raw = configs['max.message.bytes'];
    const max = raw !== undefined ? Number(raw) : NaN;
    if (!Number.isFinite(max)) {
      return skip(`Topic "${topic}" sets no max.message.bytes, so the broker's message.max.bytes applies, which the MSK API does not show.`);
    }
    const topicArn = f.value.TopicArn ?? `${esm.EventSourceArn!.replace(':cluster/', ':topic/')}/${topic}`;
    if (max > INVOKE_PAYLOAD_LIMIT_BYTES) {
      return warn(
        `Topic "${topic}" accepts records larger than Lambda can deliver`,
        `Topic ${topicArn} has max.message.bytes = ${formatBytes(max)}, above the ${formatBytes(INVOKE_PAYLOAD_LIMIT_BYTES)} limit of a synchronous invoke. ` +
          'A record that does not fit in one payload never reaches the function and holds its partition back. (Values are base64-encoded in the event, so records above about 4.5 MB already do not fit.)',
        `Cap what producers send (max.request.size, or lower the topic limit), and put large payloads in S3 with a pointer in the record:\n` +
          `kafka-configs.sh --bootstrap-server ${firstBroker(snapshot)} --command-config client.properties --alter --entity-type topics --entity-name ${topic} --add-config max.message.bytes=${BASE64_SAFE_BYTES}`,
        { resources: [topicArn] },
      );
    }
    const note = max > BASE64_SAFE_BYTES ? ' Records above about 4.5 MB still may not fit, since values are base64-encoded in the event.' : '';
    return pass(`Topic "${topic}" has max.message.bytes = ${formatBytes(max)}, within the ${formatBytes(INVOKE_PAYLOAD_LIMIT_BYTES)} invoke payload.${note}`, {
      resources: [topicArn],
    });
  },
});
