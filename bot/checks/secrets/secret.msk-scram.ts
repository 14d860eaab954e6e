import { accessConfigs, clusterClientAuth, esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, notCollected, pass, skip, valueOf, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type Problem, outcomeOf } from '../lib/problems';
import { regionOf } from '../lib/resources';
import { assign, batchAssociateScramSecret, createSecret, listScramSecrets, setSecretKey, variable } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { authLabel, factsFor, secretNameFromArn, sameSecret } from './lib';

export const secretMskScram = defineCheck({
  id: 'secret.msk-scram',
  step: 2,
  title: 'The SCRAM secret meets MSK\'s rules',
  docs: AWS_DOCS.mskAuth,
  explains: ['sasl', 'authentication', 'EVENT_SOURCE_AUTHN_ERROR'],
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
});
