import { couldNotRead, pass, skip, warn, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { deniedLines, grantRemedy, judgeGroup } from '../lib/grants';
import { arnAccount, regionOf } from '../lib/resources';
import { cancelKeyDeletion, enableKey } from '../lib/commands';
import { notSimulated } from './lib';

/** The call that reads each destination kind's encryption. */
const READ_ACTION: Record<string, string> = { sqs: 'sqs:GetQueueAttributes', sns: 'sns:GetTopicAttributes', s3: 's3:GetEncryptionConfiguration' };

/**
 * kafka-on-failure ("if you configured a KMS key on your destination"): with the destination's own
 * customer managed key, the execution role needs kms:Decrypt and kms:GenerateDataKey on it for SQS and
 * SNS, kms:GenerateDataKey for S3 (the bucket's default SSE-KMS key, read with GetBucketEncryption).
 * A key in another account must also trust the role in its key policy. AWS managed keys (aws/sqs,
 * aws/sns, aws/s3) and SSE-S3 (AES256) need no grant.
 */
export const destinationKms = defineCheck({
  id: 'destination.kms',
  step: 9,
  title: 'The execution role may use the on-failure destination\'s KMS key',
  docs: AWS_DOCS.onFailure,
  explains: ['destination'],
  run(snapshot): Outcome {
    const destination = snapshot.esm.DestinationConfig?.OnFailure?.Destination;
    const service = destination?.split(':')[2];
    if (!destination || !service || !(service in READ_ACTION)) return skip('The ESM has no SQS, SNS or S3 on-failure destination.');
    const kind = service.toUpperCase();
    const f = snapshot.destinationEncryption;
    if (!f) return skip(`The encryption of ${destination} was not collected (${READ_ACTION[service]}).`);
    if (!f.ok) return couldNotRead(`the encryption of the on-failure ${kind} destination`, f);
    const keyId = f.value.KmsMasterKeyId;
    const resources = [destination];
    if (!keyId) {
      return pass(
        service === 's3'
          ? `${destination}'s default encryption is ${f.value.SSEAlgorithm === 'AES256' ? 'SSE-S3 (AES256)' : 'not SSE-KMS'}: S3 manages the key, so the role needs no KMS permission to write to it.`
          : `${destination} has no KmsMasterKeyId: it is not encrypted with a KMS key, so the role needs no KMS permission to send to it.`,
        { resources },
      );
    }
    const key = f.value.key;
    if (!key) return pass(`${destination} is encrypted with the AWS managed key ${keyId}, whose key policy lets ${kind} use it for callers of this account.`, { resources });
    if (!key.ok) return couldNotRead(`the KMS key ${keyId} of the on-failure destination`, key);
    const meta = key.value;
    const keyArn = meta.Arn ?? keyId;
    resources.push(keyArn);
    if (meta.KeyManager === 'AWS') return pass(`${destination} is encrypted with an AWS managed key (${keyArn}).`, { resources });
    if (meta.KeyState && meta.KeyState !== 'Enabled') {
      return {
        status: 'fail',
        title: `The on-failure destination's KMS key is ${meta.KeyState}`,
        detail: `${destination} is encrypted with the customer managed key ${keyArn}, whose KeyState is ${meta.KeyState}: ${kind} refuses every ${service === 's3' ? 'object' : 'message'} it cannot encrypt, so failed batches are lost.`,
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
          `Lambda sends failed batches as the execution role, so ${kind} rejects them and they are lost.` +
          (crossAccount
            ? service === 's3'
              ? ' The key is in another account: its key policy must also allow the role kms:GenerateDataKey.'
              : ' The key is in another account: its key policy must also allow the role (and kms:DescribeKey, kms:ReEncrypt*).'
            : ''),
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
    const allowed = [...new Set(grants.requirements.map((r) => r.action))].join(' and ') || 'use';
    return pass(
      `${destination} is encrypted with the customer managed key ${keyArn} (${meta.KeyState ?? 'state unknown'}); the role may ${allowed} on it.` +
        (service === 's3' && f.value.BucketKeyEnabled ? BUCKET_KEY_NOTE : ''),
      { resources },
    );
  },
});

/**
 * bucket-key.html: with an S3 Bucket Key the encryption context is the bucket's ARN, not the object's;
 * a key policy or grant conditioned on object ARNs (kms:EncryptionContext:aws:s3:arn) stops matching.
 */
const BUCKET_KEY_NOTE =
  ' The bucket uses an S3 Bucket Key: KMS sees the bucket ARN as the encryption context, so a key policy condition on kms:EncryptionContext:aws:s3:arn must name the bucket, not its objects (the IAM simulation does not evaluate it).';

function arnRegionOr(arn: string, fallback: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[3] || fallback : fallback;
}
