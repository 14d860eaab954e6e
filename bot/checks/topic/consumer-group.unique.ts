import { bootstrapServers, consumerGroupId, hasCustomConsumerGroup, splitHostPort } from '../../model/esm';
import type { SiblingEsm, Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, warn, defineCheck, need } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { regionOf } from '../lib/resources';
import { createKafkaEsm, deleteEsm } from '../lib/commands';
import { remedy } from '../lib/remedy';

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

export const consumerGroupUnique = defineCheck({
  id: 'consumer-group.unique',
  step: 6,
  title: 'The ESM\'s consumer group is its own',
  docs: AWS_DOCS.consumerGroupId,
  explains: ['authorization'],
  needs: (snapshot) => need(snapshot.siblings, 'the other event source mappings', 'lambda:ListEventSourceMappings'),
  run(snapshot: Snapshot, siblings): Outcome {
    const esm = snapshot.esm;
    const group = consumerGroupId(esm);
    const esmArn = esm.EventSourceMappingArn ?? esm.UUID;
    const clashes = siblings.filter((s) => s.UUID !== esm.UUID && consumerGroupId(s) === group && sameSource(snapshot, s));
    const custom = hasCustomConsumerGroup(esm);
    const others = siblings.filter((s) => s.UUID !== esm.UUID && sameSource(snapshot, s)).length;
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
});
