import { type Placement } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { fail, pass, skip, warn, type Outcome } from '../check';
import { esmSubnets, placementText } from '../lib/esm-network';
import type { Remedy } from '../../model/report';
import { listAvailableEnis } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { regionOf } from '../lib/resources';
import { UNSUPPORTED_AZ_IDS, LOW_FREE_IPS, updateVpcConfigCommand, vpcCheck } from './lib';

export const subnets = vpcCheck({
  id: 'network.subnets',
  title: 'The ESM\'s subnets exist, are in supported AZs and have free addresses',
  explains: ['connection-error', 'broker-connection', 'ESM_CONFIG_NOT_VALID', 'stuck'],
  run(snapshot, pos): Outcome {
    const { placement } = pos;
    if (placement.subnetIds.length === 0) {
      if (placement.kind === 'msk-vpc-connection') return skip('The VPC connection lists no client subnets.');
      return skip(placement.kind === 'msk' ? 'The cluster lists no client subnets.' : 'The ESM has VPC_SECURITY_GROUP but no VPC_SUBNET; network.self-managed-vpc reports it.');
    }
    const f = snapshot.network?.subnets;
    if (f && !f.ok && /InvalidSubnetID\.NotFound/i.test(f.error.code)) {
      const named = [...f.error.message.matchAll(/subnet-[0-9a-f]+/g)].map((m) => m[0]);
      const missing = named.length ? named : placement.subnetIds;
      return missingSubnets(snapshot, placement, missing);
    }
    const found = esmSubnets(snapshot, placement);
    if (!found.ok) return found.outcome;
    if (found.value.missing.length) return missingSubnets(snapshot, placement, found.value.missing);

    const list = found.value.found;
    const failures: Array<{ title: string; detail: string }> = [];
    const cautions: string[] = [];
    const bad = new Set<string>();
    const vpcs = [...new Set(list.map((s) => s.VpcId))];
    // A self-managed ESM's VPC_SUBNET list is network.self-managed-vpc's to judge as a whole (with
    // its security groups): one fail for one mistake. An MSK cluster's client subnets are judged here.
    if (vpcs.length > 1 && (placement.kind === 'msk' || placement.kind === 'msk-vpc-connection')) {
      failures.push({
        title: 'The ESM\'s subnets are in different VPCs',
        detail: `the subnets are in different VPCs: ${list.map((s) => `${s.SubnetId} in ${s.VpcId}`).join(', ')}; the ESM's ENIs must all be in one VPC`,
      });
    }
    for (const s of list) {
      if (s.AvailabilityZoneId && UNSUPPORTED_AZ_IDS.includes(s.AvailabilityZoneId)) {
        failures.push({
          title: `Subnet ${s.SubnetId} is in ${s.AvailabilityZoneId}, which Lambda and MSK do not support`,
          detail: `${s.SubnetId} is in ${s.AvailabilityZone ?? ''} (AZ id ${s.AvailabilityZoneId}), where Lambda cannot place the ESM's ENIs and MSK allows no client subnets`,
        });
        bad.add(s.SubnetId);
      }
      if (s.AvailableIpAddressCount === 0) {
        failures.push({
          title: `Subnet ${s.SubnetId} has no free IP address`,
          detail: `${s.SubnetId} (${s.CidrBlock ?? '?'}) has no free IP address left: Lambda cannot create the ESM's ENI there`,
        });
        bad.add(s.SubnetId);
      } else if (s.AvailableIpAddressCount !== undefined && s.AvailableIpAddressCount < LOW_FREE_IPS) {
        cautions.push(`${s.SubnetId} (${s.CidrBlock ?? '?'}) has only ${s.AvailableIpAddressCount} free IP address${s.AvailableIpAddressCount === 1 ? '' : 'es'}: new ENIs (the ESM scaling out, other workloads) may not fit`);
        bad.add(s.SubnetId);
      }
    }
    const resources = list.map((s) => s.SubnetId);
    const fix = subnetFix(snapshot, placement, [...bad]);
    if (failures.length) {
      const title = failures.length === 1 ? failures[0]!.title : `${failures[0]!.title} (+${failures.length - 1} more subnet problem${failures.length > 2 ? 's' : ''})`;
      return fail(title, `${failures.map((f) => f.detail).join('. ')}.${cautions.length ? ` Also: ${cautions.join('; ')}.` : ''}`, fix, { resources });
    }
    if (cautions.length) return warn('A subnet of the ESM is running out of IP addresses', `${cautions.join('. ')}.`, fix, { resources });
    return pass(
      `${list.length} subnet${list.length === 1 ? '' : 's'} in ${vpcs.length > 1 ? `${vpcs.join(', ')} (network.self-managed-vpc reports the split)` : vpcs[0] ?? 'the VPC'}: ${list.map((s) => `${s.SubnetId} (${s.AvailabilityZoneId ?? s.AvailabilityZone ?? 'AZ?'}, ${s.AvailableIpAddressCount ?? '?'} free IPs)`).join(', ')}.`,
      { resources },
    );
  },
});

function missingSubnets(snapshot: Snapshot, placement: Placement, missing: string[]): Outcome {
  return fail(
    `Subnet ${missing.join(', ')} does not exist`,
    `${placementText(placement)} name${missing.length === 1 ? 's' : ''} ${missing.join(', ')}, but EC2 does not know ${missing.length === 1 ? 'it' : 'them'} in ${snapshot.target.region} (deleted, or in another account or region). Lambda cannot create the ESM's ENI there.`,
    subnetFix(snapshot, placement, missing),
    { resources: missing },
  );
}

function subnetFix(snapshot: Snapshot, placement: Placement, bad: string[]): Remedy {
  const region = regionOf(snapshot);
  if (placement.kind === 'self-managed-vpc') {
    const keep = placement.subnetIds.filter((s) => !bad.includes(s));
    // Which subnet to use instead is the reader's choice: the command keeps the good ones only.
    return remedy(
      `Point the ESM at subnets that work (same VPC, a supported AZ, free addresses) instead of ${bad.join(', ') || 'the subnet'}: add a replacement subnet (VPC_SUBNET, subnet:subnet-…) to the list before running the command${keep.length ? ', which keeps the others' : ''}.`,
      keep.length ? [updateVpcConfigCommand(snapshot.esm, keep, placement.securityGroupIds, region)] : [],
    );
  }
  return remedy(
    `An MSK cluster's client subnets cannot be changed in place: free addresses in ${bad.join(', ') || 'the subnets'} (unused ENIs are listed by the command), or move the consumers to a cluster whose client subnets are in supported AZs with room.`,
    bad.length ? [listAvailableEnis({ subnetIds: bad, region })] : [],
  );
}
