/** Secrets Manager / KMS: the secrets an ESM reads and the format facts derived from them in memory. */
import { z } from 'zod';
import { fact } from './fact';
import { fields, optionalStrings, strings } from '../fields';

export const SecretDescription = z.looseObject({
  ...strings('ARN', 'Name'),
  ...optionalStrings('KmsKeyId', 'DeletedDate', 'PrimaryRegion'),
});
export type SecretDescription = z.infer<typeof SecretDescription>;

export const KeyMetadata = z.looseObject({
  KeyId: z.string(),
  ...optionalStrings('Arn', 'KeyManager', 'KeyState', 'KeySpec', 'KeyUsage'),
});
export type KeyMetadata = z.infer<typeof KeyMetadata>;

export const PemCertificateFacts = z.object({
  /** Number of BEGIN CERTIFICATE blocks. */
  blocks: z.number(),
  /** Every block parsed as X.509. */
  parses: z.boolean(),
  ...optionalStrings('firstSubject', 'firstIssuer', 'firstNotAfter'),
});

export const PrivateKeyFacts = z.object({
  /** The PEM label: "PRIVATE KEY" (PKCS#8), "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY" (PKCS#1), ... or "none". */
  pemLabel: z.string(),
  /** For encrypted PKCS#8: PBES1 (what Lambda accepts) or PBES2 (OpenSSL 3's default, which Lambda rejects). */
  encryptionScheme: z.enum(['PBES1', 'PBES2', 'unknown']).optional(),
  passwordGiven: z.boolean(),
});

/**
 * What --inspect-secrets learns from a secret value, in memory. Only shapes and booleans: the value,
 * the username and the password never leave the collector.
 */
export const SecretFormatFacts = z.object({
  json: z.boolean(),
  keys: z.array(z.string()),
  ...fields(z.boolean().optional(), 'usernamePresent', 'passwordPresent'),
  /** The password holds \, / or " — characters known to break the Kafka source (aws-cdk#22813). */
  passwordHasRiskyCharacters: z.boolean().optional(),
  certificate: PemCertificateFacts.optional(),
  privateKey: PrivateKeyFacts.optional(),
});
export type SecretFormatFacts = z.infer<typeof SecretFormatFacts>;

export const SecretFacts = z.object({
  /** The SourceAccessConfiguration Type that names it (SASL_SCRAM_512_AUTH, CLIENT_CERTIFICATE_TLS_AUTH, ...). */
  type: z.string(),
  arn: z.string(),
  describe: fact(SecretDescription),
  /** DescribeKey of the secret's KmsKeyId; absent when the secret uses the default aws/secretsmanager key. */
  kmsKey: fact(KeyMetadata).optional(),
  /** Only with --inspect-secrets. */
  format: fact(SecretFormatFacts).optional(),
});
export type SecretFacts = z.infer<typeof SecretFacts>;
