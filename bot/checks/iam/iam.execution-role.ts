import { chooseAuth, isVpcConnectionArn } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, valueOf, warn, defineCheck, need } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type JudgedRequirement, allowPolicyFor, describeJudged, judgeRequirements, requirementsOf, roleArnOf, roleNameOf } from '../lib/policy';
import { putRolePolicy } from '../lib/commands';
import { remedy, type RemedyDocument } from '../lib/remedy';
import { regionOf } from '../lib/resources';

const POLICY_NAME = 'esm-doctor-kafka-event-source';
const MANAGED_MSK_POLICY = 'AWSLambdaMSKExecutionRole';

/**
 * With IAM auth, a role that may describe the cluster and manage ENIs but has no kafka-cluster:*
 * action is what AWSLambdaMSKExecutionRole alone gives: that managed policy (v2) has no
 * kafka-cluster:* permission (docs: with-msk-permissions; the managed policy reference).
 */
function managedPolicyCallout(snapshot: Snapshot, judged: JudgedRequirement[]): string | undefined {
  if (chooseAuth(snapshot.esm, valueOf(snapshot.cluster)).mode !== 'iam') return undefined;
  const dataPlane = judged.filter((j) => j.requirement.action.startsWith('kafka-cluster:') && j.requirement.severity === 'fail');
  const controlPlane = judged.filter((j) => /^(kafka|ec2):/.test(j.requirement.action));
  if (!dataPlane.length || dataPlane.some((j) => j.verdict !== 'denied')) return undefined;
  if (controlPlane.some((j) => j.verdict !== 'allowed')) return undefined;
  const named = judged.some((j) => j.matchedPolicies.some((p) => p.includes(MANAGED_MSK_POLICY)));
  return (
    `The role may describe the cluster and manage the poller ENIs but has no kafka-cluster:* permission at all${named ? `, and the simulation matched ${MANAGED_MSK_POLICY}` : ''}: ` +
    `it looks like it relies on the managed policy ${MANAGED_MSK_POLICY}, which grants no kafka-cluster:* action. ` +
    'A cluster with IAM access control needs them in a policy of your own.'
  );
}

export const iamExecutionRole = defineCheck({
  id: 'iam.execution-role',
  step: 6,
  title: 'The execution role has every permission the ESM needs',
  docs: AWS_DOCS.mskPermissions,
  explains: ['sasl', 'authentication', 'authorization', 'topic-not-found', 'EVENT_SOURCE_AUTHN_ERROR', 'EVENT_SOURCE_AUTHZ_ERROR', 'stuck'],
  needs: (snapshot) => need(snapshot.permissions, 'the execution role\'s permissions (iam:SimulatePrincipalPolicy)', 'iam:SimulatePrincipalPolicy'),
  run(snapshot: Snapshot, simulation): Outcome {
    const requirements = requirementsOf(snapshot).filter((r) => r.group === 'execution-role');
    const judged = judgeRequirements(requirements, simulation);
    const deniedAll = judged.filter((j) => j.verdict === 'denied');
    const optional = deniedAll.filter((j) => j.requirement.severity === 'optional');
    const denied = deniedAll.filter((j) => j.requirement.severity !== 'optional');
    const breaking = denied.filter((j) => j.requirement.severity === 'fail');
    const minor = denied.filter((j) => j.requirement.severity === 'warn');
    const unsimulated = judged.filter((j) => j.verdict === 'not-simulated' && j.requirement.severity !== 'optional');
    const roleArn = roleArnOf(snapshot) ?? 'the execution role';
    const roleName = roleNameOf(snapshot);

    // An optional permission changes nothing for the ESM: its denial is a note on the pass, so a role
    // that has exactly what AWS documents stays healthy (and the CLI exits 0).
    if (breaking.length + minor.length === 0 && !unsimulated.length) {
      const needed = judged.filter((j) => j.requirement.severity !== 'optional');
      const actions = [...new Set(needed.map((j) => j.requirement.action))];
      const note = optional.length
        ? ` Not granted, and optional (the ESM runs the same without ${optional.length === 1 ? 'it' : 'them'}): ${optional.map((j) => `${j.requirement.action} on ${j.requirement.resource} (${j.requirement.why})`).join('; ')}.`
        : '';
      return pass(`The simulation allows ${roleArn} every one of the ${needed.length} permissions this ESM needs (${actions.join(', ')}).${note}`, {
        ...(roleArnOf(snapshot) ? { resources: [roleArnOf(snapshot)!] } : {}),
      });
    }

    const lines: string[] = [];
    // The title counts the permissions the ESM needs; the list under it shows exactly those, the optional ones apart.
    if (breaking.length) lines.push(`The simulation denies ${roleArn} ${breaking.length} permission${breaking.length === 1 ? '' : 's'} the ESM needs:`, ...breaking.map((j) => `- ${describeJudged(j)}`));
    if (minor.length) lines.push(`${breaking.length ? 'Also denied' : `The simulation denies ${roleArn}`}, but the ESM runs without ${minor.length === 1 ? 'it' : 'them'}:`, ...minor.map((j) => `- ${describeJudged(j)}`));
    if (unsimulated.length) {
      lines.push('Not simulated (no answer in the snapshot, so not verified):', ...unsimulated.map((j) => `- ${describeJudged(j)}`));
    }
    const callout = managedPolicyCallout(snapshot, judged);
    if (callout) lines.push(callout);
    if (denied.some((j) => j.missingContext.length)) {
      lines.push('Some answers depend on condition keys the simulation did not have; the real call may be decided differently.');
    }
    const blockedElsewhere = denied.filter((j) => /SCP|boundary|explicit Deny/.test(j.deniedBy ?? ''));
    if (isVpcConnectionArn(snapshot.esm.EventSourceArn)) {
      lines.push('This ESM reads a cluster in another account: the simulation does not see the cluster policy, which must allow the role too.');
    }

    const toGrant = denied.map((j) => j.requirement);
    const fixParts: string[] = [];
    const commands: string[] = [];
    const documents: RemedyDocument[] = [];
    if (toGrant.length) {
      const policy = allowPolicyFor(toGrant);
      fixParts.push(`Add these statements to ${roleArn} as an inline policy (${POLICY_NAME}).`);
      documents.push({ title: `Inline policy for ${roleArn}`, json: policy });
      if (roleName) commands.push(putRolePolicy({ roleName, policyName: POLICY_NAME, document: policy, region: regionOf(snapshot) }));
    }
    if (blockedElsewhere.length) {
      fixParts.push(
        `An Allow on the role is not enough for ${blockedElsewhere.map((j) => j.requirement.action).join(', ')}: ` +
          'remove or narrow the Deny, the permissions boundary or the SCP that blocks it.',
      );
    }
    if (unsimulated.length) fixParts.push('Collect the snapshot again to simulate the missing permissions (esm-doctor collect).');
    const resources = [
      ...(roleArnOf(snapshot) ? [roleArnOf(snapshot)!] : []),
      ...new Set(denied.map((j) => j.requirement.resource).filter((r) => r !== '*')),
    ];

    if (breaking.length) {
      return fail(
        `The execution role is missing ${breaking.length} permission${breaking.length === 1 ? '' : 's'} the ESM needs`,
        lines.join('\n'),
        remedy(fixParts.join(' '), commands, documents),
        { resources },
      );
    }
    const title = minor.length
      ? `The execution role lacks ${minor.length} permission${minor.length === 1 ? '' : 's'} the ESM can run without (${[...new Set(minor.map((j) => j.requirement.action))].join(', ')})`
      : `${unsimulated.length} permission${unsimulated.length === 1 ? ' was' : 's were'} not simulated`;
    return warn(title, lines.join('\n'), remedy(fixParts.join(' '), commands, documents), { resources });
  },
});
