/** Glue schema registry and on-failure destinations. */
import { z } from 'zod';
import { fact } from './fact';

/** glue:GetRegistry output. */
export const GlueRegistry = z.looseObject({
  RegistryName: z.string().optional(),
  RegistryArn: z.string().optional(),
  Status: z.string().optional(),
});
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
  key: fact(z.looseObject({ KeyId: z.string(), Arn: z.string().optional(), KeyManager: z.string().optional(), KeyState: z.string().optional() })).optional(),
});
export type DestinationEncryption = z.infer<typeof DestinationEncryption>;
