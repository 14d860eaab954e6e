/**
 * network.nacl: the flows the ESM's traffic makes through the subnets' network ACLs (broker port
 * both ways, replies on the ephemeral ports, 443 to AWS services), judged by lib/net/flows.ts.
 */
import type { Snapshot, Subnet } from '../../model/snapshot';
import type { Placement } from '../../model/esm';
import { fail, pass, warn, valueOf, type Outcome } from '../check';
import { ANYWHERE, EPHEMERAL_PORTS, cidrCovers, portText, type PortRange } from '../lib/net/cidr';
import { FlowCollector, blockedText, groupBlocked, naclFixes } from '../lib/net/flows';
import { internetPathOf, vpcCidrsFromRoutes } from '../lib/net/routes';
import { awsEndpointTargets } from '../lib/aws-egress';
import { brokerPorts, callsAwsThroughVpc, esmSubnets, needFact } from '../lib/esm-network';
import { remedy } from '../lib/remedy';
import { selfManagedBrokerCidrs, vpcCheck } from './lib';

/** MSK: every poller ENI talks to brokers in every client subnet; traffic inside one subnet never meets its ACL. */
function mskBrokerFlows(flows: FlowCollector, esm: Subnet[], portRanges: PortRange[]): void {
  for (const src of esm) {
    for (const dst of esm) {
      if (src.SubnetId === dst.SubnetId) continue;
      for (const ports of portRanges) {
        flows.client(src, dst.CidrBlock!, ports, `the ESM reaching brokers in the other client subnets on ${portText(ports)}`, 'the brokers\' replies reaching the ESM');
        flows.server(dst, src.CidrBlock!, ports, `brokers accepting the ESM on ${portText(ports)}`, 'the brokers\' replies leaving for the ESM');
      }
    }
  }
  if (esm.length < 2) flows.note('the cluster has a single client subnet, so broker traffic never crosses a subnet boundary');
}

/** Self-managed: the ESM side only (the brokers' subnets are unknown), towards the addresses DNS gave. */
function selfManagedBrokerFlows(flows: FlowCollector, esm: Subnet[], portRanges: PortRange[], snapshot: Snapshot): void {
  const brokers = selfManagedBrokerCidrs(snapshot);
  const vague = brokers.length === 0;
  if (vague) flows.note('the broker addresses are unknown (DNS did not resolve them where esm-doctor ran), so only "somewhere" could be checked');
  for (const s of esm) {
    // A broker inside the ENI's own subnet is reached without crossing the subnet's ACL.
    const targets = vague ? [ANYWHERE] : brokers.filter((b) => !cidrCovers(s.CidrBlock!, b));
    for (const cidr of targets) {
      for (const ports of portRanges) flows.client(s, cidr, ports, `the ESM reaching the brokers on ${portText(ports)}`, 'the brokers\' replies reaching the ESM', vague);
    }
  }
  flows.note('the brokers\' own subnets are not known to esm-doctor; their ACLs must admit the port from the ESM subnets and let the replies out');
}

/**
 * On-demand: 443 to the AWS services the egress.* checks trace, through the NAT gateway (to
 * "somewhere") or to the interface endpoints in other subnets of the subnet's own VPC.
 */
function awsFlows(flows: FlowCollector, esm: Subnet[], snapshot: Snapshot, vpcId: string | undefined): void {
  const tables = valueOf(snapshot.network?.routeTables);
  const nats = valueOf(snapshot.network?.natGateways) ?? [];
  for (const s of esm) {
    const subnetVpc = s.VpcId ?? vpcId;
    const dests = new Set<string>();
    if (tables && internetPathOf(s.SubnetId, tables, nats, subnetVpc).kind === 'nat') dests.add(ANYWHERE);
    // An interface in the ENI's own subnet is reached without crossing the subnet's ACL.
    for (const t of awsEndpointTargets(snapshot, subnetVpc)) for (const c of t.cidrs) if (c !== s.CidrBlock) dests.add(c);
    for (const cidr of dests) {
      const via = cidr === ANYWHERE;
      flows.client(s, cidr, { from: 443, to: 443 }, `ESM → AWS services on 443 (${via ? 'through the NAT gateway' : 'to the VPC endpoints'})`, `replies from AWS services (${via ? 'through the NAT gateway' : 'from the VPC endpoints'})`, via);
    }
  }
  if (!tables) flows.note('the route tables could not be read, so the 443 path through a NAT gateway was not checked');
}

function collectFlows(flows: FlowCollector, snapshot: Snapshot, placement: Placement, esm: Subnet[], portRanges: PortRange[], vpcId: string | undefined): void {
  // Cross-account: the VPC connection's endpoints sit in the same subnets as the ESM's ENIs, so the flows have the MSK shape.
  if (placement.kind === 'msk' || placement.kind === 'msk-vpc-connection') mskBrokerFlows(flows, esm, portRanges);
  else selfManagedBrokerFlows(flows, esm, portRanges, snapshot);
  if (callsAwsThroughVpc(snapshot, placement)) awsFlows(flows, esm, snapshot, vpcId);
}

export const nacl = vpcCheck({
  id: 'network.nacl',
  title: 'The subnets\' network ACLs let the broker traffic and its replies through',
  explains: ['connection-error', 'broker-connection'],
  probe: [
    { probe: 'probe.tcp', probeCanClear: false, networkPosition: true },
  ],
  run(snapshot, pos): Outcome {
    const { placement } = pos;
    const acls = needFact(snapshot.network?.networkAcls, 'the network ACLs', 'ec2:DescribeNetworkAcls');
    if (!acls.ok) return acls.outcome;
    const subnets = esmSubnets(snapshot, placement);
    if (!subnets.ok) return subnets.outcome;
    const vpcId = snapshot.network?.vpcId;
    const esm = subnets.value.found.filter((s) => s.CidrBlock);
    const ports = brokerPorts(snapshot, pos);
    const flows = new FlowCollector(acls.value, vpcId);
    collectFlows(flows, snapshot, placement, esm, ports?.range ? [ports.range] : (ports?.ports ?? []).map((p) => ({ from: p, to: p })), vpcId);
    const { blocked, vagueBlocked } = flows.judge();
    const notes = flows.notes;
    const aclIds = flows.aclIds();
    const resources = [...aclIds, ...esm.map((s) => s.SubnetId)];
    const noteText = notes.length ? ` Note: ${notes.join('; ')}.` : '';
    const vpcCidrs = vpcCidrsFromRoutes(valueOf(snapshot.network?.routeTables) ?? [], vpcId);
    if (blocked.length) {
      const groups = groupBlocked(blocked);
      return fail(
        `Network ACL ${[...new Set(blocked.map((b) => b.flow.acl.NetworkAclId))].join(', ')} blocks the ESM's traffic`,
        `Network ACLs are stateless: each direction, the replies on ephemeral ports ${portText(EPHEMERAL_PORTS)} included, needs its own allow rule. ${groups.map(blockedText).join('. ')}.${noteText}`,
        remedy('Add allow entries numbered below the blocking rule (rule numbers chosen free).', naclFixes(groups, vpcCidrs, pos.region)),
        { resources },
      );
    }
    if (vagueBlocked.length) {
      const groups = groupBlocked(vagueBlocked);
      return warn(
        'Network ACLs allow the ESM\'s traffic only to some addresses',
        `${groups.map(blockedText).join('. ')}. Whether the real destination is among the allowed addresses cannot be told from here.${noteText}`,
        remedy('If the destination is outside what is allowed, add allow entries numbered below the blocking rule.', naclFixes(groups, vpcCidrs, pos.region)),
        { resources },
      );
    }
    if (flows.flows.length === 0) return pass(`No ESM traffic crosses a network ACL that esm-doctor can evaluate.${noteText}`, { resources });
    return pass(`${aclIds.join(', ')} allow${aclIds.length === 1 ? 's' : ''} the broker port${ports ? ` (${ports.range ? portText(ports.range) : ports.ports.join(', ')})` : ''} both ways and the replies on ${portText(EPHEMERAL_PORTS)}${callsAwsThroughVpc(snapshot, placement) ? ', and 443 to AWS services' : ''}.${noteText}`, { resources });
  },
});
