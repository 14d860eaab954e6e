/**
 * IAM policy documents and SimulatePrincipalPolicy answers, as the IAM checks need them: decode a
 * document as IAM returns it, match actions and principals the way IAM does (case-insensitive
 * actions, `*` and `?` wildcards), judge the ESM's requirements against the simulation, and write the
 * policy statement that grants what is missing.
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
  let json = text;
  try {
    json = decodeURIComponent(text);
  } catch {
    // Not URL-encoded (a literal % in plain JSON): use it as is.
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return { ok: false, reason: `it is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
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

/** The condition keys a statement tests, lower-cased (condition keys are case-insensitive). */
export function conditionKeys(statement: PolicyStatement): string[] {
  const keys: string[] = [];
  for (const block of Object.values(statement.Condition ?? {})) {
    if (block && typeof block === 'object') keys.push(...Object.keys(block).map((k) => k.toLowerCase()));
  }
  return keys;
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
