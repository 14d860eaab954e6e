import { fail, pass, warn, type Outcome } from '../check';
import { ANYWHERE } from '../lib/net/cidr';
import { authorizeEgressCommand, securityGroupsAllowingEgress, securityGroupsOnRange } from '../lib/net/security-groups';
import { portText } from '../lib/net/cidr';
import { awsEndpointTargets, awsServicesCalled } from '../lib/aws-egress';
import { brokerPorts, callsAwsThroughVpc, esmSubnets, placementText } from '../lib/esm-network';
import { remedy } from '../lib/remedy';
import { esmGroupsFound, selfManagedBrokerCidrs, vpcCheck } from './lib';

export const sgEgress = vpcCheck({
  id: 'network.sg-egress',
  title: 'The ESM\'s security groups let it out to the brokers (and to AWS on 443)',
  explains: ['vpc-service-access', 'internal-error', 'connection-error', 'broker-connection'],
  probe: [
    { probe: 'probe.tcp', probeCanClear: false, networkPosition: true },
  ],
  run(snapshot, pos): Outcome {
    const { placement } = pos;
    const groups = esmGroupsFound(snapshot, pos);
    if (!groups.ok) return groups.outcome;
    const { ids, found } = groups.value;
    const vpcId = snapshot.network?.vpcId;
    const subnets = esmSubnets(snapshot, placement);
    const subnetCidrs = subnets.ok ? subnets.value.found.map((s) => s.CidrBlock).filter((c): c is string => !!c) : [];
    const problems: string[] = [];
    const cautions: string[] = [];
    const fixes: string[] = [];
    const unknownPeers: string[] = [];
    const fine: string[] = [];
    const ports = brokerPorts(snapshot, pos);

    // Cross-account: out to the VPC connection's endpoints (same groups, same subnets) on every multi-VPC port.
    const range = placement.kind === 'msk-vpc-connection' ? ports?.range : undefined;
    if (range) {
      const ev = securityGroupsOnRange(found, range, { groupIds: ids, cidrs: subnetCidrs }, 'egress');
      const span = portText(range);
      if (ev.blocked.length === 0) fine.push(`${span} to the VPC connection's endpoints: ${ev.rules.map((r) => r.text).join('; ')}`);
      else if (ev.allowed.length === 0 && ev.prefixLists.length) cautions.push(`${span}: only prefix-list rules (${ev.prefixLists.map((r) => r.text).join('; ')}), whose entries esm-doctor cannot see`);
      else if (ev.allowed.length > 0) cautions.push(`${span}: only ${ev.allowed.map(portText).join(', ')} may leave for the VPC connection's endpoints; brokers on ${ev.blocked.map(portText).join(', ')} (if the other account's cluster has them) would be out of reach`);
      else {
        problems.push(`no outbound rule of ${ids.join(', ')} lets the multi-VPC broker ports ${span} out to the VPC connection's endpoints (${ids.join(', ')} or ${subnetCidrs.join(', ') || 'its subnets'}), so Lambda cannot reach any broker of the other account's cluster`);
        fixes.push(authorizeEgressCommand(ids[0]!, range, { groupId: ids[0]! }, pos.region));
      }
    }

    for (const port of range ? [] : (ports?.ports ?? [])) {
      if (placement.kind === 'msk') {
        const ev = securityGroupsAllowingEgress(found, port, { groupIds: ids, cidrs: subnetCidrs });
        if (ev.allowed) fine.push((ev.byGroup[0] ?? ev.byCidr[0]?.rule ?? ev.openToAll[0])!.text);
        else if (ev.prefixLists.length) cautions.push(`port ${port}: only prefix-list rules (${ev.prefixLists.map((r) => r.text).join('; ')}), whose entries esm-doctor cannot see`);
        else {
          problems.push(`no outbound rule of ${ids.join(', ')} lets ${port} out to the brokers (${ids.join(', ')} or ${subnetCidrs.join(', ') || 'the client subnets'})${ev.onPort.length ? `; on ${port} there is only: ${ev.onPort.map((r) => r.text).join('; ')}` : ''}`);
          fixes.push(authorizeEgressCommand(ids[0]!, port, { groupId: ids[0]! }, pos.region));
        }
        continue;
      }
      const brokers = selfManagedBrokerCidrs(snapshot);
      const ev = securityGroupsAllowingEgress(found, port, { groupIds: ids, cidrs: brokers });
      if (brokers.length === 0) {
        if (ev.onPort.length) fine.push(`${ev.onPort[0]!.text} (the broker addresses are unknown, so esm-doctor cannot tell whether it covers them)`);
        else {
          problems.push(`no outbound rule of ${ids.join(', ')} covers ${port} at all`);
          unknownPeers.push(`allow ${port} out of ${ids[0]!} to the brokers' addresses (unknown to esm-doctor: the bootstrap names did not resolve where it ran)`);
        }
      } else if (ev.allowed) fine.push((ev.byGroup[0] ?? ev.byCidr[0]?.rule ?? ev.openToAll[0])!.text);
      else if (ev.prefixLists.length || ev.onPort.some((r) => (r.rule.UserIdGroupPairs ?? []).length > 0)) {
        cautions.push(`port ${port}: the rules (${ev.onPort.map((r) => r.text).join('; ')}) name prefix lists or other groups; esm-doctor cannot tell whether the brokers (${brokers.join(', ')}) are among them`);
      } else {
        const uncovered = ev.byCidr.filter((c) => !c.rule).map((c) => c.cidr);
        problems.push(`no outbound rule of ${ids.join(', ')} lets ${port} out to the broker addresses ${uncovered.join(', ')} (resolved from ${snapshot.dns?.source ?? 'DNS'} where esm-doctor ran)${ev.onPort.length ? `; on ${port} there is only: ${ev.onPort.map((r) => r.text).join('; ')}` : ''}`);
        for (const cidr of uncovered.slice(0, 3)) fixes.push(authorizeEgressCommand(ids[0]!, port, { cidr }, pos.region));
      }
    }

    let awsNote = '';
    if (callsAwsThroughVpc(snapshot, placement)) {
      const world = securityGroupsAllowingEgress(found, 443, { groupIds: [], cidrs: [ANYWHERE] });
      if (world.allowed) fine.push(`443 to the internet: ${world.openToAll[0]!.text}`);
      else {
        const services = awsServicesCalled(snapshot);
        const targets = awsEndpointTargets(snapshot, vpcId);
        const eps = targets.map((t) => t.endpoint);
        const unreached = targets.filter((t) => !securityGroupsAllowingEgress(found, 443, { groupIds: t.groupIds, cidrs: t.cidrs }).allowed).map((t) => t.endpoint);
        if (eps.length > 0 && unreached.length === 0) fine.push(`443 to the VPC endpoints ${eps.map((e) => e.VpcEndpointId).join(', ')}`);
        else if (world.prefixLists.length) cautions.push(`443 is allowed only to prefix lists (${world.prefixLists.map((r) => r.text).join('; ')}); esm-doctor cannot see whether they cover STS and Lambda`);
        else {
          const toWhat = eps.length ? `the endpoints ${unreached.map((e) => e.VpcEndpointId).join(', ')} or the internet` : 'the internet (the path through a NAT gateway to STS and Lambda)';
          problems.push(`the ESM runs in on-demand mode, so it calls STS and Lambda${services.includes('secretsmanager') ? ' and Secrets Manager' : ''} over 443 from these groups, but no outbound rule lets 443 out to ${toWhat}${world.onPort.length ? `; on 443 there is only: ${world.onPort.map((r) => r.text).join('; ')}` : ''}`);
          const ep = unreached[0];
          const epGroup = ep?.Groups?.[0]?.GroupId;
          fixes.push(authorizeEgressCommand(ids[0]!, 443, epGroup ? { groupId: epGroup } : { cidr: ANYWHERE }, pos.region));
        }
      }
    } else {
      awsNote = ' 443 egress to AWS services is not needed: the ESM is in provisioned mode, where Lambda reaches STS and the function from its own network.';
    }

    const resources = ids;
    const portNote = ports ? '' : ' The broker port is unknown (no usable auth mode or bootstrap entry), so only 443 was checked.';
    if (problems.length) {
      return fail(
        `The ESM's security groups block its outbound traffic`,
        `The ESM's ENIs carry ${ids.join(', ')} (${placementText(placement)}). ${problems.join('. ')}.${cautions.length ? ` Also: ${cautions.join('; ')}.` : ''}${portNote}`,
        remedy(
          [fixes.length ? `Add the outbound rule${fixes.length > 1 ? 's' : ''} to ${ids[0]!}.` : '', ...unknownPeers.map((u) => `${u.charAt(0).toUpperCase()}${u.slice(1)}.`)].filter(Boolean).join(' '),
          fixes,
        ),
        { resources },
      );
    }
    if (cautions.length) return warn('The ESM\'s outbound rules could not be fully verified', `${cautions.join('; ')}.${fine.length ? ` Allowed: ${fine.join('; ')}.` : ''}${portNote}`, undefined, { resources });
    return pass(`${ids.join(', ')} allow${ids.length === 1 ? 's' : ''} the ESM out: ${fine.join('; ') || 'nothing needed'}.${awsNote}${portNote}`, { resources });
  },
});
