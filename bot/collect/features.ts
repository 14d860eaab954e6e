/**
 * Reads for the ESM features Lambda added since 2024: the Glue schema registry of a provisioned-mode
 * ESM (glue:GetRegistry) and the KMS key of an SQS or SNS on-failure destination
 * (sqs:GetQueueAttributes / sns:GetTopicAttributes, then kms:DescribeKey) or of an S3 one
 * (s3:GetEncryptionConfiguration, then kms:DescribeKey). Each becomes a Fact; a
 * client the caller did not provide means the fact is simply not collected.
 */
import { GetRegistryCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';
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

/** The AWS managed keys (alias/aws/sqs, alias/aws/sns, alias/aws/s3) need no grant on the execution role. */
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

/**
 * The default encryption of an S3 bucket, by ARN (arn:aws:s3:::<name>): the first rule's algorithm and
 * KMSMasterKeyID (GetBucketEncryption). aws:kms without a KMSMasterKeyID is the AWS managed key aws/s3;
 * AES256 (SSE-S3) uses no KMS key. A bucket with no configuration (ServerSideEncryptionConfigurationNotFoundError,
 * from before S3 encrypted every bucket by default in 2023, or an emulator) uses no KMS key either.
 */
export function readBucketEncryption(s3: S3Client, kms: KMSClient, bucketArn: string): Promise<Fact<DestinationEncryption>> {
  const bucket = bucketArn.split(':').slice(5).join(':');
  return readFact('s3:GetEncryptionConfiguration', DestinationEncryption, async () => {
    let rules;
    try {
      rules = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules ?? [];
    } catch (err) {
      if ((err as { name?: string }).name === 'ServerSideEncryptionConfigurationNotFoundError') return {};
      throw err;
    }
    const rule = rules.find((r) => r.ApplyServerSideEncryptionByDefault) ?? rules[0];
    const sse = rule?.ApplyServerSideEncryptionByDefault;
    const algorithm = sse?.SSEAlgorithm;
    const base = { ...(algorithm ? { SSEAlgorithm: algorithm } : {}), ...(rule?.BucketKeyEnabled !== undefined ? { BucketKeyEnabled: rule.BucketKeyEnabled } : {}) };
    if (!algorithm?.startsWith('aws:kms')) return base;
    // S3 uses alias/aws/s3 when the rule names no key.
    return { ...base, ...(await withKey(kms, sse?.KMSMasterKeyID ?? 'alias/aws/s3')) };
  });
}
