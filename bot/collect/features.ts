/**
 * Reads for the ESM features Lambda added since 2024: the Glue schema registry of a provisioned-mode
 * ESM (glue:GetRegistry) and the KMS key of an SQS or SNS on-failure destination
 * (sqs:GetQueueAttributes / sns:GetTopicAttributes, then kms:DescribeKey). Each becomes a Fact; a
 * client the caller did not provide means the fact is simply not collected.
 */
import { GetRegistryCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DestinationEncryption, GlueRegistry, type Fact } from '../model/snapshot';
import { readFact } from './fact';
import { readKey } from './secrets';

/** glue:GetRegistry of a registry ARN (arn:aws:glue:<region>:<account>:registry/<name>). */
export function readGlueRegistry(client: GlueClient, registryArn: string): Promise<Fact<GlueRegistry>> {
  return readFact('glue:GetRegistry', GlueRegistry, async () => {
    const out = await client.send(new GetRegistryCommand({ RegistryId: { RegistryArn: registryArn } }));
    return out ?? {};
  });
}

/** The AWS managed keys (alias/aws/sqs, alias/aws/sns) need no grant on the execution role. */
function isAwsManagedAlias(keyId: string): boolean {
  return /(^|:)alias\/aws\//.test(keyId);
}

async function withKey(kms: KMSClient, keyId: string | undefined): Promise<DestinationEncryption> {
  if (!keyId) return {};
  if (isAwsManagedAlias(keyId)) return { KmsMasterKeyId: keyId };
  return { KmsMasterKeyId: keyId, key: await readKey(kms, keyId) };
}

/** KmsMasterKeyId of an SQS queue, by ARN (arn:aws:sqs:<region>:<account>:<name>). */
export function readQueueEncryption(sqs: SQSClient, kms: KMSClient, queueArn: string): Promise<Fact<DestinationEncryption>> {
  const [, , , , account, name] = queueArn.split(':');
  return readFact('sqs:GetQueueAttributes', DestinationEncryption, async () => {
    const url = await sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url.QueueUrl, AttributeNames: ['KmsMasterKeyId'] }));
    return withKey(kms, out.Attributes?.KmsMasterKeyId);
  });
}

/** KmsMasterKeyId of an SNS topic. */
export function readTopicEncryption(sns: SNSClient, kms: KMSClient, topicArn: string): Promise<Fact<DestinationEncryption>> {
  return readFact('sns:GetTopicAttributes', DestinationEncryption, async () => {
    const out = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    return withKey(kms, out.Attributes?.KmsMasterKeyId);
  });
}
