/**
 * A group of execution-role requirements (model/permissions) judged against the simulation: which
 * are denied, and the remedy that grants them (the statement as a document, the put-role-policy
 * command with the real role name). Shared by the newer-feature checks so each stays small.
 */
import type { Requirement, RequirementGroup } from '../../model/permissions';
import type { Remedy } from '../../model/report';
import type { Snapshot } from '../../model/snapshot';
import { putRolePolicy } from './commands';
import { regionOf } from './resources';
import { allowPolicyFor, describeJudged, judgeRequirements, requirementsOf, roleArnOf, roleNameOf, type JudgedRequirement } from './policy';

export interface GroupVerdict {
  requirements: Requirement[];
  denied: JudgedRequirement[];
  unsimulated: JudgedRequirement[];
  /** Undefined when the simulation is missing or failed (the caller reports it). */
  simulated: boolean;
}

export function judgeGroup(snapshot: Snapshot, group: RequirementGroup): GroupVerdict {
  const requirements = requirementsOf(snapshot).filter((r) => r.group === group);
  const sim = snapshot.permissions;
  if (!sim || !sim.ok) return { requirements, denied: [], unsimulated: [], simulated: false };
  const judged = judgeRequirements(requirements, sim.value);
  return {
    requirements,
    denied: judged.filter((j) => j.verdict === 'denied'),
    unsimulated: judged.filter((j) => j.verdict === 'not-simulated'),
    simulated: true,
  };
}

export function deniedLines(denied: JudgedRequirement[]): string {
  return denied.map((j) => describeJudged(j)).join('; ');
}

/** The remedy granting `denied` to the execution role as an inline policy named `policyName`. */
export function grantRemedy(snapshot: Snapshot, denied: JudgedRequirement[], policyName: string, why: string): Remedy {
  const policy = allowPolicyFor(denied.map((j) => j.requirement));
  const role = roleNameOf(snapshot);
  const arn = roleArnOf(snapshot);
  return {
    summary: `Allow the execution role${arn ? ` ${arn}` : ''} ${[...new Set(denied.map((j) => j.requirement.action))].join(', ')}: ${why}`,
    documents: [{ title: 'Statement to add to the execution role', json: policy }],
    ...(role ? { commands: [putRolePolicy({ roleName: role, policyName, document: policy, region: regionOf(snapshot) })] } : {}),
  };
}
