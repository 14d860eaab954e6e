import { secretConfigs } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, pass, skip, valueOf, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { allowPolicyFor, describeJudged, judgeRequirements, requirementsOf, roleArnOf, roleNameOf } from '../lib/policy';
import { type Problem, outcomeOf } from '../lib/problems';
import { arnRegion, regionOf } from '../lib/resources';
import { cancelKeyDeletion, describeSecret, enableKey, putRolePolicy, replicateSecret, restoreSecret } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { authLabel, factsFor, withSecretReplaced } from './lib';

/** KMS key states in which Decrypt fails (KMS developer guide, key states). */
const UNUSABLE_KEY_STATES: Record<string, string> = {
  Disabled: 'is disabled',
  PendingDeletion: 'is scheduled for deletion (and disabled meanwhile)',
  PendingReplicaDeletion: 'is scheduled for deletion',
  PendingImport: 'has no key material imported',
  Unavailable: 'is unavailable (its custom key store is disconnected)',
};

export const secretReadable = defineCheck({
  id: 'secret.readable',
  step: 2,
  title: 'The execution role can read the ESM\'s secrets',
  docs: AWS_DOCS.mskPermissions,
  explains: ['sasl', 'tls-both-directions', 'server-rejected-lambda', 'certificate', 'authentication', 'ESM_CONFIG_NOT_VALID', 'EVENT_SOURCE_AUTHN_ERROR', 'EVENT_SOURCE_AUTHZ_ERROR', 'stuck'],
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
});
