/** Helpers shared by the network checks (step 4): the ESM's VPC position, subnet text, the VPC-config command. */
import type { EsmConfig, Snapshot, Subnet } from '../../model/snapshot';
import { skip, valueOf } from '../check';
import { isIpv4 } from '../lib/net/cidr';
import { esmPosition } from '../lib/esm-network';
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
