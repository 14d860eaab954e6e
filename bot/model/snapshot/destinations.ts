/** Glue schema registry and on-failure destinations. */
import { z } from 'zod';
import { fact } from './fact';
import { optionalStrings } from '../fields';
import { KeyMetadata } from './secrets';

/** glue:GetRegistry output. */
export const GlueRegistry = z.looseObject(optionalStrings('RegistryName', 'RegistryArn', 'Status'));
export type GlueRegistry = z.infer<typeof GlueRegistry>;

/**
 * The encryption of an SQS or SNS on-failure destination: its KmsMasterKeyId attribute (absent when
 * the queue or topic is not encrypted with KMS) and, for a key that is not AWS managed, its DescribeKey.
 * For an S3 bucket, KmsMasterKeyId is the default rule's KMSMasterKeyID, with its SSEAlgorithm
 * (AES256, aws:kms, aws:kms:dsse) and BucketKeyEnabled as GetBucketEncryption returns them.
 */
export const DestinationEncryption = z.object({
  KmsMasterKeyId: z.string().optional(),
  SSEAlgorithm: z.string().optional(),
  BucketKeyEnabled: z.boolean().optional(),
  key: fact(KeyMetadata.pick({ KeyId: true, Arn: true, KeyManager: true, KeyState: true })).optional(),
});
export type DestinationEncryption = z.infer<typeof DestinationEncryption>;
