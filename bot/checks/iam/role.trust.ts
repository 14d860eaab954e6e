import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, defineCheck, need } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { type PolicyDocument, type PolicyStatement, conditionKeys, decodePolicyDocument, listOf, principalCoversService, statementCoversAction } from '../lib/policy';
import { updateAssumeRolePolicy } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { regionOf } from '../lib/resources';

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

export const roleTrust = defineCheck({
  id: 'role.trust',
  step: 1,
  title: 'The execution role trusts lambda.amazonaws.com',
  docs: AWS_DOCS.mskPermissions,
  explains: ['assume-role', 'EVENT_SOURCE_AUTHZ_ERROR', 'FUNCTION_CONFIG_NOT_VALID', 'stuck'],
  needs: (snapshot) => need(snapshot.role, 'the execution role\'s trust policy', 'iam:GetRole'),
  run(snapshot: Snapshot, role): Outcome {
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
});
