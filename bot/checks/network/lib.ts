/** Helpers shared by the network checks (step 4): the ESM's VPC position, subnet text, the VPC-config command. */
import type { EsmConfig, SecurityGroup, Snapshot, Subnet } from '../../model/snapshot';
import { couldNotRead, defineCheck, skip, valueOf, type Check, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { isIpv4 } from '../lib/net/cidr';
import { esmPosition, esmSecurityGroups, needFact, type EsmPosition, type Needed } from '../lib/esm-network';
import { updateEsm } from '../lib/commands';

/** MSK rejects client subnets in this AZ, and Lambda cannot place ENIs there (MSK API: BrokerNodeGroupInfo.ClientSubnets). */
export const UNSUPPORTED_AZ_IDS = ['use1-az3'];
/** Below this many free addresses a scale-out of the ESM's pollers or an MSK broker replacement may not fit. */
export const LOW_FREE_IPS = 10;

export const INTERNET_SKIP =
  'The ESM has no VPC_SUBNET / VPC_SECURITY_GROUP, so Lambda reaches the brokers over the internet from its own network: there are no security groups, ACLs or subnets of yours on the ESM side to check.';

/** The ESM's position when it sits in a VPC; a skip (it reaches the brokers over the internet) or the unread fact otherwise. */
export function vpcPosition(snapshot: Snapshot): ReturnType<typeof esmPosition> {
  const pos = esmPosition(snapshot);
  if (pos.ok && pos.value.placement.kind === 'internet') return { ok: false, outcome: skip(INTERNET_SKIP) };
  return pos;
}

export function subnetText(s: Subnet): string {
  return `${s.SubnetId} (${s.CidrBlock ?? 'CIDR unknown'})`;
}

/** The ESM's SourceAccessConfigurations with VPC_SUBNET / VPC_SECURITY_GROUP replaced: the list `update-event-source-mapping` needs (it replaces the whole list). */
export function updateVpcConfigCommand(esm: EsmConfig, subnets: string[], groups: string[], region: string): string {
  const others = (esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== 'VPC_SUBNET' && c.Type !== 'VPC_SECURITY_GROUP').map((c) => ({ Type: c.Type, URI: c.URI }));
  const list = [
    ...others,
    ...subnets.map((s) => ({ Type: 'VPC_SUBNET', URI: `subnet:${s}` })),
    ...groups.map((g) => ({ Type: 'VPC_SECURITY_GROUP', URI: `security_group:${g}` })),
  ];
  return updateEsm({ uuid: esm.UUID, sourceAccessConfigurations: list, region });
}

/** Broker addresses for self-managed Kafka, as far as DNS (from where esm-doctor ran) told us: IPv4 /32s. */
export function selfManagedBrokerCidrs(snapshot: Snapshot): string[] {
  const entries = valueOf(snapshot.dns) ?? [];
  return [...new Set(entries.flatMap((e) => e.addresses).filter(isIpv4).map((a) => `${a}/32`))];
}

/**
 * A step-4 check of an ESM whose ENIs sit in a VPC: an ESM on the internet is skipped (INTERNET_SKIP)
 * and an unreadable position becomes the outcome before `run` sees the position.
 */
export function vpcCheck<const Id extends string, const Ref extends string = never>(
  spec: Omit<Check<Id, Ref>, 'step' | 'docs' | 'run'> & { docs?: string; run(snapshot: Snapshot, pos: EsmPosition): Outcome },
): Check<Id, Ref> {
  return defineCheck<Id, Ref, EsmPosition>({
    step: 4,
    docs: AWS_DOCS.mskNetwork,
    ...spec,
    needs: vpcPosition,
  });
}

/** The ESM's security groups as DescribeSecurityGroups returned them; none found is the `error` outcome naming the call. */
export function esmGroupsFound(snapshot: Snapshot, pos: EsmPosition): Needed<{ ids: string[]; found: SecurityGroup[]; missing: string[] }> {
  const sgFact = needFact(snapshot.network?.securityGroups, 'the security groups', 'ec2:DescribeSecurityGroups');
  if (!sgFact.ok) return sgFact;
  const groups = esmSecurityGroups(pos.placement, sgFact.value, snapshot.network?.vpcId);
  if (groups.found.length > 0) return { ok: true, value: groups };
  const ids = groups.ids.join(', ');
  return {
    ok: false,
    outcome: couldNotRead(`the ESM's security groups (${ids || 'none configured'})`, {
      source: 'ec2:DescribeSecurityGroups',
      error: { code: 'NotFound', message: `DescribeSecurityGroups did not return ${ids || 'any group'}`, action: 'ec2:DescribeSecurityGroups' },
    }),
  };
}
