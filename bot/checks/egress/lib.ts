/** Helpers shared by the egress checks; index.ts says what the area checks and why. */
import { isProvisionedMode, secretConfigs } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import type { Step } from '../../model/report';
import { fail, pass, skip, warn, type Check, type Outcome } from '../check';
import type { PolicyRequest } from '../lib/policy';
import { esmPosition, pathFacts, servicePathFix, servicePaths, type SubnetServicePath } from '../lib/esm-network';
import { AWS_DOCS } from '../lib/aws-docs';

export interface EgressSpec<Id extends string = string> {
  id: Id;
  step: Step;
  service: 'sts' | 'secretsmanager' | 'lambda';
  label: string;
  /** What Lambda does with the service, for the evidence. */
  purpose: string;
  explains?: Check['explains'];
  request(snapshot: Snapshot): PolicyRequest;
}

export const LAMBDA_SERVICE = { service: 'lambda.amazonaws.com' };

export function account(snapshot: Snapshot): string | undefined {
  return snapshot.target.account ?? (snapshot.caller?.ok ? snapshot.caller.value.Account : undefined);
}

export function pathResources(paths: SubnetServicePath[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    out.add(p.subnet.SubnetId);
    if (p.internet.routeTableId) out.add(p.internet.routeTableId);
    if (p.internet.kind !== 'unverifiable' && p.internet.natGatewayId) out.add(p.internet.natGatewayId);
    for (const a of p.assessments) out.add(a.endpoint.VpcEndpointId);
    if (p.gatewayEndpointId) out.add(p.gatewayEndpointId);
  }
  return [...out];
}

/** Subnets that share the same evidence, said once: "subnet-a, subnet-b (eu-west-1a, eu-west-1b): …". */
export function pathLines(paths: SubnetServicePath[]): string {
  const byEvidence = new Map<string, SubnetServicePath[]>();
  for (const p of paths) {
    const key = p.evidence.join('; ');
    byEvidence.set(key, [...(byEvidence.get(key) ?? []), p]);
  }
  return [...byEvidence]
    .map(([evidence, ps]) => `${ps.map((p) => p.subnet.SubnetId).join(', ')} (${ps.map((p) => p.subnet.AvailabilityZone ?? p.subnet.AvailabilityZoneId ?? 'AZ?').join(', ')}): ${evidence}`)
    .join('. ');
}

export function subnetCount(n: number, total: number): string {
  return n === total ? (total === 1 ? 'The ESM subnet' : `None of the ${total} ESM subnets`) : `${n} of ${total} ESM subnets`;
}

export function egressCheck<const Id extends string>(spec: EgressSpec<Id>): Check<Id, never> {
  return {
    id: spec.id,
    step: spec.step,
    title: `The ESM's subnets can reach ${spec.label}`,
    docs: AWS_DOCS.mskNetwork,
    ...(spec.explains ? { explains: spec.explains } : {}),
    run(snapshot): Outcome {
      const pos = esmPosition(snapshot);
      if (!pos.ok) return pos.outcome;
      const { placement } = pos.value;
      if (placement.kind === 'internet') {
        return skip(`The ESM is not in a VPC (no VPC_SUBNET / VPC_SECURITY_GROUP): Lambda ${spec.purpose} from its own network, not through yours.`);
      }
      if (spec.service === 'secretsmanager' && secretConfigs(snapshot.esm).length === 0) {
        return skip('The ESM uses no secret, so Lambda never calls Secrets Manager for it.');
      }
      if (isProvisionedMode(snapshot.esm)) {
        return skip(
          `The ESM is in provisioned mode (ProvisionedPollerConfig is set): Lambda ${spec.purpose} from its own network, so the VPC needs no NAT gateway or ${spec.service} endpoint for it.`,
        );
      }
      const facts = pathFacts(snapshot, pos.value);
      if (!facts.ok) return facts.outcome;
      if (facts.value.subnets.length === 0) return skip('None of the ESM\'s subnets was found; network.subnets reports it.');

      const paths = servicePaths(facts.value, { service: spec.service, request: spec.request(snapshot) });
      const blocked = paths.filter((p) => p.status === 'blocked');
      const unsure = paths.filter((p) => p.status === 'unverifiable' || p.status === 'caution');
      const resources = pathResources(paths);
      const why = `The ESM runs in on-demand mode in ${facts.value.vpcId ?? 'a VPC'}, so Lambda ${spec.purpose} from the ESM's ENIs: every subnet needs a 0.0.0.0/0 route to a NAT gateway or a usable ${spec.service} interface endpoint.`;
      if (blocked.length) {
        return fail(
          `${subnetCount(blocked.length, paths.length)} ${blocked.length === paths.length && paths.length > 1 ? 'can' : 'cannot'} reach ${spec.label}`,
          `${why} ${pathLines(blocked)}.${unsure.length ? ` Also unsure: ${pathLines(unsure)}.` : ''}`,
          servicePathFix(facts.value, spec.service, blocked),
          { resources },
        );
      }
      if (unsure.length) {
        return warn(
          `The path from the ESM's subnets to ${spec.label} could not be confirmed`,
          `${why} ${pathLines(unsure)}.`,
          servicePathFix(facts.value, spec.service, unsure),
          { resources },
        );
      }
      return pass(`${why} ${pathLines(paths)}.`, { resources });
    },
  };
}
