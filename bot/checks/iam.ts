/**
 * Step 1 and the role's side of step 6: can Lambda assume the execution role (its trust policy), and
 * may that role do what this ESM needs (SimulatePrincipalPolicy against model/permissions).
 */
import { chooseAuth, isVpcConnectionArn } from '../model/esm';
import type { Snapshot } from '../model/snapshot';
import { type Check, type Outcome, couldNotRead, fail, pass, valueOf, warn } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import {
  type JudgedRequirement,
  type PolicyDocument,
  type PolicyStatement,
  allowPolicyFor,
  conditionKeys,
  decodePolicyDocument,
  listOf,
  describeJudged,
  judgeRequirements,
  principalCoversService,
  requirementsOf,
  roleArnOf,
  roleNameOf,
  statementCoversAction,
} from './lib/policy';
import { notCollected } from './lib/problems';
import { putRolePolicy, updateAssumeRolePolicy } from './lib/commands';
import { remedy, type RemedyDocument } from './lib/remedy';
import { regionOf } from './lib/resources';

// ---------------------------------------------------------------------------------------------
// role.trust

const LAMBDA_PRINCIPAL = 'lambda.amazonaws.com';
const SOURCE_IDENTITY_KEY = 'sts:sourceidentity';

export const LAMBDA_TRUST_STATEMENT: PolicyStatement = {
  Effect: 'Allow',
  Principal: { Service: LAMBDA_PRINCIPAL },
  Action: 'sts:AssumeRole',
};

function appliesToLambda(statement: PolicyStatement): boolean {
  return principalCoversService(statement.Principal, LAMBDA_PRINCIPAL);
}

function requiresSourceIdentity(statement: PolicyStatement): boolean {
  return conditionKeys(statement).includes(SOURCE_IDENTITY_KEY);
}

function label(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement "${statement.Sid}"` : `statement #${index + 1}`;
}

/**
 * The trust policy to set: statements about other principals kept as they are, other services kept
 * in a shared statement, and whatever applied to the Lambda service replaced by the one plain Allow
 * it needs.
 */
export function repairedTrustPolicy(document: PolicyDocument | undefined): PolicyDocument {
  const kept: PolicyStatement[] = [];
  for (const statement of document?.Statement ?? []) {
    if (!appliesToLambda(statement)) {
      kept.push(statement);
      continue;
    }
    const principal = statement.Principal;
    if (typeof principal !== 'object' || principal === null) continue;
    const p = principal as Record<string, unknown>;
    const otherServices = listOf(p.Service).filter((svc) => svc.toLowerCase() !== LAMBDA_PRINCIPAL);
    const rest = Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'Service'));
    if (listOf(rest.AWS).includes('*')) continue;
    if (otherServices.length || Object.keys(rest).length) {
      kept.push({ ...statement, Principal: { ...rest, ...(otherServices.length ? { Service: otherServices.length === 1 ? otherServices[0] : otherServices } : {}) } });
    }
  }
  return { Version: document?.Version ?? '2012-10-17', Statement: [...kept, LAMBDA_TRUST_STATEMENT] };
}

export const roleTrust: Check = {
  id: 'role.trust',
  step: 1,
  title: 'The execution role trusts lambda.amazonaws.com',
  docs: AWS_DOCS.mskPermissions,
  run(snapshot: Snapshot): Outcome {
    const roleFact = snapshot.role;
    if (!roleFact) return notCollected('execution role (GetRole)', 'iam:GetRole');
    if (!roleFact.ok) return couldNotRead('the execution role\'s trust policy', roleFact);
    const role = roleFact.value;
    const resources = [role.Arn];
    const fixFor = (document?: PolicyDocument) => {
      const policy = repairedTrustPolicy(document);
      return remedy(
        `Set this trust policy on ${role.RoleName} (statements for other principals are kept; what applied to ${LAMBDA_PRINCIPAL} becomes one plain Allow).`,
        [updateAssumeRolePolicy({ roleName: role.RoleName, document: policy, region: regionOf(snapshot) })],
        [{ title: `Trust policy for ${role.RoleName}`, json: policy }],
      );
    };
    if (!role.AssumeRolePolicyDocument) {
      return fail(
        'The execution role has no trust policy',
        `GetRole returned no AssumeRolePolicyDocument for ${role.Arn}: nothing lets Lambda assume it.`,
        fixFor(),
        { resources },
      );
    }
    const decoded = decodePolicyDocument(role.AssumeRolePolicyDocument);
    if (!decoded.ok) {
      return fail(
        'The execution role\'s trust policy cannot be read',
        `The trust policy of ${role.Arn} could not be decoded: ${decoded.reason}.`,
        fixFor(),
        { resources },
      );
    }
    const statements = decoded.document.Statement;
    const forLambda = statements.map((s, i) => ({ s, i })).filter(({ s }) => appliesToLambda(s));
    const assume = forLambda.filter(({ s }) => statementCoversAction(s, 'sts:AssumeRole'));
    const problems: string[] = [];

    // A Deny conditioned on sts:SourceIdentity (typically "Null": {"sts:SourceIdentity": "true"}) demands one
    // from everybody; an Allow conditioned on it simply never applies to Lambda, which sets none.
    const sourceIdentity = forLambda.filter(({ s }) => requiresSourceIdentity(s));
    const sourceIdentityDenies = sourceIdentity.filter(({ s }) => s.Effect === 'Deny');
    const sourceIdentityAllows = sourceIdentity.filter(({ s }) => s.Effect === 'Allow' && statementCoversAction(s, 'sts:AssumeRole'));
    const usableAllows = assume.filter(({ s }) => s.Effect === 'Allow' && !requiresSourceIdentity(s));
    const sourceIdentityProblems = [...sourceIdentityDenies, ...(usableAllows.length ? [] : sourceIdentityAllows)];
    for (const { s, i } of sourceIdentityProblems) {
      problems.push(
        `${label(s, i)} (${s.Effect}) puts a condition on sts:SourceIdentity; Lambda assumes the role without setting a source identity, so it cannot meet it`,
      );
    }
    const denies = assume.filter(({ s }) => s.Effect === 'Deny' && !requiresSourceIdentity(s));
    for (const { s, i } of denies.filter(({ s }) => !s.Condition)) {
      problems.push(`${label(s, i)} denies sts:AssumeRole to ${LAMBDA_PRINCIPAL} (an explicit Deny wins over any Allow)`);
    }
    if (usableAllows.length === 0 && sourceIdentityAllows.length === 0) {
      const principals = statements
        .filter((s) => s.Effect === 'Allow')
        .map((s) => JSON.stringify(s.Principal ?? s.NotPrincipal ?? null))
        .join(', ');
      problems.push(`no Allow statement lets ${LAMBDA_PRINCIPAL} call sts:AssumeRole (it trusts ${principals || 'nobody'})`);
    }

    if (problems.length) {
      const sourceIdentityOnly = sourceIdentityProblems.length > 0 && problems.length === sourceIdentityProblems.length;
      return fail(
        sourceIdentityOnly ? 'The execution role requires a source identity Lambda cannot set' : 'Lambda is not allowed to assume the execution role',
        `Trust policy of ${role.Arn}: ${problems.join('; ')}. Lambda answers this with "Lambda failed to assume your function execution role".`,
        fixFor(decoded.document),
        { resources },
      );
    }

    const notes: string[] = [];
    const conditional = [...usableAllows, ...denies].filter(({ s }) => s.Condition);
    if (conditional.length) {
      const keys = [...new Set(conditional.flatMap(({ s }) => conditionKeys(s)))];
      notes.push(
        ` ${conditional.map(({ s, i }) => label(s, i)).join(', ')} carr${conditional.length === 1 ? 'ies' : 'y'} conditions (${keys.join(', ')}) that esm-doctor cannot evaluate;` +
          ' if Lambda reports that it failed to assume the role, look at them first.',
      );
    }
    if (usableAllows.some(({ s }) => s.Principal === '*')) {
      notes.push(' It trusts every principal ("Principal": "*"), which also lets Lambda in but is broader than needed.');
    }
    return pass(`The trust policy of ${role.Arn} lets ${LAMBDA_PRINCIPAL} call sts:AssumeRole with no source-identity condition.${notes.join('')}`, {
      resources,
    });
  },
};

// ---------------------------------------------------------------------------------------------
// iam.execution-role

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

export const iamExecutionRole: Check = {
  id: 'iam.execution-role',
  step: 6,
  title: 'The execution role has every permission the ESM needs',
  docs: AWS_DOCS.mskPermissions,
  run(snapshot: Snapshot): Outcome {
    const simulation = snapshot.permissions;
    if (!simulation) return notCollected('simulation of the execution role\'s permissions', 'iam:SimulatePrincipalPolicy');
    if (!simulation.ok) return couldNotRead('the execution role\'s permissions (iam:SimulatePrincipalPolicy)', simulation);

    const requirements = requirementsOf(snapshot).filter((r) => r.group === 'execution-role');
    const judged = judgeRequirements(requirements, simulation.value);
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
};

export const checks: Check[] = [roleTrust, iamExecutionRole];
