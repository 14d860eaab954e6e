/**
 * Step 2: the auth secret. Lambda reads it with the execution role (not the service principal), so
 * it must exist, live in the ESM's region, be decryptable by the role, hold the JSON shape Lambda
 * expects, and — for MSK SASL/SCRAM — follow MSK's own rules (AmazonMSK_ name, customer managed
 * key, associated with the cluster). Values are never read here: only DescribeSecret, DescribeKey,
 * the simulation and the format facts the collector derived in memory.
 */
import { AUTH_LABELS, accessConfigs, chooseAuth, clusterClientAuth, esmSource, secretConfigs } from '../model/esm';
import type { SecretFacts, SecretFormatFacts, Snapshot, SourceAccessConfiguration } from '../model/snapshot';
import { type Check, type Outcome, pass, skip, valueOf } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { allowPolicyFor, describeJudged, judgeRequirements, requirementsOf, roleArnOf, roleNameOf } from './lib/policy';
import { type Problem, notCollected, outcomeOf } from './lib/problems';
import { arnRegion, regionOf } from './lib/resources';
import {
  assign, batchAssociateScramSecret, cancelKeyDeletion, createSecret, describeSecret, enableKey, listScramSecrets, OPENSSL, putRolePolicy,
  randomPassword, replicateSecret, restoreSecret, setSecretKey, updateEsm, variable,
} from './lib/commands';
import { remedy } from './lib/remedy';

function authLabel(snapshot: Snapshot): string {
  const mode = chooseAuth(snapshot.esm, valueOf(snapshot.cluster)).mode;
  return mode ? AUTH_LABELS[mode] : 'undetermined';
}

function factsFor(snapshot: Snapshot, config: SourceAccessConfiguration): SecretFacts | undefined {
  return snapshot.secrets.find((s) => s.arn === config.URI);
}

/** The ESM's access configurations with one secret URI replaced: what update-event-source-mapping needs (it replaces the list). */
function withSecretReplaced(snapshot: Snapshot, oldUri: string, newUri: string): string {
  const configs = (snapshot.esm.SourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, URI: c.URI === oldUri ? newUri : c.URI }));
  return updateEsm({ uuid: snapshot.esm.UUID, sourceAccessConfigurations: configs, region: regionOf(snapshot) });
}

/** The secret name inside an ARN, without the 6-character suffix Secrets Manager appends. */
export function secretNameFromArn(arn: string): string {
  const name = arn.split(':secret:')[1] ?? arn;
  return name.replace(/-[A-Za-z0-9]{6}$/, '');
}

/** Two references to the same secret: full ARNs, or a partial ARN (no random suffix) and a full one. */
export function sameSecret(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (arn: string) => arn.replace(/-[A-Za-z0-9]{6}$/, '');
  return strip(a) === strip(b) || strip(a) === b || a === strip(b);
}

// ---------------------------------------------------------------------------------------------
// secret.readable

/** KMS key states in which Decrypt fails (KMS developer guide, key states). */
const UNUSABLE_KEY_STATES: Record<string, string> = {
  Disabled: 'is disabled',
  PendingDeletion: 'is scheduled for deletion (and disabled meanwhile)',
  PendingReplicaDeletion: 'is scheduled for deletion',
  PendingImport: 'has no key material imported',
  Unavailable: 'is unavailable (its custom key store is disconnected)',
};

export const secretReadable: Check = {
  id: 'secret.readable',
  step: 2,
  title: 'The execution role can read the ESM\'s secrets',
  docs: AWS_DOCS.mskPermissions,
  run(snapshot: Snapshot): Outcome {
    const configs = secretConfigs(snapshot.esm);
    if (!configs.length) return skip(`The ESM uses no Secrets Manager secret (auth: ${authLabel(snapshot)}).`);
    const region = regionOf(snapshot);
    const roleArn = roleArnOf(snapshot) ?? 'the execution role';
    const roleName = roleNameOf(snapshot);
    const problems: Problem[] = [];
    const fine: string[] = [];
    const notes: string[] = [];

    const simulation = snapshot.permissions;
    const requirements = requirementsOf(snapshot).filter((r) => r.group === 'secret');
    const judged = simulation?.ok ? judgeRequirements(requirements, simulation.value) : [];
    if (!simulation) {
      problems.push({
        severity: 'warn',
        title: 'The role\'s access to the secret was not simulated',
        detail: 'The snapshot has no SimulatePrincipalPolicy answer, so whether the role may call secretsmanager:GetSecretValue and kms:Decrypt is not verified.',
        fix: 'Collect the snapshot again with an identity allowed to call iam:SimulatePrincipalPolicy.',
      });
    } else if (!simulation.ok) {
      problems.push({
        severity: 'error',
        title: `Could not check the role's access to the secret (${simulation.error.code})`,
        detail: `iam:SimulatePrincipalPolicy answered ${simulation.error.code}: ${simulation.error.message}; the role's secretsmanager:GetSecretValue and kms:Decrypt are not verified.`,
        fix: 'Grant the identity running esm-doctor iam:SimulatePrincipalPolicy on the execution role, then re-run.',
      });
    }

    for (const config of configs) {
      const uri = config.URI;
      const what = `${config.Type} secret ${uri}`;
      const facts = factsFor(snapshot, config);
      const before = problems.length;

      const secretRegion = arnRegion(uri);
      if (secretRegion && secretRegion !== region) {
        const replica = uri.replace(`:${secretRegion}:`, `:${region}:`);
        problems.push({
          severity: 'fail',
          title: `The secret is in ${secretRegion}, not in the ESM's region ${region}`,
          detail: `The ${what} lives in ${secretRegion}; Lambda reads an ESM's secrets in the function's region (${region}) only.`,
          remedy: remedy(`Replicate it into ${region} and point the ESM at the replica.`, [
            replicateSecret({ secretId: uri, toRegion: region, region: secretRegion }),
            withSecretReplaced(snapshot, uri, replica),
          ]),
          resources: [uri],
        });
      }

      if (!facts) {
        problems.push({
          severity: 'error',
          title: 'The secret was not described',
          detail: `The snapshot holds no DescribeSecret answer for the ${what}.`,
          fix: 'Collect the snapshot again with an identity allowed to call secretsmanager:DescribeSecret on it.',
          resources: [uri],
        });
        continue;
      }

      if (!facts.describe.ok) {
        const e = facts.describe.error;
        if (e.code === 'ResourceNotFoundException') {
          problems.push({
            severity: 'fail',
            title: 'The ESM\'s secret does not exist',
            detail: `Secrets Manager has no ${what} (DescribeSecret: ResourceNotFoundException: ${e.message}).`,
            fix:
              'Create the secret, or point the ESM at the right one: update-event-source-mapping --source-access-configurations with the list of the ESM\'s entries, this URI replaced by the secret\'s ARN (the list replaces the whole one).',
            resources: [uri],
          });
        } else {
          problems.push({
            severity: 'error',
            title: `Could not describe the secret (${e.code})`,
            detail: `${facts.describe.source} answered ${e.code} for the ${what}: ${e.message}.`,
            fix: /AccessDenied/i.test(e.code)
              ? `Grant the identity running esm-doctor secretsmanager:DescribeSecret on ${uri} (read-only), then re-run.`
              : `Re-run; if it persists, describe the secret yourself: ${describeSecret({ secretId: uri, region: secretRegion ?? region })}`,
            resources: [uri],
          });
        }
      } else if (facts.describe.value.DeletedDate) {
        problems.push({
          severity: 'fail',
          title: 'The ESM\'s secret is scheduled for deletion',
          detail: `The ${what} was deleted on ${facts.describe.value.DeletedDate} and is waiting out its recovery window: Lambda cannot read it.`,
          remedy: remedy('Restore it (the deletion is cancelled while the recovery window lasts).', [restoreSecret({ secretId: uri, region: secretRegion ?? region })]),
          resources: [uri],
        });
      }

      const key = facts.kmsKey;
      if (key && !key.ok) {
        problems.push({
          severity: 'error',
          title: `Could not describe the secret's KMS key (${key.error.code})`,
          detail: `${key.source} answered ${key.error.code} for the key of the ${what}: ${key.error.message}.`,
          fix: `Grant the identity running esm-doctor kms:DescribeKey on ${valueOf(facts.describe)?.KmsKeyId ?? 'the key'} (read-only), then re-run.`,
          resources: [uri],
        });
      } else if (key?.ok) {
        const k = key.value;
        const keyArn = k.Arn ?? k.KeyId;
        const state = k.KeyState ?? '';
        if (UNUSABLE_KEY_STATES[state]) {
          const keyRegion = arnRegion(keyArn) ?? region;
          const fix =
            state === 'PendingDeletion'
              ? remedy('Cancel the deletion, then enable the key.', [cancelKeyDeletion({ keyId: keyArn, region: keyRegion }), enableKey({ keyId: keyArn, region: keyRegion })])
              : state === 'Disabled'
                ? remedy('Enable the key.', [enableKey({ keyId: keyArn, region: keyRegion })])
                : remedy('Make the key usable again, or re-encrypt the secret with another customer managed key (secretsmanager update-secret --kms-key-id with that key\'s ARN).');
          problems.push({
            severity: 'fail',
            title: `The secret's KMS key ${state === 'Disabled' ? 'is disabled' : `is ${state}`}`,
            detail: `The ${what} is encrypted with KMS key ${keyArn}, which ${UNUSABLE_KEY_STATES[state]} (KeyState ${state}): the secret cannot be decrypted.`,
            remedy: fix,
            resources: [uri, keyArn],
          });
        }
      }

      const described = valueOf(facts.kmsKey);
      const keyResource = described?.KeyManager === 'CUSTOMER' ? (described.Arn ?? valueOf(facts.describe)?.KmsKeyId) : undefined;
      const mine = judged.filter(
        (j) => j.requirement.resource === uri || (keyResource !== undefined && j.requirement.action === 'kms:Decrypt' && j.requirement.resource === keyResource),
      );
      const denied = mine.filter((j) => j.verdict === 'denied');
      const unsimulated = mine.filter((j) => j.verdict === 'not-simulated');
      if (denied.length) {
        const policy = allowPolicyFor(denied.map((j) => j.requirement));
        const decrypt = denied.some((j) => j.requirement.action === 'kms:Decrypt');
        problems.push({
          severity: 'fail',
          title: `The execution role cannot ${denied.map((j) => j.requirement.action).join(' / ')} the secret`,
          detail: `The simulation denies ${roleArn}:\n${denied.map((j) => `- ${describeJudged(j)}`).join('\n')}`,
          remedy: remedy(
            `Add these statements to ${roleArn} as an inline policy (esm-doctor-kafka-secret).` +
              (decrypt ? ' The key policy must let the role use the key too (the simulation does not read key policies).' : ''),
            roleName ? [putRolePolicy({ roleName, policyName: 'esm-doctor-kafka-secret', document: policy, region })] : [],
            [{ title: `Inline policy for ${roleArn}`, json: policy }],
          ),
          resources: [uri, ...denied.map((j) => j.requirement.resource)],
        });
      }
      if (unsimulated.length) {
        problems.push({
          severity: 'warn',
          title: 'The role\'s access to the secret was not simulated',
          detail: `No simulation answer for:\n${unsimulated.map((j) => `- ${describeJudged(j)}`).join('\n')}`,
          fix: 'Collect the snapshot again (esm-doctor collect) to simulate them.',
          resources: [uri],
        });
      }

      if (problems.length === before) {
        const cmk = mine.some((j) => j.requirement.action === 'kms:Decrypt');
        fine.push(`${what}: exists, in ${region}, role may read it${cmk ? ' and decrypt it with its customer managed key' : ''}.`);
        if (cmk) notes.push('The simulation covers the role\'s policies, not the KMS key policy, which must allow the role as well.');
      }
    }

    const clean = pass([...fine, ...new Set(notes)].join(' '), { resources: configs.map((c) => c.URI) });
    return outcomeOf(problems, clean, problems.length ? fine : []);
  },
};

// ---------------------------------------------------------------------------------------------
// secret.format


/** What Lambda expects in each secret type (docs: msk-cluster-auth, kafka-cluster-auth). */
const REQUIRED_KEYS: Record<string, string[]> = {
  SASL_SCRAM_512_AUTH: ['username', 'password'],
  SASL_SCRAM_256_AUTH: ['username', 'password'],
  BASIC_AUTH: ['username', 'password'],
  CLIENT_CERTIFICATE_TLS_AUTH: ['certificate', 'privateKey'],
  SERVER_ROOT_CA_CERTIFICATE: ['certificate'],
};

const TEMPLATES: Record<string, string> = {
  SASL_SCRAM_512_AUTH: '{"username":"…","password":"…"}',
  SASL_SCRAM_256_AUTH: '{"username":"…","password":"…"}',
  BASIC_AUTH: '{"username":"…","password":"…"}',
  CLIENT_CERTIFICATE_TLS_AUTH:
    '{"certificate":"<PEM chain, client certificate first>","privateKey":"<PKCS#8 PEM: BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY>","privateKeyPassword":"… (only for an encrypted key)"}',
  SERVER_ROOT_CA_CERTIFICATE: '{"certificate":"-----BEGIN CERTIFICATE-----\\n…"}',
};

function formatProblems(snapshot: Snapshot, type: string, uri: string, f: SecretFormatFacts): Problem[] {
  const out: Problem[] = [];
  const resources = [uri];
  const what = `${type} secret ${uri}`;
  const template = TEMPLATES[type] ?? '{…}';
  if (!f.json) {
    return [{
      severity: 'fail',
      title: 'The secret is not JSON',
      detail: `The ${what} is not a JSON object; Lambda expects ${template}.`,
      fix: `Store the value as JSON of this shape: ${template}`,
      resources,
    }];
  }
  const missing = (REQUIRED_KEYS[type] ?? []).filter((k) => !f.keys.includes(k));
  if (type !== 'CLIENT_CERTIFICATE_TLS_AUTH' && type !== 'SERVER_ROOT_CA_CERTIFICATE') {
    if (f.usernamePresent === false && !missing.includes('username')) missing.push('username (empty)');
    if (f.passwordPresent === false && !missing.includes('password')) missing.push('password (empty)');
  }
  if (missing.length) {
    out.push({
      severity: 'fail',
      title: `The secret lacks ${missing.join(', ')}`,
      detail: `The ${what} has the keys [${f.keys.join(', ')}] but Lambda needs ${missing.join(', ')} (keys are case-sensitive).`,
      fix: `Store the value as JSON of this shape: ${template}`,
      resources,
    });
  }
  if (f.passwordHasRiskyCharacters) {
    out.push({
      severity: 'warn',
      title: 'The secret\'s password holds \\, / or "',
      detail: `The password of the ${what} contains a backslash, slash or double quote. Such passwords have broken the Kafka event source before with an unclear SASL error (aws-cdk#22813).`,
      remedy: remedy('Rotate to a password without punctuation (the command makes one), set it on the Kafka user, then in the secret.', [randomPassword({ length: 32, region: regionOf(snapshot) })]),
      resources,
    });
  }
  const cert = f.certificate;
  if (cert && (type === 'CLIENT_CERTIFICATE_TLS_AUTH' || type === 'SERVER_ROOT_CA_CERTIFICATE')) {
    if (cert.blocks === 0) {
      out.push({
        severity: 'fail',
        title: 'The secret\'s certificate is not PEM',
        detail: `The certificate of the ${what} has no "-----BEGIN CERTIFICATE-----" block.`,
        remedy: remedy(
          'Store the certificate as PEM (the command converts a DER file), each block starting on its own line' +
            (type === 'CLIENT_CERTIFICATE_TLS_AUTH' ? ', the client certificate first, then the intermediates.' : '.'),
          [OPENSSL.derToPem],
        ),
        resources,
      });
    } else if (!cert.parses) {
      out.push({
        severity: 'fail',
        title: 'The secret\'s certificate is not a valid X.509 certificate',
        detail: `The certificate of the ${what} has ${cert.blocks} PEM block(s), but not all of them parse as X.509 (broken line breaks are the usual cause: "\\n" must be real newlines in the PEM).`,
        remedy: remedy('Check it with the command, then store the PEM chain again.', [OPENSSL.inspectCert]),
        resources,
      });
    } else if (cert.firstNotAfter && Date.parse(cert.firstNotAfter) < Date.parse(snapshot.collectedAt)) {
      out.push({
        severity: 'fail',
        title: 'The secret\'s certificate has expired',
        detail: `The first certificate of the ${what} (subject ${cert.firstSubject ?? 'unknown'}, issuer ${cert.firstIssuer ?? 'unknown'}) expired on ${cert.firstNotAfter}.`,
        fix: 'Issue a new certificate from the same CA and store it in the secret.',
        resources,
      });
    }
  }
  const key = f.privateKey;
  if (key && type === 'CLIENT_CERTIFICATE_TLS_AUTH') {
    const label = key.pemLabel;
    if (label === 'RSA PRIVATE KEY' || label === 'EC PRIVATE KEY') {
      out.push({
        severity: 'fail',
        title: 'The secret\'s private key is not PKCS#8',
        detail: `The privateKey of the ${what} is "${label}" (${label.startsWith('RSA') ? 'PKCS#1' : 'SEC1'}); Lambda accepts only PKCS#8 ("BEGIN PRIVATE KEY" or "BEGIN ENCRYPTED PRIVATE KEY").`,
        remedy: remedy('Convert it to PKCS#8 and store the result as privateKey.', [OPENSSL.toPkcs8]),
        resources,
      });
    } else if (label === 'ENCRYPTED PRIVATE KEY') {
      if (key.encryptionScheme === 'PBES2') {
        out.push({
          severity: 'fail',
          title: 'The secret\'s private key is encrypted with PBES2',
          detail: `The privateKey of the ${what} is encrypted PKCS#8 using PBES2 (OpenSSL 3's default); Lambda only decrypts PBES1 keys.`,
          remedy: remedy('Re-encrypt it with a PBES1 algorithm (OpenSSL asks for the current and the new password) and store the result as privateKey.', [OPENSSL.toPbes1]),
          resources,
        });
      } else if (key.encryptionScheme === 'unknown') {
        out.push({
          severity: 'warn',
          title: 'The secret\'s private key encryption could not be identified',
          detail: `The privateKey of the ${what} is encrypted PKCS#8 with a scheme esm-doctor could not identify; Lambda only decrypts PBES1 keys.`,
          remedy: remedy('Check it with the first command; if it is PBES2, convert it with the second.', [OPENSSL.inspectKey, OPENSSL.toPbes1]),
          resources,
        });
      }
      if (!key.passwordGiven) {
        out.push({
          severity: 'fail',
          title: 'The secret\'s encrypted private key has no password',
          detail: `The privateKey of the ${what} is encrypted but the secret has no privateKeyPassword.`,
          remedy: remedy('Add the key\'s password to the secret as "privateKeyPassword", or store the key unencrypted (the command).', [OPENSSL.toPkcs8]),
          resources,
        });
      }
    } else if (label !== 'PRIVATE KEY') {
      out.push({
        severity: 'fail',
        title: 'The secret\'s private key is not a PKCS#8 PEM key',
        detail: `The privateKey of the ${what} ${label === 'none' ? 'holds no PEM block' : `is a "${label}" PEM block`}; Lambda needs PKCS#8 ("BEGIN PRIVATE KEY").`,
        remedy: remedy('Convert it to PKCS#8 PEM and store the result as privateKey.', [OPENSSL.toPkcs8]),
        resources,
      });
    }
  }
  return out;
}

function describeFormat(type: string, f: SecretFormatFacts): string {
  if (type === 'CLIENT_CERTIFICATE_TLS_AUTH') {
    return `certificate chain of ${f.certificate?.blocks ?? '?'} PEM block(s), private key "${f.privateKey?.pemLabel ?? '?'}"`;
  }
  if (type === 'SERVER_ROOT_CA_CERTIFICATE') return `${f.certificate?.blocks ?? '?'} PEM certificate block(s)`;
  return 'JSON with username and password';
}

export const secretFormat: Check = {
  id: 'secret.format',
  step: 2,
  title: 'The secrets have the format Lambda expects',
  docs: AWS_DOCS.selfManagedAuth,
  probe: [
    { probe: 'probe.tls', probeCanClear: false, networkPosition: false },
    { probe: 'probe.sasl', probeCanClear: false, networkPosition: false },
  ],
  run(snapshot: Snapshot): Outcome {
    const configs = secretConfigs(snapshot.esm);
    if (!configs.length) return skip(`The ESM uses no Secrets Manager secret (auth: ${authLabel(snapshot)}).`);
    if (!snapshot.options.inspectSecrets) {
      return skip(
        `Secret values are only inspected on request: run esm-doctor diagnose ${snapshot.esm.UUID} --inspect-secrets to check ` +
          `${configs.map((c) => c.URI).join(', ')} in memory (values are never printed or stored).`,
      );
    }
    const problems: Problem[] = [];
    const fine: string[] = [];
    const notes: string[] = [];
    for (const config of configs) {
      const facts = factsFor(snapshot, config);
      const format = facts?.format;
      if (!format) {
        notes.push(
          facts && !facts.describe.ok
            ? `${config.URI} was not inspected: it could not be described (see secret.readable).`
            : `${config.URI} was not inspected: the snapshot holds no format facts for it (collect it again with --inspect-secrets).`,
        );
        continue;
      }
      if (!format.ok) {
        problems.push({
          severity: 'error',
          title: `Could not read the secret to inspect it (${format.error.code})`,
          detail: `${format.source} answered ${format.error.code} for ${config.URI}: ${format.error.message}.`,
          fix: /AccessDenied/i.test(format.error.code)
            ? `Grant the identity running esm-doctor secretsmanager:GetSecretValue (and kms:Decrypt) on ${config.URI}, or run without --inspect-secrets.`
            : 'Re-run; if it persists, run without --inspect-secrets.',
          resources: [config.URI],
        });
        continue;
      }
      const found = formatProblems(snapshot, config.Type, config.URI, format.value);
      if (found.length) problems.push(...found);
      else fine.push(`${config.Type} secret ${config.URI}: ${describeFormat(config.Type, format.value)}.`);
    }
    const clean = fine.length ? pass(fine.join(' ')) : skip(notes.join(' ') || 'No secret could be inspected.');
    return outcomeOf(problems, clean, problems.length ? [...fine, ...notes] : fine.length ? notes : []);
  },
};

// ---------------------------------------------------------------------------------------------
// secret.msk-scram

export const secretMskScram: Check = {
  id: 'secret.msk-scram',
  step: 2,
  title: 'The SCRAM secret meets MSK\'s rules',
  docs: AWS_DOCS.mskAuth,
  run(snapshot: Snapshot): Outcome {
    if (esmSource(snapshot.esm) !== 'msk') return skip('Self-managed Kafka: MSK\'s rules for SCRAM secrets do not apply.');
    const configs = accessConfigs(snapshot.esm, 'SASL_SCRAM_512_AUTH');
    if (!configs.length) return skip(`The ESM has no SASL_SCRAM_512_AUTH secret (auth: ${authLabel(snapshot)}).`);
    const clusterArn = snapshot.esm.EventSourceArn!;
    const cluster = valueOf(snapshot.cluster);
    // MSK only lets a secret be associated while SASL/SCRAM is on; with it off, "associate the
    // secret" is impossible advice and the real cause is auth.mode's.
    if (cluster && clusterClientAuth(cluster)?.Sasl?.Scram?.Enabled !== true) {
      return skip(`SASL/SCRAM is off on ${clusterArn}, so no secret can be associated with it yet; auth.mode reports that. Check again once SCRAM is on.`);
    }
    const region = regionOf(snapshot);
    const scram = snapshot.scramSecrets;
    const problems: Problem[] = [];
    const fine: string[] = [];

    if (!scram) {
      const missing = notCollected('list of SCRAM secrets associated with the cluster', 'kafka:ListScramSecrets');
      problems.push({ severity: 'error', title: missing.title!, detail: missing.detail, ...(missing.fix ? { fix: missing.fix } : {}), resources: [clusterArn] });
    } else if (!scram.ok) {
      problems.push({
        severity: 'error',
        title: `Could not check: SCRAM secret associations unreadable (${scram.error.code})`,
        detail: `Could not read the SCRAM secrets of ${clusterArn}: ${scram.error.action ?? scram.source} answered ${scram.error.code}: ${scram.error.message}`,
        fix: /AccessDenied|Forbidden|Unauthorized/i.test(scram.error.code)
          ? `Grant the identity running esm-doctor kafka:ListScramSecrets on ${clusterArn} (read-only), then re-run.`
          : `Re-run; if it persists, list them yourself: ${listScramSecrets({ clusterArn, region })}`,
        resources: [clusterArn],
      });
    }

    for (const config of configs) {
      const facts = factsFor(snapshot, config);
      const described = valueOf(facts?.describe);
      const arn = described?.ARN ?? config.URI;
      const name = described?.Name ?? secretNameFromArn(arn);
      const before = problems.length;

      if (scram?.ok && !scram.value.SecretArnList.some((a) => sameSecret(a, arn) || sameSecret(a, config.URI))) {
        problems.push({
          severity: 'fail',
          title: 'The SCRAM secret is not associated with the cluster',
          detail: `${arn} is not among the ${scram.value.SecretArnList.length} secret(s) ListScramSecrets returns for ${clusterArn}: the brokers do not know its user.`,
          remedy: remedy('Associate the secret with the cluster.', [batchAssociateScramSecret({ clusterArn, secretArns: [arn], region })]),
          resources: [arn, clusterArn],
        });
      }
      if (!name.startsWith('AmazonMSK_')) {
        problems.push({
          severity: 'fail',
          title: 'The SCRAM secret\'s name does not start with AmazonMSK_',
          detail: `Secret ${arn} is named "${name}"; MSK only uses SCRAM secrets whose name starts with AmazonMSK_. A secret cannot be renamed.`,
          remedy: remedy(
            `Create a copy named AmazonMSK_${name.replace(/[^A-Za-z0-9_+=.@-]/g, '_')}, encrypted with a customer managed key, associate it, and point the ESM at it. ` +
              'Set KMS_KEY_ARN to that key (one the execution role may kms:Decrypt) and put the username/password JSON in scram.json; the first command sets NEW_SECRET_ARN. ' +
              'Then replace the secret\'s URI in the ESM\'s source access configurations with the new ARN (update-event-source-mapping).',
            [
              assign('NEW_SECRET_ARN', createSecret({ name: `AmazonMSK_${name.replace(/[^A-Za-z0-9_+=.@-]/g, '_')}`, kmsKeyId: variable('KMS_KEY_ARN'), file: 'scram.json', region })),
              batchAssociateScramSecret({ clusterArn, secretArns: variable('NEW_SECRET_ARN'), region }),
            ],
          ),
          resources: [arn],
        });
      }
      if (described) {
        const key = valueOf(facts?.kmsKey);
        const defaultKey = !described.KmsKeyId || /alias\/aws\/secretsmanager$/.test(described.KmsKeyId) || key?.KeyManager === 'AWS';
        if (defaultKey) {
          problems.push({
            severity: 'fail',
            title: 'The SCRAM secret uses the default aws/secretsmanager key',
            detail: `Secret ${arn} is encrypted with the AWS managed key aws/secretsmanager${described.KmsKeyId ? ` (${described.KmsKeyId})` : ' (no KmsKeyId)'}; MSK cannot use a SCRAM secret unless a customer managed key encrypts it.`,
            remedy: remedy(
              'Re-encrypt it with a customer managed key (set KMS_KEY_ARN to one the execution role may kms:Decrypt), then associate it again.',
              [setSecretKey({ secretId: arn, kmsKeyId: variable('KMS_KEY_ARN'), region }), batchAssociateScramSecret({ clusterArn, secretArns: [arn], region })],
            ),
            resources: [arn],
          });
        }
      }
      if (problems.length === before) {
        fine.push(
          `${arn}: named ${name}, encrypted with a customer managed key${scram?.ok ? `, associated with ${clusterArn}` : ''}.`,
        );
      }
    }
    return outcomeOf(problems, pass(fine.join(' '), { resources: configs.map((c) => c.URI) }), problems.length ? fine : []);
  },
};

export const checks: Check[] = [secretReadable, secretFormat, secretMskScram];
