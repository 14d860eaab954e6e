import type { NetworkAcl, NetworkAclEntry, Subnet } from '../../model/snapshot';
import { fail, pass, warn, valueOf, defineCheck } from '../check';
import { ANYWHERE, EPHEMERAL_PORTS, cidrCovers, collapseCidrs, portText, type PortRange } from '../lib/net/cidr';
import { interfaceEndpointsFor } from '../lib/net/endpoints';
import { createNaclEntryCommand, describeNaclEntry, naclAllows, naclPortSegments, networkAclOf, type NaclQuery } from '../lib/net/nacl';
import { internetPathOf, vpcCidrsFromRoutes } from '../lib/net/routes';
import { AWS_DOCS } from '../lib/aws-docs';
import { brokerPorts, callsAwsThroughVpc, esmSubnets, needFact } from '../lib/esm-network';
import { remedy } from '../lib/remedy';
import { vpcPosition, selfManagedBrokerCidrs } from './lib';

interface NaclFlow {
  subnet: Subnet;
  acl: NetworkAcl;
  query: NaclQuery;
  /** What this traffic is, for the evidence. */
  purpose: string;
  /** The far side is only known roughly (0.0.0.0/0 stands for "somewhere"): a partial answer is a caution, not a failure. */
  vague: boolean;
}

function flowKey(f: NaclFlow): string {
  return `${f.acl.NetworkAclId}|${f.query.direction}|${f.query.ports.from}-${f.query.ports.to}|${f.query.cidr}`;
}

interface Blocked {
  flow: NaclFlow;
  verdict: 'deny' | 'partial';
  entry?: NetworkAclEntry;
}

/** Blocked flows that share an ACL, a direction, a port range and the rule that blocks them: one sentence, one fix. */
interface BlockedGroup {
  acl: NetworkAcl;
  direction: 'ingress' | 'egress';
  ports: PortRange;
  entry?: NetworkAclEntry;
  verdict: 'deny' | 'partial';
  cidrs: string[];
  subnets: string[];
  purposes: string[];
}

function groupBlocked(items: Blocked[]): BlockedGroup[] {
  const byKey = new Map<string, BlockedGroup>();
  for (const b of items) {
    const q = b.flow.query;
    const key = `${b.flow.acl.NetworkAclId}|${q.direction}|${q.ports.from}-${q.ports.to}|${b.entry?.RuleNumber ?? '*'}|${b.verdict}`;
    const g = byKey.get(key) ?? { acl: b.flow.acl, direction: q.direction, ports: q.ports, verdict: b.verdict, ...(b.entry ? { entry: b.entry } : {}), cidrs: [], subnets: [], purposes: [] };
    for (const [list, value] of [[g.cidrs, q.cidr], [g.subnets, b.flow.subnet.SubnetId], [g.purposes, b.flow.purpose]] as const) if (!list.includes(value)) list.push(value);
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

function blockedText(g: BlockedGroup): string {
  const rule = g.entry ? describeNaclEntry(g.entry) : 'the implicit final deny (no rule matches)';
  const dir = g.direction === 'egress' ? 'outbound' : 'inbound';
  return `${g.acl.NetworkAclId} (on ${g.subnets.join(', ')}): ${dir} tcp ${portText(g.ports)} ${g.direction === 'egress' ? 'to' : 'from'} ${g.cidrs.join(', ')} is ${g.verdict === 'deny' ? 'denied' : 'partly denied'} by ${rule} — needed for ${g.purposes.join('; ')}`;
}

/** One allow entry per group, CIDRs collapsed, entries another one already covers dropped, rule numbers distinct. */
function naclFixes(groups: BlockedGroup[], vpcCidrs: string[], region: string): string[] {
  const proposals = groups.flatMap((g) => collapseCidrs(g.cidrs, vpcCidrs).map((cidr) => ({ g, cidr })));
  const kept = proposals.filter(
    (p, i) =>
      !proposals.some(
        (o, j) =>
          j !== i &&
          o.g.acl.NetworkAclId === p.g.acl.NetworkAclId &&
          o.g.direction === p.g.direction &&
          o.g.ports.from <= p.g.ports.from &&
          p.g.ports.to <= o.g.ports.to &&
          cidrCovers(o.cidr, p.cidr) &&
          (o.g.ports.from !== p.g.ports.from || o.g.ports.to !== p.g.ports.to || o.cidr !== p.cidr || j < i),
      ),
  );
  const taken = new Map<string, Set<number>>();
  return kept.map(({ g, cidr }) => {
    // The new allow must come before every rule that blocks a flow it is meant to let through.
    const before = Math.min(
      ...groups
        .filter((o) => o.acl.NetworkAclId === g.acl.NetworkAclId && o.direction === g.direction && g.ports.from <= o.ports.from && o.ports.to <= g.ports.to && o.cidrs.every((c) => cidrCovers(cidr, c)))
        .map((o) => o.entry?.RuleNumber ?? 32767),
      g.entry?.RuleNumber ?? 32767,
    );
    const key = `${g.acl.NetworkAclId}|${g.direction}`;
    const set = taken.get(key) ?? new Set<number>();
    taken.set(key, set);
    return createNaclEntryCommand(g.acl, { direction: g.direction, ports: g.ports, cidr }, before, set, region);
  });
}

/** Of a reply range, at most this share may be blocked before it counts as blocking the replies. */
const NEGLIGIBLE_SHARE = 0.01;

/**
 * A few ports of the ephemeral range denied by a hardening rule (22, 3389 ...) only break the rare
 * connection whose local port lands there: record a note instead of failing.
 */
function isNegligible(flow: NaclFlow, notes: string[]): boolean {
  const { ports } = flow.query;
  const total = ports.to - ports.from + 1;
  if (total < 100) return false;
  const segments = naclPortSegments(flow.acl, flow.query).filter((s) => s.verdict !== 'allow');
  const blocked = segments.reduce((n, s) => n + s.ports.to - s.ports.from + 1, 0);
  if (blocked / total > NEGLIGIBLE_SHARE) return false;
  const what = segments.map((s) => `${portText(s.ports)}${s.entry ? ` (rule ${s.entry.RuleNumber})` : ''}`).join(', ');
  const note = `${flow.acl.NetworkAclId} blocks ${what} inside the ${flow.query.direction === 'egress' ? 'outbound' : 'inbound'} reply range ${portText(ports)} ${flow.query.direction === 'egress' ? 'to' : 'from'} ${flow.query.cidr}: only a connection whose local port lands there fails`;
  if (!notes.includes(note)) notes.push(note);
  return true;
}

export const nacl = defineCheck({
  id: 'network.nacl',
  step: 4,
  title: 'The subnets\' network ACLs let the broker traffic and its replies through',
  docs: AWS_DOCS.mskNetwork,
  run(snapshot) {
    const pos = vpcPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    const acls = needFact(snapshot.network?.networkAcls, 'the network ACLs', 'ec2:DescribeNetworkAcls');
    if (!acls.ok) return acls.outcome;
    const subnets = esmSubnets(snapshot, placement);
    if (!subnets.ok) return subnets.outcome;
    const vpcId = snapshot.network?.vpcId;
    const esm = subnets.value.found.filter((s) => s.CidrBlock);
    const flows: NaclFlow[] = [];
    const notes: string[] = [];
    // Each subnet's ACL lives in that subnet's own VPC (a self-managed ESM may list subnets of several).
    const aclOf = (s: Subnet) => networkAclOf(s.SubnetId, acls.value, s.VpcId ?? vpcId)?.acl;
    const add = (subnet: Subnet, query: NaclQuery, purpose: string, vague = false) => {
      const acl = aclOf(subnet);
      if (acl) flows.push({ subnet, acl, query, purpose, vague });
      else notes.push(`no network ACL is associated with ${subnet.SubnetId} and the VPC has no default ACL in the snapshot`);
    };
    const ports = brokerPorts(snapshot, pos.value);
    const portRanges: PortRange[] = (ports?.ports ?? []).map((p) => ({ from: p, to: p }));

    if (placement.kind === 'msk') {
      // Every poller ENI talks to brokers in every client subnet; traffic inside one subnet never meets its ACL.
      for (const src of esm) {
        for (const dst of esm) {
          if (src.SubnetId === dst.SubnetId) continue;
          for (const ports of portRanges) {
            add(src, { direction: 'egress', ports, cidr: dst.CidrBlock! }, `the ESM reaching brokers in the other client subnets on ${portText(ports)}`);
            add(src, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr: dst.CidrBlock! }, 'the brokers\' replies reaching the ESM');
            add(dst, { direction: 'ingress', ports, cidr: src.CidrBlock! }, `brokers accepting the ESM on ${portText(ports)}`);
            add(dst, { direction: 'egress', ports: EPHEMERAL_PORTS, cidr: src.CidrBlock! }, 'the brokers\' replies leaving for the ESM');
          }
        }
      }
      if (esm.length < 2) notes.push('the cluster has a single client subnet, so broker traffic never crosses a subnet boundary');
    } else {
      const brokers = selfManagedBrokerCidrs(snapshot);
      const vague = brokers.length === 0;
      if (vague) notes.push('the broker addresses are unknown (DNS did not resolve them where esm-doctor ran), so only "somewhere" could be checked');
      for (const s of esm) {
        // A broker inside the ENI's own subnet is reached without crossing the subnet's ACL.
        const targets = vague ? [ANYWHERE] : brokers.filter((b) => !cidrCovers(s.CidrBlock!, b));
        for (const cidr of targets) {
          for (const ports of portRanges) {
            add(s, { direction: 'egress', ports, cidr }, `the ESM reaching the brokers on ${portText(ports)}`, vague);
            add(s, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr }, 'the brokers\' replies reaching the ESM', vague);
          }
        }
      }
      notes.push('the brokers\' own subnets are not known to esm-doctor; their ACLs must admit the port from the ESM subnets and let the replies out');
    }

    if (callsAwsThroughVpc(snapshot, placement)) {
      const tables = valueOf(snapshot.network?.routeTables);
      const nats = valueOf(snapshot.network?.natGateways) ?? [];
      const endpoints = valueOf(snapshot.network?.vpcEndpoints) ?? [];
      const allSubnets = valueOf(snapshot.network?.subnets) ?? [];
      const services = ['sts', 'lambda', 'secretsmanager'];
      for (const s of esm) {
        const subnetVpc = s.VpcId ?? vpcId;
        const vpcCidrs = vpcCidrsFromRoutes(tables ?? [], subnetVpc);
        const eps = services.flatMap((svc) => interfaceEndpointsFor(endpoints, pos.value.region, svc, subnetVpc));
        const dests = new Set<string>();
        if (tables && internetPathOf(s.SubnetId, tables, nats, subnetVpc).kind === 'nat') dests.add(ANYWHERE);
        for (const ep of eps) {
          for (const id of ep.SubnetIds ?? []) {
            if (id === s.SubnetId) continue;
            const cidr = allSubnets.find((k) => k.SubnetId === id)?.CidrBlock;
            for (const c of cidr ? [cidr] : vpcCidrs) dests.add(c);
          }
        }
        for (const cidr of dests) {
          add(s, { direction: 'egress', ports: { from: 443, to: 443 }, cidr }, `ESM → AWS services on 443 (${cidr === ANYWHERE ? 'through the NAT gateway' : 'to the VPC endpoints'})`, cidr === ANYWHERE);
          add(s, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr }, `replies from AWS services (${cidr === ANYWHERE ? 'through the NAT gateway' : 'from the VPC endpoints'})`, cidr === ANYWHERE);
        }
      }
      if (!tables) notes.push('the route tables could not be read, so the 443 path through a NAT gateway was not checked');
    }

    const verdicts = new Map<string, ReturnType<typeof naclAllows>>();
    const blocked: Blocked[] = [];
    const vagueBlocked: Blocked[] = [];
    for (const flow of flows) {
      const key = flowKey(flow);
      const v = verdicts.get(key) ?? naclAllows(flow.acl, flow.query);
      verdicts.set(key, v);
      if (v.verdict === 'allow') continue;
      if (isNegligible(flow, notes)) continue;
      const item: Blocked = { flow, verdict: v.verdict, ...(v.entry ? { entry: v.entry } : {}) };
      if (v.verdict === 'partial' && flow.vague) vagueBlocked.push(item);
      else blocked.push(item);
    }
    const aclIds = [...new Set(flows.map((f) => f.acl.NetworkAclId))];
    const resources = [...aclIds, ...esm.map((s) => s.SubnetId)];
    const noteText = notes.length ? ` Note: ${notes.join('; ')}.` : '';
    const vpcCidrs = vpcCidrsFromRoutes(valueOf(snapshot.network?.routeTables) ?? [], vpcId);
    if (blocked.length) {
      const groups = groupBlocked(blocked);
      return fail(
        `Network ACL ${[...new Set(blocked.map((b) => b.flow.acl.NetworkAclId))].join(', ')} blocks the ESM's traffic`,
        `Network ACLs are stateless: each direction, the replies on ephemeral ports ${portText(EPHEMERAL_PORTS)} included, needs its own allow rule. ${groups.map(blockedText).join('. ')}.${noteText}`,
        remedy('Add allow entries numbered below the blocking rule (rule numbers chosen free).', naclFixes(groups, vpcCidrs, pos.value.region)),
        { resources },
      );
    }
    if (vagueBlocked.length) {
      const groups = groupBlocked(vagueBlocked);
      return warn(
        'Network ACLs allow the ESM\'s traffic only to some addresses',
        `${groups.map(blockedText).join('. ')}. Whether the real destination is among the allowed addresses cannot be told from here.${noteText}`,
        remedy('If the destination is outside what is allowed, add allow entries numbered below the blocking rule.', naclFixes(groups, vpcCidrs, pos.value.region)),
        { resources },
      );
    }
    if (flows.length === 0) return pass(`No ESM traffic crosses a network ACL that esm-doctor can evaluate.${noteText}`, { resources });
    return pass(`${aclIds.join(', ')} allow${aclIds.length === 1 ? 's' : ''} the broker port${ports ? ` (${ports.ports.join(', ')})` : ''} both ways and the replies on ${portText(EPHEMERAL_PORTS)}${callsAwsThroughVpc(snapshot, placement) ? ', and 443 to AWS services' : ''}.${noteText}`, { resources });
  },
});
