import { esmSource } from '../../model/esm';
import type { SecurityGroup } from '../../model/snapshot';
import { fail, pass, skip, valueOf, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { esmPosition, esmSubnets } from '../lib/esm-network';
import { remedy } from '../lib/remedy';
import { regionOf } from '../lib/resources';
import { updateVpcConfigCommand } from './lib';

export const selfManagedVpc = defineCheck({
  id: 'network.self-managed-vpc',
  step: 4,
  title: 'The self-managed ESM\'s VPC configuration is complete and consistent',
  docs: AWS_DOCS.selfManagedNetwork,
  explains: ['connection-error', 'broker-connection', 'ESM_CONFIG_NOT_VALID'],
  run(snapshot): Outcome {
    const source = esmSource(snapshot.esm);
    if (source !== 'self-managed') return skip(source === 'msk' ? 'MSK ESMs take their subnets and security groups from the cluster; VPC_SUBNET / VPC_SECURITY_GROUP do not apply.' : 'This is not a Kafka event source mapping.');
    const pos = esmPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    if (placement.kind === 'internet') {
      return pass(
        'The ESM has no VPC_SUBNET / VPC_SECURITY_GROUP, so it connects to the brokers over the internet: they must be publicly reachable (public DNS names that resolve to public addresses, the port open to Lambda\'s public addresses, advertised listeners public too).',
      );
    }
    const { subnetIds, securityGroupIds } = placement;
    if (subnetIds.length === 0 || securityGroupIds.length === 0) {
      const missing = subnetIds.length === 0 ? 'VPC_SUBNET' : 'VPC_SECURITY_GROUP';
      const present = subnetIds.length === 0 ? `VPC_SECURITY_GROUP (${securityGroupIds.join(', ')})` : `VPC_SUBNET (${subnetIds.join(', ')})`;
      return fail(
        `The ESM has ${present.split(' ')[0]} but no ${missing}`,
        `The ESM lists ${present} but no ${missing}. Lambda needs both to place its ENIs in your VPC: subnets say where, security groups say with which rules.`,
        `Add the missing ${missing} entries to the ESM's source access configurations (update-event-source-mapping replaces the whole list, so repeat the current ones): ${subnetIds.length ? 'the security groups its ENIs should carry (security_group:sg-…)' : 'the subnets of the brokers\' VPC (subnet:subnet-…)'}.`,
        { resources: [...subnetIds, ...securityGroupIds] },
      );
    }
    const found = esmSubnets(snapshot, placement);
    if (!found.ok) return found.outcome;
    const vpcs = [...new Set(found.value.found.map((s) => s.VpcId))];
    const resources = [...subnetIds, ...securityGroupIds];
    if (vpcs.length > 1) {
      return fail(
        'The ESM\'s subnets are in different VPCs',
        `VPC_SUBNET names subnets of ${vpcs.length} VPCs: ${found.value.found.map((s) => `${s.SubnetId} in ${s.VpcId}`).join(', ')}. An ESM's ENIs all live in one VPC.`,
        remedy(`Keep only subnets of the brokers' VPC (${vpcs[0]}).`, [updateVpcConfigCommand(snapshot.esm, found.value.found.filter((s) => s.VpcId === vpcs[0]).map((s) => s.SubnetId), securityGroupIds, regionOf(snapshot))]),
        { resources },
      );
    }
    const groups = valueOf(snapshot.network?.securityGroups) ?? [];
    const strays = securityGroupIds.map((id) => groups.find((g) => g.GroupId === id)).filter((g): g is SecurityGroup => !!g && !!g.VpcId && g.VpcId !== vpcs[0]);
    if (strays.length) {
      return fail(
        'A security group of the ESM belongs to another VPC',
        `${strays.map((g) => `${g.GroupId} is in ${g.VpcId}`).join(', ')}, but the subnets are in ${vpcs[0]}; a security group only attaches to ENIs of its own VPC.`,
        (() => {
          const kept = securityGroupIds.filter((id) => !strays.some((g) => g.GroupId === id));
          return remedy(
            `Use security groups of ${vpcs[0]}: replace ${strays.map((g) => g.GroupId).join(', ')} with a group of that VPC${kept.length ? ' (the command keeps the others; add the replacement to its list)' : ''}.`,
            kept.length ? [updateVpcConfigCommand(snapshot.esm, subnetIds, kept, regionOf(snapshot))] : [],
          );
        })(),
        { resources },
      );
    }
    const missingNote = found.value.missing.length ? ` (${found.value.missing.join(', ')} not found: network.subnets reports it)` : '';
    return pass(`VPC_SUBNET ${subnetIds.join(', ')} and VPC_SECURITY_GROUP ${securityGroupIds.join(', ')}, all in ${vpcs[0] ?? 'one VPC'}${missingNote}.`, { resources });
  },
});
