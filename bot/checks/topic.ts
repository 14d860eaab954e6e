/**
 * Step 6 and 8: the topic the ESM reads (does it exist, can its records fit an invoke) and the
 * consumer group it joins (is it the ESM's alone).
 */
import { MSK_LISTENERS, bootstrapServers, chooseMskAuth, consumerGroupId, esmSource, hasCustomConsumerGroup, splitHostPort } from '../model/esm';
import type { ClusterInfo, SiblingEsm, Snapshot } from '../model/snapshot';
import { type Check, type Outcome, couldNotRead, fail, pass, skip, valueOf, warn } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { INVOKE_PAYLOAD_LIMIT_BYTES, decodeTopicConfigs, formatBytes } from './lib/kafka-config';
import { notCollected } from './lib/problems';
import { regionOf } from './lib/resources';
import { createKafkaEsm, createMskTopic, deleteEsm, updateEsm } from './lib/commands';
import { remedy } from './lib/remedy';
import { shellQuote } from './lib/shell';

// ---------------------------------------------------------------------------------------------
// topic.exists

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

function firstBroker(snapshot: Snapshot): string | undefined {
  const mode = chooseMskAuth(snapshot.esm, valueOf(snapshot.cluster)).mode;
  const field = mode ? MSK_LISTENERS[mode]?.field : undefined;
  const brokers = valueOf(snapshot.bootstrapBrokers) as Record<string, unknown> | undefined;
  const value = field ? brokers?.[field] : undefined;
  return (typeof value === 'string' && value.split(',')[0]) || undefined;
}

export const topicExists: Check = {
  id: 'topic.exists',
  step: 6,
  title: 'The topic exists',
  docs: AWS_DOCS.troubleshoot,
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
};

// ---------------------------------------------------------------------------------------------
// consumer-group.unique

function normalEndpoint(entry: string): string {
  const hp = splitHostPort(entry);
  return hp ? `${hp.host.toLowerCase()}:${hp.port}` : entry.trim().toLowerCase();
}

/** Same Kafka cluster: the same MSK ARN, or (self-managed) at least one bootstrap server in common. */
function sameSource(snapshot: Snapshot, sibling: SiblingEsm): boolean {
  const esm = snapshot.esm;
  if (esm.EventSourceArn) return sibling.EventSourceArn === esm.EventSourceArn;
  if (sibling.EventSourceArn) return false;
  const mine = new Set(bootstrapServers(esm).map(normalEndpoint));
  const theirs = sibling.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS ?? [];
  return theirs.some((e) => mine.has(normalEndpoint(e)));
}

export const consumerGroupUnique: Check = {
  id: 'consumer-group.unique',
  step: 6,
  title: 'The ESM\'s consumer group is its own',
  docs: AWS_DOCS.consumerGroupId,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const group = consumerGroupId(esm);
    const esmArn = esm.EventSourceMappingArn ?? esm.UUID;
    const f = snapshot.siblings;
    if (!f) return notCollected('list of the other event source mappings (ListEventSourceMappings)', 'lambda:ListEventSourceMappings');
    if (!f.ok) return couldNotRead('the other event source mappings', f);
    const clashes = f.value.filter((s) => s.UUID !== esm.UUID && consumerGroupId(s) === group && sameSource(snapshot, s));
    const custom = hasCustomConsumerGroup(esm);
    const others = f.value.filter((s) => s.UUID !== esm.UUID && sameSource(snapshot, s)).length;
    const region = regionOf(snapshot);

    if (clashes.length) {
      const active = clashes.filter((s) => s.State !== 'Disabled');
      const list = clashes
        .map((s) => `${s.UUID} (${s.FunctionArn ?? 'unknown function'}, topic ${s.Topics?.join(', ') || '?'}, ${s.State ?? 'state unknown'})`)
        .join('; ');
      const detail =
        `Consumer group "${group}" of ESM ${esm.UUID} is also used by ${list} on the same cluster. ` +
        'Kafka splits the partitions between the members of a group, so each mapping sees only part of the records, and they share (and overwrite) the committed offsets.';
      const access = (esm.SourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, URI: c.URI }));
      // Without a ConsumerGroupId Lambda names the group after the new mapping's UUID: unique by construction.
      const fix = remedy(
        'Give each mapping its own group. ConsumerGroupId cannot be changed after creation: create a new mapping (without ConsumerGroupId, Lambda uses its UUID, which is unique) and delete this one. ' +
          'The new group starts from the mapping\'s StartingPosition, not from the shared group\'s offsets.',
        esm.Topics?.length
          ? [
            createKafkaEsm({
              functionArn: esm.FunctionArn,
              ...(esm.StartingPosition ? { startingPosition: esm.StartingPosition } : {}),
              topics: esm.Topics,
              source: esm.EventSourceArn ? { clusterArn: esm.EventSourceArn } : { bootstrapServers: bootstrapServers(esm) },
              sourceAccessConfigurations: access,
              region,
            }),
            deleteEsm({ uuid: esm.UUID, region }),
          ]
          : [],
      );
      const resources = [esmArn, ...clashes.map((s) => s.UUID)];
      // A disabled twin does not consume today, but takes the partitions back the moment it is enabled.
      if (!active.length) {
        return warn(`Consumer group "${group}" is shared with a disabled mapping`, detail + ' The other mapping is Disabled: the conflict starts when it is enabled.', fix, { resources });
      }
      return fail(`Consumer group "${group}" is shared with another mapping`, detail, fix, { resources });
    }
    if (custom) {
      return warn(
        `The ESM uses a custom consumer group ("${group}")`,
        `ESM ${esm.UUID} joins consumer group "${group}", not its UUID. If that group already has committed offsets, Lambda resumes from them and ignores StartingPosition (${esm.StartingPosition ?? 'unset'}); ` +
          'any other consumer in the group (another application, an old Kafka Connect job) takes a share of the partitions. The id cannot be changed after creation. ' +
          `None of the ${others} other mapping(s) of this source uses it.`,
        'Make sure nothing else consumes with this group id (kafka-consumer-groups.sh --describe --group ' + group + '); to start fresh, create a new mapping with a new group id.',
        { resources: [esmArn] },
      );
    }
    return pass(`ESM ${esm.UUID} uses its UUID as consumer group; none of the ${others} other mapping(s) of this source shares it.`, { resources: [esmArn] });
  },
};

// ---------------------------------------------------------------------------------------------
// batch.payload

/** Lambda base64-encodes each record value in the event, so a record grows by a third on the way. */
const BASE64_SAFE_BYTES = Math.floor((INVOKE_PAYLOAD_LIMIT_BYTES * 3) / 4);

export const batchPayload: Check = {
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
};

export const checks: Check[] = [topicExists, consumerGroupUnique, batchPayload];
