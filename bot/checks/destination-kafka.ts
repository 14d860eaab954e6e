/**
 * Step 9, the failure path of the newer on-failure destinations.
 *
 * destination.kafka-topic — a `kafka://<topic>` destination (kafka-on-failure-destination): Lambda
 * produces failed records to a topic of the same cluster as the execution role, so the topic must
 * exist and, under IAM access control, the role needs kafka-cluster:WriteData (with Connect and
 * DescribeTopic) on it (kafka-on-failure: "For a Kafka destination: kafka-cluster:WriteData").
 *
 * destination.kms — an SQS queue or SNS topic encrypted with a customer managed KMS key: Lambda
 * sends as the execution role, which needs kms:Decrypt and kms:GenerateDataKey on that key
 * (kafka-on-failure, permissions for encrypted destinations); a disabled key stops every delivery.
 */
import { esmSource, isVpcConnectionArn, kafkaDestinationTopic, parseClusterArn } from '../model/esm';
import { couldNotRead, pass, skip, valueOf, warn, type Check, type Outcome } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { deniedLines, grantRemedy, judgeGroup } from './lib/grants';
import { arnAccount, esmArnOf, regionOf } from './lib/resources';
import { cancelKeyDeletion, createMskTopic, enableKey } from './lib/commands';


function notSimulated(): Outcome {
  return couldNotRead('the execution role\'s permissions (iam:SimulatePrincipalPolicy)', {
    source: 'iam:SimulatePrincipalPolicy',
    error: { code: 'NotCollected', message: 'the snapshot has no simulation results', action: 'iam:SimulatePrincipalPolicy' },
  });
}

export const destinationKafkaTopic: Check = {
  id: 'destination.kafka-topic',
  step: 9,
  title: 'The kafka:// on-failure topic exists and the role may write to it',
  docs: AWS_DOCS.onFailureKafka,
  run(snapshot) {
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
};

export const destinationKms: Check = {
  id: 'destination.kms',
  step: 9,
  title: 'The execution role may use the on-failure destination\'s KMS key',
  docs: AWS_DOCS.onFailure,
  run(snapshot) {
    const destination = snapshot.esm.DestinationConfig?.OnFailure?.Destination;
    const service = destination?.split(':')[2];
    if (!destination || (service !== 'sqs' && service !== 'sns')) {
      return skip(
        service === 's3'
          ? 'The destination is an S3 bucket: its default encryption key is not read by esm-doctor (an SSE-KMS key needs kms:GenerateDataKey for the execution role).'
          : 'The ESM has no SQS or SNS on-failure destination.',
      );
    }
    const f = snapshot.destinationEncryption;
    if (!f) return skip(`The encryption of ${destination} was not collected (${service === 'sqs' ? 'sqs:GetQueueAttributes' : 'sns:GetTopicAttributes'}).`);
    if (!f.ok) return couldNotRead(`the encryption of the on-failure ${service.toUpperCase()} destination`, f);
    const keyId = f.value.KmsMasterKeyId;
    const resources = [destination];
    if (!keyId) return pass(`${destination} has no KmsMasterKeyId: it is not encrypted with a KMS key, so the role needs no KMS permission to send to it.`, { resources });
    const key = f.value.key;
    if (!key) return pass(`${destination} is encrypted with the AWS managed key ${keyId}, whose key policy lets ${service.toUpperCase()} use it for callers of this account.`, { resources });
    if (!key.ok) return couldNotRead(`the KMS key ${keyId} of the on-failure destination`, key);
    const meta = key.value;
    const keyArn = meta.Arn ?? keyId;
    resources.push(keyArn);
    if (meta.KeyManager === 'AWS') return pass(`${destination} is encrypted with an AWS managed key (${keyArn}).`, { resources });
    if (meta.KeyState && meta.KeyState !== 'Enabled') {
      return {
        status: 'fail',
        title: `The on-failure destination's KMS key is ${meta.KeyState}`,
        detail: `${destination} is encrypted with the customer managed key ${keyArn}, whose KeyState is ${meta.KeyState}: ${service.toUpperCase()} refuses every message it cannot encrypt, so failed batches are lost.`,
        remedy: {
          summary: 'Enable the key again (a key pending deletion must have its deletion cancelled first), or re-encrypt the destination with an enabled key.',
          commands: [
            ...(meta.KeyState === 'PendingDeletion' ? [cancelKeyDeletion({ keyId: keyArn, region: arnRegionOr(keyArn, regionOf(snapshot)) })] : []),
            enableKey({ keyId: keyArn, region: arnRegionOr(keyArn, regionOf(snapshot)) }),
          ],
        },
        resources,
      };
    }
    const grants = judgeGroup(snapshot, 'destination-kms');
    if (!grants.simulated) return notSimulated();
    if (grants.denied.length) {
      const crossAccount = arnAccount(keyArn) && arnAccount(keyArn) !== arnAccount(snapshot.esm.FunctionArn);
      return {
        status: 'fail',
        title: 'The execution role may not use the on-failure destination\'s KMS key',
        detail:
          `${destination} is encrypted with the customer managed key ${keyArn}. The IAM simulation denies: ${deniedLines(grants.denied)}. ` +
          `Lambda sends failed batches as the execution role, so ${service.toUpperCase()} rejects them and they are lost.` +
          (crossAccount ? ' The key is in another account: its key policy must also allow the role (and kms:DescribeKey, kms:ReEncrypt*).' : ''),
        remedy: grantRemedy(snapshot, grants.denied, 'esm-on-failure-destination-kms', `Lambda encrypts failed batches for ${destination} with this key (kafka-on-failure).`),
        resources,
      };
    }
    if (grants.unsimulated.length) {
      return warn('The role\'s permission on the destination\'s KMS key was not simulated', `No simulation answer for: ${deniedLines(grants.unsimulated)}.`, undefined, {
        remedy: { summary: 'Collect the snapshot again (esm-doctor collect) so the simulation covers the destination key.' },
        resources,
      });
    }
    return pass(`${destination} is encrypted with the customer managed key ${keyArn} (${meta.KeyState ?? 'state unknown'}); the role may kms:Decrypt and kms:GenerateDataKey on it.`, { resources });
  },
};

function arnRegionOr(arn: string, fallback: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[3] || fallback : fallback;
}

export const checks: Check[] = [destinationKafkaTopic, destinationKms];
