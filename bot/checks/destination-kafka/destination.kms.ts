import { couldNotRead, pass, skip, warn, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { deniedLines, grantRemedy, judgeGroup } from '../lib/grants';
import { arnAccount, regionOf } from '../lib/resources';
import { cancelKeyDeletion, enableKey } from '../lib/commands';
import { notSimulated } from './lib';

export const destinationKms = defineCheck({
  id: 'destination.kms',
  step: 9,
  title: 'The execution role may use the on-failure destination\'s KMS key',
  docs: AWS_DOCS.onFailure,
  explains: ['destination'],
  run(snapshot): Outcome {
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
});

function arnRegionOr(arn: string, fallback: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[3] || fallback : fallback;
}
