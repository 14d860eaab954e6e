import { secretConfigs } from '../../model/esm';
import type { SecretFormatFacts, Snapshot } from '../../model/snapshot';
import { type Outcome, pass, skip, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type Problem, outcomeOf } from '../lib/problems';
import { regionOf } from '../lib/resources';
import { OPENSSL, randomPassword } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { authLabel, factsFor } from './lib';

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

export const secretFormat = defineCheck({
  id: 'secret.format',
  step: 2,
  title: 'The secrets have the format Lambda expects',
  docs: AWS_DOCS.selfManagedAuth,
  explains: ['sasl', 'tls-both-directions', 'server-rejected-lambda', 'lambda-rejected-server', 'certificate', 'authentication', 'EVENT_SOURCE_AUTHN_ERROR'],
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
});
