/**
 * Fix plans from a diagnosis: pure functions of the Snapshot and the findings. Only four remedies
 * are mechanical and reversible enough to apply without a person at the keyboard:
 *
 * - network.sg-broker-ingress (MSK): a self-referencing inbound rule on the broker port. The ESM's
 *   ENIs carry the cluster's security groups, so this admits exactly them (docs: with-msk-cluster-network).
 * - iam.execution-role: the missing statements as a new inline policy of esm-doctor's own.
 * - secret.msk-scram: associating a secret that already meets MSK's rules (AmazonMSK_ name,
 *   customer managed key) but is not associated.
 * - esm.state: re-enabling a mapping Lambda disabled, once nothing else fails.
 *
 * Everything else stays a command for a person: a new secret, endpoint, route or NAT gateway costs
 * money or needs a choice only the owner can make (which key, which subnet), and a trust policy or
 * an ESM's network settings change who may do what in ways a reviewer must read in full.
 */
import { createHash } from 'node:crypto';
import { accessConfigs, clusterClientAuth, esmSource } from '../model/esm';
import { canonicalJson, sealPlan, type ApiCall, type FixPlan, type PlanStep } from '../model/fix-plan';
import type { Finding } from '../model/report';
import type { Snapshot } from '../model/snapshot';
import { valueOf } from '../checks/check';
import {
  authorizeSgIngressPermissions,
  batchAssociateScramSecret,
  batchDisassociateScramSecret,
  deleteRolePolicy,
  putRolePolicy,
  revokeSgIngressPermissions,
  updateEsm,
} from '../checks/lib/commands';
import { brokerPorts, esmPosition, esmSecurityGroups } from '../checks/lib/esm-network';
import { allowPolicyFor, judgeRequirements, requirementsOf, roleNameOf, type PolicyDocument } from '../checks/lib/policy';
import { regionOf } from '../checks/lib/resources';
import { sameSecret, secretNameFromArn } from '../checks/secrets';

/** The checks a plan can exist for; every other finding's remedy stays commands for a person. */
export const PLANNED_CHECKS = ['network.sg-broker-ingress', 'iam.execution-role', 'secret.msk-scram', 'esm.state'] as const;

/** The inline policies esm-doctor writes start with this (the check's printed command uses it bare). */
export const POLICY_PREFIX = 'esm-doctor-kafka-event-source';

/** What the message says about findings without a plan. */
export const NOT_AUTOMATED =
  'Only four fixes are applied automatically: the cluster security group\'s self-referencing rule, the execution role\'s missing statements, ' +
  'associating a valid SCRAM secret with the cluster, and re-enabling a mapping Lambda disabled once nothing else fails. Everything else is a command for you to run.';

type Esm = FixPlan['esm'];

function esmOf(snapshot: Snapshot): Esm {
  const account = snapshot.target.account ?? valueOf(snapshot.caller)?.Account;
  const arn = snapshot.esm.EventSourceMappingArn ?? snapshot.target.arn;
  return { uuid: snapshot.target.uuid, region: regionOf(snapshot), ...(account ? { account } : {}), ...(arn ? { arn } : {}) };
}

function plan(kind: FixPlan['kind'], check: string, snapshot: Snapshot, steps: PlanStep[]): FixPlan {
  return sealPlan({ kind, check, esm: esmOf(snapshot), steps });
}

const call = (service: ApiCall['service'], operation: string, params: Record<string, unknown>): ApiCall => ({ service, operation, params });

// ---------------------------------------------------------------------------------------------
// network.sg-broker-ingress

/** An SG rule description allows letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (EC2 API, IpRange/UserIdGroupPair Description). */
export function ruleDescription(uuid: string, port: number): string {
  return `esm-doctor: Lambda ESM ${uuid} to the brokers on ${port}`.replace(/[^A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, '_').slice(0, 255);
}

export function sgSelfIngressPlan(finding: Finding, snapshot: Snapshot, findings: readonly Finding[] = [finding]): FixPlan | undefined {
  if (finding.status !== 'fail') return undefined;
  // The port follows from the auth mode: while auth.mode fails, the port may be the wrong one.
  if (findings.some((f) => f.check === 'auth.mode' && f.status === 'fail')) return undefined;
  const pos = esmPosition(snapshot);
  // Only MSK: its brokers carry the cluster's groups, which the ESM's ENIs carry too. For a
  // self-managed cluster esm-doctor cannot see the brokers' groups, so the rule might admit nothing.
  if (!pos.ok || pos.value.placement.kind !== 'msk') return undefined;
  const port = brokerPorts(snapshot, pos.value)?.ports[0];
  const groups = valueOf(snapshot.network?.securityGroups);
  if (port === undefined || !groups) return undefined;
  const groupId = esmSecurityGroups(pos.value.placement, groups, snapshot.network?.vpcId).ids[0];
  if (!groupId) return undefined;
  const region = regionOf(snapshot);
  const rule = { IpProtocol: 'tcp', FromPort: port, ToPort: port };
  const add = [{ ...rule, UserIdGroupPairs: [{ GroupId: groupId, Description: ruleDescription(snapshot.esm.UUID, port) }] }];
  // Revoke matches on protocol, ports and peer. The description goes along unchanged: EC2 ignores it
  // when matching, and an emulator that compares it (moto) then finds the rule too.
  const remove = add;
  return plan('sg-self-ingress', finding.check, snapshot, [
    {
      call: call('ec2', 'AuthorizeSecurityGroupIngress', { GroupId: groupId, IpPermissions: add }),
      effect: `Security group ${groupId} admits TCP ${port} from itself (the ESM's ENIs and the brokers carry it).`,
      undo: call('ec2', 'RevokeSecurityGroupIngress', { GroupId: groupId, IpPermissions: remove }),
      command: authorizeSgIngressPermissions({ groupId, ipPermissions: add, region }),
      undoCommand: revokeSgIngressPermissions({ groupId, ipPermissions: remove, region }),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// iam.execution-role

/**
 * The policy is named after its content, so it never replaces a policy that already exists: the
 * undo (DeleteRolePolicy) then restores the role exactly. Re-planning the same statements gives the
 * same name, so a retry finds the identical policy and changes nothing (bot/remediate/apply.ts).
 */
export function rolePolicyName(document: PolicyDocument): string {
  return `${POLICY_PREFIX}-${createHash('sha256').update(canonicalJson(document)).digest('hex').slice(0, 12)}`;
}

/** The statements the check shows, recomputed the same way; undefined when an Allow would not help. */
export function missingStatements(snapshot: Snapshot): PolicyDocument | undefined {
  const simulation = valueOf(snapshot.permissions);
  if (!simulation) return undefined;
  const judged = judgeRequirements(requirementsOf(snapshot).filter((r) => r.group === 'execution-role'), simulation);
  const denied = judged.filter((j) => j.verdict === 'denied' && j.requirement.severity !== 'optional');
  if (!denied.some((j) => j.requirement.severity === 'fail')) return undefined;
  // An explicit Deny, a permissions boundary or an SCP wins over any Allow: adding one fixes nothing.
  if (denied.some((j) => /SCP|boundary|explicit Deny/.test(j.deniedBy ?? ''))) return undefined;
  return allowPolicyFor(denied.map((j) => j.requirement));
}

export function rolePolicyPlan(finding: Finding, snapshot: Snapshot): FixPlan | undefined {
  if (finding.status !== 'fail') return undefined;
  const roleName = roleNameOf(snapshot);
  const document = missingStatements(snapshot);
  if (!roleName || !document) return undefined;
  // Exactly what the finding shows, or nothing: a plan must never grant more than the reader saw.
  const shown = finding.remedy?.documents?.some((d) => canonicalJson(d.json) === canonicalJson(document));
  if (!shown) return undefined;
  const region = regionOf(snapshot);
  const policyName = rolePolicyName(document);
  const actions = document.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).filter((a): a is string => typeof a === 'string');
  return plan('role-policy', finding.check, snapshot, [
    {
      call: call('iam', 'PutRolePolicy', { RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }),
      effect: `Role ${roleName} gets a new inline policy ${policyName} allowing ${[...new Set(actions)].join(', ')}.`,
      undo: call('iam', 'DeleteRolePolicy', { RoleName: roleName, PolicyName: policyName }),
      command: putRolePolicy({ roleName, policyName, document, region }),
      undoCommand: deleteRolePolicy({ roleName, policyName, region }),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// secret.msk-scram

/** The ESM's SCRAM secrets that meet MSK's rules and are not associated: the only ones worth associating. */
export function associableSecrets(snapshot: Snapshot): string[] {
  if (esmSource(snapshot.esm) !== 'msk') return [];
  const cluster = valueOf(snapshot.cluster);
  if (!cluster || clusterClientAuth(cluster)?.Sasl?.Scram?.Enabled !== true) return [];
  const associated = valueOf(snapshot.scramSecrets)?.SecretArnList;
  if (!associated) return [];
  const out: string[] = [];
  for (const config of accessConfigs(snapshot.esm, 'SASL_SCRAM_512_AUTH')) {
    const facts = snapshot.secrets.find((s) => s.arn === config.URI);
    const described = valueOf(facts?.describe);
    const key = valueOf(facts?.kmsKey);
    // Only a full ARN Secrets Manager itself returned, never the URI as typed.
    if (!described?.ARN || described.DeletedDate) continue;
    if (associated.some((a) => sameSecret(a, described.ARN!) || sameSecret(a, config.URI))) continue;
    if (!(described.Name ?? secretNameFromArn(described.ARN)).startsWith('AmazonMSK_')) continue;
    const customerKey = !!described.KmsKeyId && !/alias\/aws\/secretsmanager$/.test(described.KmsKeyId) && key?.KeyManager === 'CUSTOMER';
    if (!customerKey) continue;
    out.push(described.ARN);
  }
  return [...new Set(out)];
}

export function scramAssociatePlan(finding: Finding, snapshot: Snapshot): FixPlan | undefined {
  if (finding.status !== 'fail') return undefined;
  const secrets = associableSecrets(snapshot);
  const clusterArn = snapshot.esm.EventSourceArn;
  if (!secrets.length || !clusterArn) return undefined;
  const region = regionOf(snapshot);
  const params = { ClusterArn: clusterArn, SecretArnList: secrets };
  return plan('scram-associate', finding.check, snapshot, [
    {
      call: call('kafka', 'BatchAssociateScramSecret', params),
      effect: `Cluster ${clusterArn} accepts the SCRAM user${secrets.length > 1 ? 's' : ''} of ${secrets.join(', ')}.`,
      undo: call('kafka', 'BatchDisassociateScramSecret', params),
      command: batchAssociateScramSecret({ clusterArn, secretArns: secrets, region }),
      undoCommand: batchDisassociateScramSecret({ clusterArn, secretArns: secrets, region }),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// esm.state

/**
 * Re-enable only a mapping Lambda disabled, and only when nothing else fails: the cause must be gone,
 * or Lambda disables it again. esm.last-result is allowed to fail while the mapping is not Enabled:
 * its message was recorded before Lambda stopped the mapping. A setup check that could not run
 * (error) leaves the cause unproven, so it blocks the plan too.
 */
export function esmEnablePlan(finding: Finding, snapshot: Snapshot, findings: readonly Finding[]): FixPlan | undefined {
  if (finding.status !== 'fail' || snapshot.esm.State !== 'Disabled') return undefined;
  if (!/^Lambda disabled/.test(finding.title)) return undefined;
  const blocking = findings.filter(
    (f) => f.check !== finding.check && (f.status === 'fail' ? f.check !== 'esm.last-result' : f.status === 'error' && f.step >= 1 && f.step <= 6),
  );
  if (blocking.length) return undefined;
  const region = regionOf(snapshot);
  const uuid = snapshot.esm.UUID;
  return plan('esm-enable', finding.check, snapshot, [
    {
      call: call('lambda', 'UpdateEventSourceMapping', { UUID: uuid, Enabled: true }),
      effect: `Mapping ${uuid} is enabled again: Lambda recreates its pollers and resumes from the committed offsets.`,
      undo: call('lambda', 'UpdateEventSourceMapping', { UUID: uuid, Enabled: false }),
      command: updateEsm({ uuid, enabled: true, region }),
      undoCommand: updateEsm({ uuid, enabled: false, region }),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------

/** The plan for one finding, or undefined when it has none (most findings). */
export function planFor(finding: Finding, snapshot: Snapshot, findings: readonly Finding[] = [finding]): FixPlan | undefined {
  switch (finding.check) {
    case 'network.sg-broker-ingress':
      return sgSelfIngressPlan(finding, snapshot, findings);
    case 'iam.execution-role':
      return rolePolicyPlan(finding, snapshot);
    case 'secret.msk-scram':
      return scramAssociatePlan(finding, snapshot);
    case 'esm.state':
      return esmEnablePlan(finding, snapshot, findings);
    default:
      return undefined;
  }
}

/** The findings with `remedy.plan` set where a plan exists. A planner that throws leaves the finding as it was. */
export function attachPlans(findings: Finding[], snapshot: Snapshot): Finding[] {
  return findings.map((finding) => {
    if (!finding.remedy) return finding;
    let fix: FixPlan | undefined;
    try {
      fix = planFor(finding, snapshot, findings);
    } catch {
      fix = undefined;
    }
    return fix ? { ...finding, remedy: { ...finding.remedy, plan: fix } } : finding;
  });
}

/** Every plan a report carries, in its findings' order. */
export function plansOf(findings: readonly Finding[]): FixPlan[] {
  return findings.flatMap((f) => (f.remedy?.plan ? [f.remedy.plan] : []));
}
