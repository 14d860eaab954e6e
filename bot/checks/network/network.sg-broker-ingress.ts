import type { SecurityGroup, Subnet } from '../../model/snapshot';
import { fail, pass, skip, warn, type Outcome } from '../check';
import { authorizeIngressCommand, describeSgRule, permissionCoversPort, securityGroupsAdmitting, securityGroupsOnRange } from '../lib/net/security-groups';
import { portText, type PortRange } from '../lib/net/cidr';
import { brokerPorts, esmSubnets } from '../lib/esm-network';
import { remedy } from '../lib/remedy';
import { esmGroupsFound, subnetText, vpcCheck } from './lib';

function selfRulesOnOtherPorts(groups: SecurityGroup[], ids: string[], port: number): string[] {
  return groups.flatMap((g) =>
    (g.IpPermissions ?? [])
      .filter((r) => !permissionCoversPort(r, port) && (r.UserIdGroupPairs ?? []).some((p) => p.GroupId && ids.includes(p.GroupId)))
      .map((r) => describeSgRule(g.GroupId, r, 'ingress')),
  );
}

export const sgBrokerIngress = vpcCheck({
  id: 'network.sg-broker-ingress',
  title: 'The brokers\' security groups admit the ESM on the broker port',
  explains: ['internal-error', 'connection-error', 'broker-connection', 'stuck'],
  probe: [
    { probe: 'probe.tcp', probeCanClear: true, networkPosition: true },
  ],
  run(snapshot, pos): Outcome {
    const { placement } = pos;
    const ports = brokerPorts(snapshot, pos);
    if (!ports) {
      return skip(
        placement.kind === 'msk'
          ? 'Lambda has no authentication mode it can use with this cluster, so there is no broker port to check (auth.mode says why).'
          : 'KAFKA_BOOTSTRAP_SERVERS has no valid host:port entry, so there is no broker port to check (kafka.bootstrap-dns says which).',
      );
    }
    const groups = esmGroupsFound(snapshot, pos);
    if (!groups.ok) return groups.outcome;
    const { ids, found, missing } = groups.value;
    const subnets = esmSubnets(snapshot, placement);
    const cidrs = subnets.ok ? subnets.value.found.map((s) => s.CidrBlock).filter((c): c is string => !!c) : [];
    const missingNote = missing.length ? ` ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} configured but not returned by DescribeSecurityGroups.` : '';

    const region = pos.region;
    if (placement.kind === 'msk-vpc-connection' && ports.range) {
      return vpcConnectionIngress(ports.range, ports.why, ids, found, cidrs, pos.vpcConnection?.TargetClusterArn, missingNote, region);
    }
    if (placement.kind === 'msk') return mskIngress(ports.ports[0]!, ports.why, ids, found, subnets.ok ? subnets.value.found : [], cidrs, missingNote, subnets.ok ? undefined : subnets.outcome, region);
    return selfManagedIngress(ports.ports, ids, found, cidrs, region);
  },
});

function mskIngress(
  port: number,
  why: string,
  ids: string[],
  groups: SecurityGroup[],
  subnets: Subnet[],
  cidrs: string[],
  missingNote: string,
  subnetsError: Outcome | undefined,
  region: string,
): Outcome {
  const ev = securityGroupsAdmitting(groups, port, { groupIds: ids, cidrs });
  const resources = [...ids, ...subnets.map((s) => s.SubnetId)];
  const broad = ev.openToAll.length
    ? ` Note: ${ev.openToAll.map((r) => r.text).join('; ')} — open to the whole internet range, broader than the ESM needs; a self-referencing rule on ${port} is enough.`
    : '';
  if (ev.allowed) {
    const how = ev.byGroup.length
      ? `${ev.byGroup[0]!.text}: the ESM's ENIs carry the cluster's groups, so this admits them`
      : ev.byCidr.map((c) => `${c.cidr} via ${c.rule!.text}`).join('; ');
    return pass(`Lambda connects on ${port} (${why}). ${how}.${broad}${missingNote}`, { resources });
  }
  if (subnetsError && !ev.byGroup.length) return subnetsError;
  const uncovered = ev.byCidr.filter((c) => !c.rule).map((c) => subnets.find((s) => s.CidrBlock === c.cidr)).filter((s): s is Subnet => !!s);
  const onPort = ev.onPort.length ? `On ${port} they allow only: ${ev.onPort.map((r) => r.text).join('; ')}.` : `No inbound rule of ${ids.join(', ')} covers ${port}.`;
  const otherPorts = selfRulesOnOtherPorts(groups, ids, port);
  const elsewhere = otherPorts.length ? ` The self-referencing rules they do have are on other ports (${otherPorts.join('; ')}): right idea, wrong port for this auth mode.` : '';
  // The subnets are listed once, in the detail's first sentence: when none is covered, say so instead of listing them again.
  const notCovered = !uncovered.length ? '' : uncovered.length === subnets.length ? ` None of ${subnets.length === 1 ? 'it' : `these ${subnets.length}`} is covered.` : ` Not covered: ${uncovered.map(subnetText).join(', ')}.`;
  const fix = remedy(
    `Add a self-referencing rule on ${port} to ${ids[0]!}: the ESM's ENIs carry the cluster's security group, so this admits exactly them.`,
    [authorizeIngressCommand(ids[0]!, port, { groupId: ids[0]! }, region)],
  );
  const detail = `Lambda connects to the brokers on ${port} (${why}) from ENIs in ${subnets.map(subnetText).join(', ') || 'the client subnets'} that carry ${ids.join(', ')}. ${onPort}${notCovered}${elsewhere}${missingNote}`;
  if (ev.prefixLists.length) {
    return warn(
      `Cluster security group may not admit the ESM on ${port}`,
      `${detail} ${ev.prefixLists.map((r) => r.text).join('; ')}: esm-doctor cannot see the prefix list's entries, so it cannot tell whether they cover the subnets.`,
      fix,
      { resources },
    );
  }
  return fail(`Cluster security group ${ids.join(', ')} does not admit the ESM on ${port}`, detail, fix, { resources });
}

/**
 * Cross-account: Lambda reaches the other account's brokers through the VPC connection's interface
 * endpoints, which sit in the connection's subnets and carry its security groups; the ESM's ENIs carry
 * the same groups. So the side of the path this account owns is those groups admitting the ESM on
 * the multi-VPC ports. The cluster's own groups are the cluster owner's, in an account esm-doctor
 * cannot read.
 */
function vpcConnectionIngress(range: PortRange, why: string, ids: string[], groups: SecurityGroup[], cidrs: string[], clusterArn: string | undefined, missingNote: string, region: string): Outcome {
  const ev = securityGroupsOnRange(groups, range, { groupIds: ids, cidrs }, 'ingress');
  const resources = ids;
  const span = portText(range);
  const owner = ` The cluster's own security groups${clusterArn ? ` (${clusterArn})` : ''} are in the other account: esm-doctor cannot read them, and the cluster owner answers for that side.`;
  const rules = ev.rules.map((r) => r.text).join('; ');
  if (ev.blocked.length === 0) {
    return pass(`Lambda reaches the brokers through the VPC connection's endpoints on ${span} (${why}). ${rules}: the endpoints and the ESM's ENIs both carry ${ids.join(', ')}, so this admits the ESM.${owner}${missingNote}`, { resources });
  }
  const fix = remedy(
    `Let ${ids[0]!} admit itself on ${span}: the VPC connection's endpoints and the ESM's ENIs both carry it, so a self-referencing rule admits exactly the ESM on every multi-VPC broker port.`,
    [authorizeIngressCommand(ids[0]!, range, { groupId: ids[0]! }, region)],
  );
  const detail = `Lambda reaches the brokers through the VPC connection's endpoints on ${span} (${why}); the endpoints carry ${ids.join(', ')}.`;
  if (ev.allowed.length > 0) {
    return warn(
      `The VPC connection's security group admits the ESM on ${ev.allowed.map(portText).join(', ')} only`,
      `${detail} ${rules} admit${ev.rules.length === 1 ? 's' : ''} the ESM on ${ev.allowed.map(portText).join(', ')} only, not on ${ev.blocked.map(portText).join(', ')}: enough while the cluster has no broker on those ports, which esm-doctor cannot tell (the cluster is another account's).${owner}${missingNote}`,
      fix,
      { resources },
    );
  }
  if (ev.prefixLists.length) {
    return warn(`The VPC connection's security group may not admit the ESM on ${span}`, `${detail} Only prefix-list rules cover the range (${ev.prefixLists.map((r) => r.text).join('; ')}), whose entries esm-doctor cannot see.${owner}${missingNote}`, fix, { resources });
  }
  return fail(`The VPC connection's security group ${ids.join(', ')} does not admit the ESM on ${span}`, `${detail} No inbound rule of ${ids.join(', ')} admits the ESM (${ids.join(', ')} or ${cidrs.join(', ') || 'its subnets'}) on those ports.${owner}${missingNote}`, fix, { resources });
}

function selfManagedIngress(ports: number[], ids: string[], groups: SecurityGroup[], cidrs: string[], region: string): Outcome {
  const evals = ports.map((port) => ({ port, ev: securityGroupsAdmitting(groups, port, { groupIds: ids, cidrs }) }));
  const guarded = evals.filter((e) => e.ev.onPort.length > 0);
  const portList = ports.join(', ');

  if (guarded.length === 0) {
    return skip(
      `esm-doctor cannot see which security groups the brokers carry (they are not an AWS resource it reads). The ESM's groups ${ids.join(', ')} have no inbound rule on ${portList}, so the brokers apparently use other groups: those must admit ${portList} from ${ids.join(', ')}${cidrs.length ? ` or from ${cidrs.join(', ')}` : ''}.`,
      { fix: `On the brokers' security group, allow inbound TCP ${portList} from ${ids.join(', ')} (ec2 authorize-security-group-ingress with --source-group ${ids[0]!}).`, resources: ids },
    );
  }
  const blocked = guarded.filter((e) => !e.ev.allowed);
  if (blocked.length === 0) {
    return pass(
      `${guarded.map((e) => (e.ev.byGroup[0] ?? e.ev.onPort[0])!.text).join('; ')}. If the brokers carry ${ids.join(', ')} too, the ESM is admitted (esm-doctor cannot see the brokers' groups; a broker with other groups needs its own rule).`,
      { resources: ids },
    );
  }
  return warn(
    `Security group ${ids.join(', ')} guards ${blocked.map((e) => e.port).join(', ')} but does not admit the ESM`,
    `${ids.join(', ')} has inbound rules on the broker port, so it looks like the brokers' group as well, yet none admits the ESM (its own group or ${cidrs.join(', ') || 'its subnets'}): ${blocked.map((e) => e.ev.onPort.map((r) => r.text).join('; ')).join('; ')}. If the brokers carry this group, the ESM cannot connect.`,
    remedy(
      `If the brokers carry ${ids[0]!}, let it admit the ESM on ${blocked.map((e) => e.port).join(', ')} (a self-referencing rule).`,
      blocked.map((e) => authorizeIngressCommand(ids[0]!, e.port, { groupId: ids[0]! }, region)),
    ),
    { resources: ids },
  );
}
