/** Secrets Manager and KMS: the secret an ESM reads and the key that encrypts it. */
import { aws, type ShellVariable } from './aws';

/** A new secret from a local JSON file; the command prints the new ARN (assign it to use it next). */
export function createSecret(o: { name: string; kmsKeyId: string | ShellVariable; file: string; region: string }): string {
  return aws('secretsmanager', 'create-secret', [
    ['name', o.name],
    ['kms-key-id', o.kmsKeyId],
    ['secret-string', `file://${o.file}`],
    ['query', 'ARN'],
    ['output', 'text'],
  ], o.region);
}

export function replicateSecret(o: { secretId: string; toRegion: string; region: string }): string {
  return aws('secretsmanager', 'replicate-secret-to-regions', [['secret-id', o.secretId], ['add-replica-regions', `Region=${o.toRegion}`]], o.region);
}

export function restoreSecret(o: { secretId: string; region: string }): string {
  return aws('secretsmanager', 'restore-secret', [['secret-id', o.secretId]], o.region);
}

export function describeSecret(o: { secretId: string; region: string }): string {
  return aws('secretsmanager', 'describe-secret', [['secret-id', o.secretId]], o.region);
}

export function setSecretKey(o: { secretId: string; kmsKeyId: string | ShellVariable; region: string }): string {
  return aws('secretsmanager', 'update-secret', [['secret-id', o.secretId], ['kms-key-id', o.kmsKeyId]], o.region);
}

export function randomPassword(o: { length: number; region: string }): string {
  return aws('secretsmanager', 'get-random-password', [['password-length', o.length], ['exclude-punctuation', true]], o.region);
}

export function cancelKeyDeletion(o: { keyId: string; region: string }): string {
  return aws('kms', 'cancel-key-deletion', [['key-id', o.keyId]], o.region);
}

export function enableKey(o: { keyId: string; region: string }): string {
  return aws('kms', 'enable-key', [['key-id', o.keyId]], o.region);
}
