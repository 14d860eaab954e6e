import { sameSecret, secretFormat, secretMskScram, secretReadable, checks as secretChecks } from '../../../bot/checks/secrets';
import type { EvaluationResult, SecretFacts, SecretFormatFacts, Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_ARN, SM_KEY_ARN, SM_SECRET_ARN, SM_UUID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { ORDERS_CONSUMER_ROLE, simulateRole, withGrant } from '../../../scenarios/roles';

const MSK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-consumer-Xy12Ab';
const MTLS_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/mtls-client-Qw34Er';
const CMK = 'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4321-9876-0fedcba98765';

function secret(snap: Snapshot): SecretFacts {
  return snap.secrets[0]!;
}

function results(snap: Snapshot): EvaluationResult[] {
  if (!snap.permissions?.ok) throw new Error('no simulation');
  return snap.permissions.value;
}

function deny(snap: Snapshot, action: string): Snapshot {
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: results(snap).map((r) => (r.EvalActionName === action ? { ...r, EvalDecision: 'implicitDeny' } : r)) };
  return snap;
}

/** The self-managed baseline with its secret moved to another ARN (and the ESM pointing at it). */
function selfManagedWithSecretArn(arn: string): Snapshot {
  const snap = selfManagedScramHealthy();
  snap.esm.SourceAccessConfigurations = snap.esm.SourceAccessConfigurations!.map((c) => (c.Type === 'SASL_SCRAM_512_AUTH' ? { ...c, URI: arn } : c));
  const s = secret(snap);
  snap.secrets = [{ ...s, arn, describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: arn, Name: 'kafka/clickstream/scram', KmsKeyId: SM_KEY_ARN } } }];
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(snap) };
  return snap;
}

/** An MSK ESM using SASL/SCRAM with a correct AmazonMSK_ secret, associated and encrypted with a CMK. */
function mskScramHealthy(): Snapshot {
  const snap = mskIamHealthy();
  snap.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: MSK_SECRET_ARN }];
  if (snap.cluster?.ok) snap.cluster.value.Provisioned!.ClientAuthentication = { Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } }, Tls: { Enabled: false }, Unauthenticated: { Enabled: false } };
  snap.bootstrapBrokers = { ok: true, source: 'kafka:GetBootstrapBrokers', value: { BootstrapBrokerStringSaslScram: 'b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9096,b-2.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9096' } };
  snap.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [MSK_SECRET_ARN] } };
  snap.secrets = [
    {
      type: 'SASL_SCRAM_512_AUTH',
      arn: MSK_SECRET_ARN,
      describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: MSK_SECRET_ARN, Name: 'AmazonMSK_orders-consumer', KmsKeyId: CMK } },
      kmsKey: { ok: true, source: 'kms:DescribeKey', value: { KeyId: '9f8e7d6c-5b4a-4321-9876-0fedcba98765', Arn: CMK, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' } },
    },
  ];
  // The role reads the secret and decrypts it, and Lambda may check the association.
  const role = withGrant(withGrant(withGrant(ORDERS_CONSUMER_ROLE, 'secretsmanager:GetSecretValue', MSK_SECRET_ARN), 'kms:Decrypt', CMK), 'kafka:ListScramSecrets', CLUSTER_ARN);
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(snap, role) };
  return snap;
}

/** An MSK ESM with an mTLS client-certificate secret. */
function mskMtls(): Snapshot {
  const snap = mskIamHealthy();
  snap.esm.SourceAccessConfigurations = [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: MTLS_SECRET_ARN }];
  snap.secrets = [
    {
      type: 'CLIENT_CERTIFICATE_TLS_AUTH',
      arn: MTLS_SECRET_ARN,
      describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: MTLS_SECRET_ARN, Name: 'orders/mtls-client' } },
    },
  ];
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(snap) };
  return snap;
}

function inspected(snap: Snapshot, format: SecretFormatFacts): Snapshot {
  snap.options = { inspectSecrets: true };
  snap.secrets = snap.secrets.map((s, i) => (i === 0 ? { ...s, format: { ok: true, source: 'secretsmanager:GetSecretValue', value: format } } : s));
  return snap;
}

const GOOD_SCRAM: SecretFormatFacts = { json: true, keys: ['username', 'password'], usernamePresent: true, passwordPresent: true, passwordHasRiskyCharacters: false };
const GOOD_CERT = { blocks: 2, parses: true, firstSubject: 'CN=orders-consumer', firstIssuer: 'CN=Orders PCA', firstNotAfter: '2027-06-01T00:00:00.000Z' };
const GOOD_MTLS: SecretFormatFacts = { json: true, keys: ['certificate', 'privateKey'], certificate: GOOD_CERT, privateKey: { pemLabel: 'PRIVATE KEY', passwordGiven: false } };

describe('secret.readable', () => {
  it('skips when the ESM uses no secret', () => {
    const out = secretReadable.run(mskIamHealthy());
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('no Secrets Manager secret');
  });

  it('passes when the secret exists in the ESM region and the role may read and decrypt it, noting the key policy', () => {
    const out = secretReadable.run(selfManagedScramHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain(SM_SECRET_ARN);
    expect(out.detail).toContain('key policy');
  });

  it('fails when the secret does not exist', () => {
    const snap = selfManagedScramHealthy();
    snap.secrets[0]!.describe = { ok: false, source: 'secretsmanager:DescribeSecret', error: { code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", action: 'secretsmanager:DescribeSecret' } };
    delete snap.secrets[0]!.kmsKey;
    const out = secretReadable.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('does not exist');
    expect(out.detail).toContain(SM_SECRET_ARN);
    expect(out.resources).toContain(SM_SECRET_ARN);
    // The right secret's ARN is the reader's to give: prose, not a command with a placeholder.
    expect(out.remedy).toEqual({ summary: expect.stringContaining('update-event-source-mapping --source-access-configurations') });
    expect(out.fix).not.toMatch(/<[^>]+>/);

  });

  it('fails when the secret is scheduled for deletion, and gives the restore command', () => {
    const snap = selfManagedScramHealthy();
    const d = secret(snap).describe;
    if (d.ok) d.value.DeletedDate = '2026-11-19T12:00:00.000Z';
    const out = secretReadable.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('scheduled for deletion');
    expect(out.remedy?.commands).toEqual([`aws secretsmanager restore-secret --secret-id ${SM_SECRET_ARN} --region eu-west-1`]);
  });

  it('fails when the self-managed secret is in another region than the function', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka/clickstream/scram-Ab12Cd';
    const out = secretReadable.run(selfManagedWithSecretArn(arn));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('us-east-1');
    expect(out.fix).toContain(`aws secretsmanager replicate-secret-to-regions --secret-id ${arn} --add-replica-regions Region=eu-west-1 --region us-east-1`);
    expect(out.fix).toContain('arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/clickstream/scram-Ab12Cd');
  });

  it('fails when the role is denied secretsmanager:GetSecretValue, with the statement to add', () => {
    const out = secretReadable.run(deny(selfManagedScramHealthy(), 'secretsmanager:GetSecretValue'));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(`secretsmanager:GetSecretValue on ${SM_SECRET_ARN}`);
    expect(out.fix).toContain('"Action": "secretsmanager:GetSecretValue"');
    expect(out.fix).toContain(`"Resource": "${SM_SECRET_ARN}"`);
    expect(out.fix).toContain('aws iam put-role-policy --role-name clickstream-ingest-role');
  });

  it('fails when the role is denied kms:Decrypt on the customer managed key, and mentions the key policy', () => {
    const out = secretReadable.run(deny(selfManagedScramHealthy(), 'kms:Decrypt'));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(`kms:Decrypt on ${SM_KEY_ARN}`);
    expect(out.fix).toContain('key policy');
    expect(out.resources).toContain(SM_KEY_ARN);
  });

  it('fails when the KMS key is disabled', () => {
    const snap = selfManagedScramHealthy();
    const k = secret(snap).kmsKey!;
    if (k.ok) k.value.KeyState = 'Disabled';
    const out = secretReadable.run(snap);
    expect(out.status).toBe('fail');
    expect(out.fix).toContain(`aws kms enable-key --key-id ${SM_KEY_ARN} --region eu-west-1`);
  });

  it('fails when the KMS key is pending deletion, and cancels the deletion first', () => {
    const snap = selfManagedScramHealthy();
    const k = secret(snap).kmsKey!;
    if (k.ok) k.value.KeyState = 'PendingDeletion';
    const out = secretReadable.run(snap);
    expect(out.status).toBe('fail');
    expect(out.fix).toContain(`aws kms cancel-key-deletion --key-id ${SM_KEY_ARN}`);
  });

  it('warns when the secret permissions were not simulated', () => {
    const snap = selfManagedScramHealthy();
    snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: results(snap).filter((r) => r.EvalActionName !== 'secretsmanager:GetSecretValue') };
    const out = secretReadable.run(snap);
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('secretsmanager:GetSecretValue');
  });

  it('reports an error when DescribeSecret was denied to esm-doctor', () => {
    const snap = selfManagedScramHealthy();
    secret(snap).describe = { ok: false, source: 'secretsmanager:DescribeSecret', error: { code: 'AccessDeniedException', message: 'not authorized', action: 'secretsmanager:DescribeSecret' } };
    const out = secretReadable.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('secretsmanager:DescribeSecret');
  });

  it('reports an error when the simulation failed', () => {
    const snap = selfManagedScramHealthy();
    snap.permissions = { ok: false, source: 'iam:SimulatePrincipalPolicy', error: { code: 'AccessDenied', message: 'denied', action: 'iam:SimulatePrincipalPolicy' } };
    const out = secretReadable.run(snap);
    expect(out.status).toBe('error');
    expect(out.detail).toContain('iam:SimulatePrincipalPolicy');
  });
});

describe('secret.format', () => {
  it('skips without --inspect-secrets, saying how to enable it', () => {
    const out = secretFormat.run(selfManagedScramHealthy());
    expect(out.status).toBe('skip');
    expect(out.detail).toContain(`esm-doctor diagnose ${SM_UUID} --inspect-secrets`);
  });

  it('skips when the ESM uses no secret', () => {
    expect(secretFormat.run(mskIamHealthy()).status).toBe('skip');
  });

  it('passes a SCRAM secret with username and password', () => {
    const out = secretFormat.run(inspected(selfManagedScramHealthy(), GOOD_SCRAM));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('username and password');
  });

  it('fails a SCRAM secret without a password key, listing the keys but no values', () => {
    const out = secretFormat.run(inspected(selfManagedScramHealthy(), { json: true, keys: ['username', 'pass'], usernamePresent: true, passwordPresent: false }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('password');
    expect(out.detail).toContain('[username, pass]');
    expect(out.fix).toContain('{"username":"…","password":"…"}');
  });

  it('fails a secret that is not JSON', () => {
    const out = secretFormat.run(inspected(selfManagedScramHealthy(), { json: false, keys: [] }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('not JSON');
  });

  it('warns when the SCRAM password holds \\, / or "', () => {
    const out = secretFormat.run(inspected(selfManagedScramHealthy(), { ...GOOD_SCRAM, passwordHasRiskyCharacters: true }));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('aws-cdk#22813');
    expect(out.fix).toContain('--exclude-punctuation');
  });

  it('passes an mTLS secret with a PEM chain and a PKCS#8 key', () => {
    expect(secretFormat.run(inspected(mskMtls(), GOOD_MTLS)).status).toBe('pass');
  });

  it('fails a PKCS#1 RSA key and gives the openssl pkcs8 -topk8 -nocrypt command', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, privateKey: { pemLabel: 'RSA PRIVATE KEY', passwordGiven: false } }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('PKCS#1');
    expect(out.fix).toContain('openssl pkcs8 -topk8 -nocrypt -in client.key -out client-pkcs8.key');
    expect(out.resources).toEqual([MTLS_SECRET_ARN]);
  });

  it('fails an encrypted key using PBES2 and gives the PBES1 conversion', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, keys: ['certificate', 'privateKey', 'privateKeyPassword'], privateKey: { pemLabel: 'ENCRYPTED PRIVATE KEY', encryptionScheme: 'PBES2', passwordGiven: true } }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('PBES2');
    expect(out.fix).toContain('openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES');
  });

  it('passes an encrypted PBES1 key with its password', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, keys: ['certificate', 'privateKey', 'privateKeyPassword'], privateKey: { pemLabel: 'ENCRYPTED PRIVATE KEY', encryptionScheme: 'PBES1', passwordGiven: true } }));
    expect(out.status).toBe('pass');
  });

  it('fails an encrypted key without privateKeyPassword', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, privateKey: { pemLabel: 'ENCRYPTED PRIVATE KEY', encryptionScheme: 'PBES1', passwordGiven: false } }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('no password');
  });

  it('fails a certificate that is not PEM', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, certificate: { blocks: 0, parses: false } }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('not PEM');
  });

  it('fails a certificate that does not parse as X.509', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, certificate: { blocks: 1, parses: false } }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('X.509');
  });

  it('fails an expired client certificate', () => {
    const out = secretFormat.run(inspected(mskMtls(), { ...GOOD_MTLS, certificate: { ...GOOD_CERT, firstNotAfter: '2026-01-01T00:00:00.000Z' } }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('expired on 2026-01-01');
  });

  it('fails an mTLS secret without privateKey', () => {
    const out = secretFormat.run(inspected(mskMtls(), { json: true, keys: ['certificate'], certificate: GOOD_CERT, privateKey: { pemLabel: 'none', passwordGiven: false } }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('privateKey');
  });

  it('fails a root CA secret without certificate', () => {
    const snap = selfManagedScramHealthy();
    const ca = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/root-ca-Zx98Yw';
    snap.esm.SourceAccessConfigurations = [{ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: ca }];
    snap.secrets = [{ type: 'SERVER_ROOT_CA_CERTIFICATE', arn: ca, describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: ca, Name: 'kafka/root-ca' } } }];
    const out = secretFormat.run(inspected(snap, { json: true, keys: ['cert'], certificate: { blocks: 0, parses: false } }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('certificate');
    expect(out.fix).toContain('{"certificate":"-----BEGIN CERTIFICATE-----');
  });

  it('skips when --inspect-secrets was given but the snapshot holds no format facts', () => {
    const snap = selfManagedScramHealthy();
    snap.options = { inspectSecrets: true };
    const out = secretFormat.run(snap);
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('--inspect-secrets');
  });

  it('reports an error when the secret could not be read for inspection', () => {
    const snap = selfManagedScramHealthy();
    snap.options = { inspectSecrets: true };
    snap.secrets[0] = { ...secret(snap), format: { ok: false, source: 'secretsmanager:GetSecretValue', error: { code: 'AccessDeniedException', message: 'not authorized', action: 'secretsmanager:GetSecretValue' } } };
    const out = secretFormat.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('secretsmanager:GetSecretValue');
  });
});

describe('secret.msk-scram', () => {
  it('skips for self-managed Kafka', () => {
    expect(secretMskScram.run(selfManagedScramHealthy()).status).toBe('skip');
  });

  it('skips for an MSK ESM without a SCRAM secret', () => {
    const out = secretMskScram.run(mskIamHealthy());
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('IAM');
  });

  it('passes an associated AmazonMSK_ secret encrypted with a customer managed key', () => {
    const out = secretMskScram.run(mskScramHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain(`associated with ${CLUSTER_ARN}`);
  });

  it('skips, pointing at auth.mode, when SASL/SCRAM is off on the cluster (no secret can be associated then)', () => {
    const snap = mskScramHealthy();
    const cluster = snap.cluster!;
    if (cluster.ok) cluster.value.Provisioned!.ClientAuthentication!.Sasl = { Scram: { Enabled: false }, Iam: { Enabled: true } };
    snap.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } };
    const out = secretMskScram.run(snap);
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('auth.mode');
  });

  it('fails when the SCRAM secret is not associated with the cluster', () => {
    const snap = mskScramHealthy();
    snap.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } };
    const out = secretMskScram.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('not associated');
    expect(out.resources).toEqual([MSK_SECRET_ARN, CLUSTER_ARN]);
    expect(out.remedy?.commands).toEqual([`aws kafka batch-associate-scram-secret --cluster-arn ${CLUSTER_ARN} --secret-arn-list ${MSK_SECRET_ARN} --region eu-west-1`]);
  });

  it('treats a partial secret ARN on the ESM as the associated full ARN', () => {
    const snap = mskScramHealthy();
    const partial = MSK_SECRET_ARN.replace(/-Xy12Ab$/, '');
    snap.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: partial }];
    snap.secrets[0] = { ...secret(snap), arn: partial };
    expect(sameSecret(partial, MSK_SECRET_ARN)).toBe(true);
    expect(secretMskScram.run(snap).status).toBe('pass');
  });

  it('fails when the secret name does not start with AmazonMSK_', () => {
    const snap = mskScramHealthy();
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/scram-Xy12Ab';
    snap.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: arn }];
    snap.secrets[0] = { ...secret(snap), arn, describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: arn, Name: 'orders/scram', KmsKeyId: CMK } } };
    snap.scramSecrets = { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [arn] } };
    const out = secretMskScram.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('AmazonMSK_');
    expect(out.detail).toContain('"orders/scram"');
    expect(out.fix).toContain('aws secretsmanager create-secret --name AmazonMSK_orders_scram');
  });

  it('fails when the secret has no KmsKeyId (the default aws/secretsmanager key)', () => {
    const snap = mskScramHealthy();
    snap.secrets[0] = { ...secret(snap), describe: { ok: true, source: 'secretsmanager:DescribeSecret', value: { ARN: MSK_SECRET_ARN, Name: 'AmazonMSK_orders-consumer' } } };
    delete snap.secrets[0].kmsKey;
    const out = secretMskScram.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('default aws/secretsmanager key');
    expect(out.remedy?.commands).toContain(`aws secretsmanager update-secret --secret-id ${MSK_SECRET_ARN} --kms-key-id "$KMS_KEY_ARN" --region eu-west-1`);
  });

  it('fails when the key is AWS managed (KeyManager AWS)', () => {
    const snap = mskScramHealthy();
    const k = secret(snap).kmsKey!;
    if (k.ok) k.value.KeyManager = 'AWS';
    expect(secretMskScram.run(snap).status).toBe('fail');
  });

  it('reports an error when ListScramSecrets failed', () => {
    const snap = mskScramHealthy();
    snap.scramSecrets = { ok: false, source: 'kafka:ListScramSecrets', error: { code: 'ForbiddenException', message: 'not authorized', action: 'kafka:ListScramSecrets' } };
    const out = secretMskScram.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('kafka:ListScramSecrets');
  });
});

describe('secret checks on the healthy baselines', () => {
  it.each([['MSK IAM', mskIamHealthy()], ['self-managed SCRAM', selfManagedScramHealthy()]])('pass or skip with a reason on %s', (_name, snap) => {
    for (const check of secretChecks) {
      const out = check.run(snap);
      expect(['pass', 'skip']).toContain(out.status);
      expect(out.detail.length).toBeGreaterThan(20);
    }
  });

  it('pass on an MSK SCRAM ESM', () => {
    const snap = inspected(mskScramHealthy(), GOOD_SCRAM);
    for (const check of secretChecks) expect(check.run(snap).status).toBe('pass');
  });
});
