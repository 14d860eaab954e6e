import { esmSource, isVpcConnectionArn, kafkaDestinationTopic, parseClusterArn } from '../../model/esm';
import { pass, skip, valueOf, warn, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { deniedLines, grantRemedy, judgeGroup } from '../lib/grants';
import { esmArnOf, regionOf } from '../lib/resources';
import { createMskTopic } from '../lib/commands';
import { notSimulated } from './lib';

export const destinationKafkaTopic = defineCheck({
  id: 'destination.kafka-topic',
  step: 9,
  title: 'The kafka:// on-failure topic exists and the role may write to it',
  docs: AWS_DOCS.onFailureKafka,
  explains: ['destination', 'vpc-service-access'],
  run(snapshot): Outcome {
    const topic = kafkaDestinationTopic(snapshot.esm);
    if (!topic) return skip('The ESM has no kafka:// on-failure destination.');
    const source = esmSource(snapshot.esm);
    if (source !== 'msk') {
      return skip(
        `The destination kafka://${topic} is on a self-managed cluster, whose topics and ACLs esm-doctor cannot read: the topic must exist and the secret's Kafka user needs the Write and Describe ACLs on it.`,
      );
    }
    if (isVpcConnectionArn(snapshot.esm.EventSourceArn)) {
      return skip(`The cluster is in another account (a VPC connection): its topics cannot be read from here; kafka://${topic} must exist there and the cluster policy must let the role write it.`);
    }
    const clusterArn = snapshot.esm.EventSourceArn!;
    const region = regionOf(snapshot);
    const resources = [esmArnOf(snapshot), clusterArn];
    const notes: string[] = [];

    const t = snapshot.destinationTopic;
    if (t?.ok && !t.value.Found) {
      const partitions = (() => {
        const src = valueOf(snapshot.topic);
        return src && src.Found && src.PartitionCount ? src.PartitionCount : 1;
      })();
      return {
        status: 'fail',
        title: `The on-failure topic ${topic} does not exist on the cluster`,
        detail:
          `DescribeTopic answered NotFoundException for ${topic} on ${clusterArn}. The destination topic must exist on the same cluster as the source topic (kafka-on-failure-destination): ` +
          'records that exhaust their retries cannot be written, so they are lost and the partition waits on them.',
        remedy: {
          summary: `Create the topic ${topic} on the cluster (a topic name is case-sensitive), or point the destination at an existing one.`,
          commands: [createMskTopic({ clusterArn, topic, partitions, replicationFactor: 3, region })],
        },
        resources,
        related: ['destination.reachable'],
      };
    }
    if (t && !t.ok) notes.push(`Whether ${topic} exists could not be read (${t.source}: ${t.error.code}); MSK answers DescribeTopic only for provisioned clusters on Kafka 3.6 or later.`);
    else if (!t) notes.push(`Whether ${topic} exists was not collected.`);
    else notes.push(`Topic ${topic} exists (${t.value.Found ? t.value.PartitionCount ?? '?' : '?'} partitions).`);

    const grants = judgeGroup(snapshot, 'destination');
    if (grants.requirements.length === 0) {
      notes.push('The cluster does not use IAM access control for this ESM, so the Kafka ACLs (Write and Describe on the topic for the secret\'s user) decide; esm-doctor cannot read them.');
    } else if (!grants.simulated) {
      return notSimulated();
    } else if (grants.denied.length) {
      return {
        status: 'fail',
        title: `The execution role may not write to the on-failure topic ${topic}`,
        detail: `The IAM simulation denies: ${deniedLines(grants.denied)}. Lambda writes failed records to kafka://${topic} as the execution role, so they would be lost. ${notes.join(' ')}`,
        remedy: grantRemedy(snapshot, grants.denied, 'esm-on-failure-topic', `Lambda produces failed records to ${topic} as this role (kafka-on-failure).`),
        resources,
      };
    } else if (grants.unsimulated.length) {
      return warn('The role\'s permission on the on-failure topic was not simulated', `No simulation answer for: ${deniedLines(grants.unsimulated)}. ${notes.join(' ')}`, undefined, {
        remedy: { summary: 'Collect the snapshot again (esm-doctor collect) so the simulation covers the on-failure topic.' },
        resources,
      });
    } else {
      const parsed = parseClusterArn(clusterArn);
      notes.push(`The role may ${grants.requirements.map((r) => r.action).join(', ')} on ${parsed ? `topic ${topic} of ${parsed.clusterName}` : topic}.`);
    }
    return pass(`On-failure destination kafka://${topic}: ${notes.join(' ')}`, { resources });
  },
});
