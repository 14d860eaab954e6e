/**
 * Secrets Manager and KMS reads for the ESM's secrets: metadata always, the value only with
 * --inspect-secrets — and then only in memory, reduced to format facts before anything is kept.
 */
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyMetadata, SecretDescription, SecretFormatFacts, type Fact } from '../model/snapshot';
import { errorFact, okFact, readFact, toFactError } from './fact';
import { analyseSecretValue } from './secret-format';

export function readSecretDescription(client: SecretsManagerClient, secretArn: string): Promise<Fact<SecretDescription>> {
  return readFact('secretsmanager:DescribeSecret', SecretDescription, () => client.send(new DescribeSecretCommand({ SecretId: secretArn })));
}

const GET_SECRET_VALUE = 'secretsmanager:GetSecretValue';

/**
 * GetSecretValue, analysed in memory. The value never leaves this function: not in the fact, not in
 * an error message (Node's JSON.parse quotes its input in its errors, so the analysis never lets one
 * escape), not in a log.
 */
export async function readSecretFormat(client: SecretsManagerClient, type: string, secretArn: string): Promise<Fact<SecretFormatFacts>> {
  let secretString: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    // Lambda reads SecretString; a binary-only secret is analysed as an empty (non-JSON) value.
    secretString = out?.SecretString;
  } catch (err) {
    return errorFact(GET_SECRET_VALUE, toFactError(err, GET_SECRET_VALUE));
  }
  try {
    return okFact(GET_SECRET_VALUE, SecretFormatFacts.parse(analyseSecretValue(type, secretString ?? '')));
  } catch {
    return errorFact(GET_SECRET_VALUE, { code: 'SecretFormatUnreadable', message: `the value of ${secretArn} could not be analysed`, action: GET_SECRET_VALUE });
  } finally {
    secretString = undefined;
  }
}

export function readKey(client: KMSClient, keyId: string): Promise<Fact<KeyMetadata>> {
  return readFact('kms:DescribeKey', KeyMetadata, async () => (await client.send(new DescribeKeyCommand({ KeyId: keyId })))?.KeyMetadata);
}

/** How IAM names the key of a secret's `KmsKeyId`, for simulating kms:Decrypt. */
export type SecretKeyRef =
  /** The key ARN, known without asking KMS. */
  | { kind: 'arn'; arn: string }
  /** An alias: only DescribeKey knows the key ARN IAM evaluates. */
  | { kind: 'alias' }
  /** An AWS managed key (aws/secretsmanager): its key policy lets Secrets Manager decrypt; no kms:Decrypt to simulate. */
  | { kind: 'aws-managed' };

/**
 * DescribeSecret's KmsKeyId is a key ARN, a key id or an alias (name or ARN), as it was given when
 * the secret was created. A key id is completed with the secret's own partition, region and account
 * — a key id can only name a key there — so the simulation need not wait for DescribeKey.
 */
export function secretKeyRef(kmsKeyId: string, secretArn: string): SecretKeyRef {
  if (/^(arn:[^:]+:kms:[^:]*:\d*:)?alias\/aws\//.test(kmsKeyId)) return { kind: 'aws-managed' };
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+/.test(kmsKeyId)) return { kind: 'arn', arn: kmsKeyId };
  if (/(^|:)alias\//.test(kmsKeyId)) return { kind: 'alias' };
  const [, partition, , region, account] = secretArn.split(':');
  if (partition && region && account) return { kind: 'arn', arn: `arn:${partition}:kms:${region}:${account}:key/${kmsKeyId}` };
  return { kind: 'alias' };
}
