/**
 * IAM policy documents and SimulatePrincipalPolicy answers, as the IAM and network checks need them:
 * decode a document as IAM returns it, match actions and principals the way IAM does
 * (case-insensitive actions, `*` and `?` wildcards), judge whether a VPC endpoint policy lets a call
 * through, judge the ESM's requirements against the simulation, and write the policy statement that
 * grants what is missing.
 */
import { requiredPermissions, type Requirement, type RequirementInputs } from '../../model/permissions';
import type { EvaluationResult, Snapshot } from '../../model/snapshot';
import { valueOf } from '../check';

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export type Decoded = { ok: true; document: PolicyDocument } | { ok: false; reason: string };

/**
 * IAM returns policy documents URL-encoded (RFC 3986) in GetRole / GetRolePolicy; the SDK does not
 * decode them. A document that is already plain JSON decodes to itself.
 */
export function decodePolicyDocument(text: string): Decoded {
  let parsed: unknown;
  let error: unknown;
  // Plain JSON first: a URL-encoded document never parses as JSON, and decoding plain JSON could
  // change a literal %xx inside it.
  for (const candidate of [text, decodedOrSelf(text)]) {
    try {
      parsed = JSON.parse(candidate);
      error = undefined;
      break;
    } catch (err) {
      error = err;
    }
  }
  if (error !== undefined) {
    return { ok: false, reason: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) {
    return { ok: false, reason: 'it has no Statement' };
  }
  const statement = (parsed as { Statement: unknown }).Statement;
  const statements = (Array.isArray(statement) ? statement : [statement]).filter(
    (s): s is PolicyStatement => typeof s === 'object' && s !== null,
  );
  const version = (parsed as { Version?: unknown }).Version;
  return { ok: true, document: { ...(typeof version === 'string' ? { Version: version } : {}), Statement: statements } };
}

function decodedOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not URL-encoded (a literal % in plain JSON): use it as is.
    return text;
  }
}

export function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** IAM's wildcard match: `*` any run, `?` one character; case-insensitive (as for actions). */
export function wildcardMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(value);
}

/** Whether the statement's Action (or NotAction) covers the action. */
export function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return listOf(statement.Action).some((p) => wildcardMatches(p, action));
  if (statement.NotAction !== undefined) return !listOf(statement.NotAction).some((p) => wildcardMatches(p, action));
  return false;
}

/** Whether a Principal element names the service principal (or everyone). NotPrincipal is not treated as granting. */
export function principalCoversService(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, unknown>;
  if (listOf(p.Service).some((s) => s.toLowerCase() === service.toLowerCase())) return true;
  return listOf(p.AWS).includes('*');
}

export interface ConditionKey {
  /** The condition operator, as written (StringEquals, StringNotEquals, ForAnyValue:StringLike …). */
  operator: string;
  /** The key, lower-cased (condition keys are case-insensitive). */
  key: string;
}

/** Every condition key a statement tests, with the operator that tests it. */
export function conditionsOf(statement: PolicyStatement): ConditionKey[] {
  const cond: unknown = statement.Condition;
  if (!cond || typeof cond !== 'object') return [];
  return Object.entries(cond as Record<string, unknown>).flatMap(([operator, block]) =>
    block && typeof block === 'object' ? Object.keys(block as Record<string, unknown>).map((key) => ({ operator, key: key.toLowerCase() })) : [],
  );
}

/** The condition keys a statement tests, lower-cased. */
export function conditionKeys(statement: PolicyStatement): string[] {
  return conditionsOf(statement).map((c) => c.key);
}

// ---------------------------------------------------------------------------------------------
// VPC endpoint policies

/** Who makes the call through the endpoint. */
export interface PolicyPrincipal {
  /** A service principal, e.g. "lambda.amazonaws.com" (Lambda assumes the role and invokes as itself). */
  service?: string;
  /** An IAM principal ARN, e.g. the execution role (Lambda reads secrets and writes destinations as the role). */
  arn?: string;
  account?: string;
}

export interface PolicyRequest {
  action: string;
  principal: PolicyPrincipal;
  /** The resource ARN when known; unknown resources match only "*". */
  resource?: string;
}

export interface PolicyVerdict {
  decision: 'allow' | 'deny' | 'unclear';
  reason: string;
}

/** Condition keys that describe the calling principal's identity. A service principal belongs to no account or organization. */
const PRINCIPAL_IDENTITY_KEYS = ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn'];

function principalMatches(p: unknown, who: PolicyPrincipal): boolean {
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  const obj = p as Record<string, unknown>;
  const aws = listOf(obj.AWS);
  const services = listOf(obj.Service);
  if (aws.includes('*')) return true;
  if (who.service && services.includes(who.service)) return true;
  if (who.arn && aws.some((a) => a === who.arn || wildcardMatches(a, who.arn!))) return true;
  if (who.account && aws.some((a) => a === who.account || a === `arn:aws:iam::${who.account}:root`)) return true;
  return false;
}

function statementApplies(s: PolicyStatement, req: PolicyRequest): 'yes' | 'no' | 'maybe' {
  // Principal / NotPrincipal
  if ('Principal' in s && !principalMatches(s.Principal, req.principal)) return 'no';
  if ('NotPrincipal' in s && principalMatches(s.NotPrincipal, req.principal)) return 'no';
  if (!('Principal' in s) && !('NotPrincipal' in s)) return 'no';
  // Action / NotAction
  if ('Action' in s || 'NotAction' in s) {
    if (!statementCoversAction(s, req.action)) return 'no';
  }
  // Resource / NotResource
  let resource: 'yes' | 'maybe' = 'yes';
  if ('Resource' in s) {
    const list = listOf(s.Resource);
    if (!list.includes('*')) {
      if (!req.resource) resource = 'maybe';
      else if (!list.some((r) => wildcardMatches(r, req.resource!))) return 'no';
    }
  }
  if ('NotResource' in s) {
    const list = listOf(s.NotResource);
    if (list.includes('*')) return 'no';
    if (!req.resource) resource = 'maybe';
    else if (list.some((r) => wildcardMatches(r, req.resource!))) return 'no';
  }
  return resource;
}

/**
 * Does a VPC endpoint policy let `req` through? No policy is the default full-access policy. A
 * condition on the caller's organization or account never holds for a service principal, which is
 * why "only calls from my organization" endpoint policies stop the ESM (docs: with-kafka-cluster-network).
 * Other conditions cannot be judged from configuration alone: such statements make the answer `unclear`.
 */
export function endpointPolicyAllows(policyDocument: string | undefined, req: PolicyRequest): PolicyVerdict {
  if (!policyDocument) return { decision: 'allow', reason: 'the endpoint has no policy (full access)' };
  const doc = decodePolicyDocument(policyDocument);
  if (!doc.ok) return { decision: 'unclear', reason: `the endpoint policy cannot be read: ${doc.reason}` };
  const statements = doc.document.Statement;
  const who = req.principal.service ?? req.principal.arn ?? 'the caller';
  const isService = !!req.principal.service && !req.principal.arn;

  let allowed: string | undefined;
  let conditionalAllow: string | undefined;
  let mayDeny: string | undefined;
  let orgRestricted: string | undefined;
  for (const [i, s] of statements.entries()) {
    const label = typeof s.Sid === 'string' ? `statement "${s.Sid}"` : `statement ${i + 1}`;
    const applies = statementApplies(s, req);
    if (applies === 'no') continue;
    const keys = conditionsOf(s);
    const identityKeys = keys.filter((k) => PRINCIPAL_IDENTITY_KEYS.includes(k.key));
    const otherKeys = keys.filter((k) => !PRINCIPAL_IDENTITY_KEYS.includes(k.key));
    const keyList = keys.map((k) => k.key).join(', ');
    const effect = String(s.Effect ?? '').toLowerCase();

    if (effect === 'deny') {
      if (otherKeys.length > 0 || applies === 'maybe') {
        mayDeny ??= `${label} may deny ${req.action} under conditions esm-doctor cannot evaluate (${keyList || 'a specific resource'})`;
      } else if (identityKeys.length === 0) {
        return { decision: 'deny', reason: `${label} denies ${req.action} to ${who}` };
      } else if (isService && identityKeys.every((k) => /not/i.test(k.operator))) {
        // "Deny unless the caller is in my organization": a service principal has no organization, so the deny holds.
        return { decision: 'deny', reason: `${label} denies callers outside an organization or account (${keyList}); ${who} is a service principal and belongs to none` };
      }
      // Identity conditions on an IAM principal: the execution role is taken to belong to your own organization.
      continue;
    }
    if (effect !== 'allow') continue;
    if (isService && identityKeys.length > 0) {
      orgRestricted ??= `${label} allows ${req.action} only to principals of an organization or account (${identityKeys.map((k) => k.key).join(', ')}); ${who} is a service principal and belongs to none`;
      continue;
    }
    if (otherKeys.length > 0 || applies === 'maybe') {
      conditionalAllow ??= `${label} allows ${req.action} only under conditions esm-doctor cannot evaluate (${otherKeys.map((k) => k.key).join(', ') || 'a specific resource'})`;
      continue;
    }
    allowed ??= `${label} allows ${req.action} to ${who}`;
  }
  if (allowed) return mayDeny ? { decision: 'unclear', reason: mayDeny } : { decision: 'allow', reason: allowed };
  if (conditionalAllow) return { decision: 'unclear', reason: conditionalAllow };
  return { decision: 'deny', reason: orgRestricted ?? `no statement allows ${req.action} to ${who}` };
}
// ---------------------------------------------------------------------------------------------
// The execution role's requirements against SimulatePrincipalPolicy

/** The inputs of requiredPermissions, taken from the snapshot exactly as the collector took them. */
export function requirementInputs(snapshot: Snapshot): RequirementInputs {
  const secretKeys: Record<string, string | undefined> = {};
  for (const secret of snapshot.secrets) {
    const key = valueOf(secret.kmsKey);
    if (key?.KeyManager === 'CUSTOMER') secretKeys[secret.arn] = key.Arn ?? valueOf(secret.describe)?.KmsKeyId;
  }
  const account = snapshot.target.account ?? valueOf(snapshot.caller)?.Account;
  const destinationKey = valueOf(valueOf(snapshot.destinationEncryption)?.key);
  return {
    esm: snapshot.esm,
    cluster: valueOf(snapshot.cluster),
    region: snapshot.target.region,
    ...(account ? { account } : {}),
    secretKeys,
    ...(destinationKey && destinationKey.KeyManager !== 'AWS' && destinationKey.Arn ? { destinationKey: destinationKey.Arn } : {}),
  };
}

export function requirementsOf(snapshot: Snapshot): Requirement[] {
  return requiredPermissions(requirementInputs(snapshot));
}

export interface JudgedRequirement {
  requirement: Requirement;
  verdict: 'allowed' | 'denied' | 'not-simulated';
  /** allowed | implicitDeny | explicitDeny, as the simulator said. */
  decision?: string;
  /** Who denies it, in words, when it is denied. */
  deniedBy?: string;
  /** Context keys the simulation lacked: a condition may decide differently in the real call. */
  missingContext: string[];
  /** SourcePolicyId of the statements the simulator matched. */
  matchedPolicies: string[];
}

interface Decision {
  decision: string;
  result: EvaluationResult;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * The simulator's answers for one action on one resource. It used to return one result per
 * resource (EvalResourceName); it now returns one per action with the per-resource decisions in
 * ResourceSpecificResults (IAM API reference, EvaluationResult). Both shapes are read; a result
 * with no resource name is the aggregate for everything simulated.
 */
function decisionsFor(results: EvaluationResult[], action: string, resource: string): Decision[] {
  const out: Decision[] = [];
  for (const result of results) {
    if (result.EvalActionName.toLowerCase() !== action.toLowerCase()) continue;
    if (result.EvalResourceName === resource) {
      out.push({ decision: result.EvalDecision, result });
      continue;
    }
    const specific = listOfRecords(record(result)?.ResourceSpecificResults).find((r) => r.EvalResourceName === resource);
    if (specific && typeof specific.EvalResourceDecision === 'string') {
      out.push({ decision: specific.EvalResourceDecision, result });
    } else if (result.EvalResourceName === undefined) {
      out.push({ decision: result.EvalDecision, result });
    }
  }
  return out;
}

function listOfRecords(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map(record).filter((r): r is Record<string, unknown> => r !== undefined) : [];
}

function sourcePolicies(result: EvaluationResult): string[] {
  return listOfRecords(record(result)?.MatchedStatements)
    .map((s) => s.SourcePolicyId)
    .filter((id): id is string => typeof id === 'string');
}

function whoDenies(d: Decision): string {
  const r = record(d.result) ?? {};
  if (record(r.OrganizationsDecisionDetail)?.AllowedByOrganizations === false) {
    return 'a service control policy (SCP) of your AWS Organization';
  }
  if (record(r.PermissionsBoundaryDecisionDetail)?.AllowedByPermissionsBoundary === false) {
    return 'the role\'s permissions boundary';
  }
  if (d.decision === 'explicitDeny') {
    const policies = sourcePolicies(d.result);
    return `an explicit Deny${policies.length ? ` in ${policies.join(', ')}` : ''}`;
  }
  return 'no policy of the role allows it';
}

export function judgeRequirements(requirements: Requirement[], results: EvaluationResult[]): JudgedRequirement[] {
  return requirements.map((requirement) => {
    const actions = [requirement.action, ...(requirement.alternatives ?? [])];
    const decisions = actions.flatMap((a) => decisionsFor(results, a, requirement.resource));
    const missingContext = [...new Set(decisions.flatMap((d) => d.result.MissingContextValues ?? []))];
    const matchedPolicies = [...new Set(decisions.flatMap((d) => sourcePolicies(d.result)))];
    if (decisions.length === 0) return { requirement, verdict: 'not-simulated', missingContext, matchedPolicies };
    const allowed = decisions.find((d) => d.decision === 'allowed');
    if (allowed) return { requirement, verdict: 'allowed', decision: 'allowed', missingContext, matchedPolicies };
    const worst = decisions.find((d) => d.decision === 'explicitDeny') ?? decisions[0]!;
    return { requirement, verdict: 'denied', decision: worst.decision, deniedBy: whoDenies(worst), missingContext, matchedPolicies };
  });
}

/** "kafka-cluster:Connect on arn:…: IAM auth: connect to the brokers (implicitDeny: no policy of the role allows it)". */
export function describeJudged(j: JudgedRequirement): string {
  const r = j.requirement;
  const actions = [r.action, ...(r.alternatives ?? [])].join(' or ');
  const why = j.verdict === 'denied' ? ` (${j.decision}: ${j.deniedBy})` : j.verdict === 'not-simulated' ? ' (not simulated)' : '';
  const context = j.missingContext.length ? ` [the simulation lacked the context keys ${j.missingContext.join(', ')}]` : '';
  const optional = r.severity === 'warn' ? ' — the ESM runs without it' : '';
  return `${actions} on ${r.resource}: ${r.why}${why}${context}${optional}`;
}

/**
 * The Allow statements that grant the requirements: one statement per set of resources that need
 * the same actions, so the policy stays short and each resource stays scoped.
 */
export function allowPolicyFor(requirements: Requirement[]): PolicyDocument {
  const byResource = new Map<string, Set<string>>();
  for (const r of requirements) {
    const set = byResource.get(r.resource) ?? new Set<string>();
    set.add(r.action);
    byResource.set(r.resource, set);
  }
  const byActions = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [resource, actions] of byResource) {
    const sorted = [...actions].sort();
    const key = sorted.join(',');
    const entry = byActions.get(key) ?? { actions: sorted, resources: [] };
    entry.resources.push(resource);
    byActions.set(key, entry);
  }
  const one = (xs: string[]) => (xs.length === 1 ? xs[0]! : xs);
  return {
    Version: '2012-10-17',
    Statement: [...byActions.values()].map(({ actions, resources }) => ({ Effect: 'Allow', Action: one(actions), Resource: one(resources) })),
  };
}

/** The execution role's ARN and name come from bot/model/role.ts (one derivation for collect and checks). */
export { roleArnOf, roleNameOf } from '../../model/role';
