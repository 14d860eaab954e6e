/**
 * Traffic through network ACLs as flows: one direction of one conversation (a port range, the far
 * side's CIDR) through the ACL of the subnet it leaves or enters. ACLs are stateless, so a TCP
 * conversation is two flows on each side it crosses: the request, and the replies on the ephemeral
 * ports. Flows are collected, judged once each, grouped by the rule that blocks them (one sentence,
 * one fix), and turned into the allow entries that would let them through.
 */
import type { NetworkAcl, NetworkAclEntry, Subnet } from '../../../model/snapshot';
import { EPHEMERAL_PORTS, cidrCovers, collapseCidrs, portText, type PortRange } from './cidr';
import { createNaclEntryCommand, describeNaclEntry, naclAllows, naclPortSegments, networkAclOf, type NaclQuery } from './nacl';

export interface NaclFlow {
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

export interface Blocked {
  flow: NaclFlow;
  verdict: 'deny' | 'partial';
  entry?: NetworkAclEntry;
}

/** Blocked flows that share an ACL, a direction, a port range and the rule that blocks them: one sentence, one fix. */
export interface BlockedGroup {
  acl: NetworkAcl;
  direction: 'ingress' | 'egress';
  ports: PortRange;
  entry?: NetworkAclEntry;
  verdict: 'deny' | 'partial';
  cidrs: string[];
  subnets: string[];
  purposes: string[];
}

export function groupBlocked(items: Blocked[]): BlockedGroup[] {
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

export function blockedText(g: BlockedGroup): string {
  const rule = g.entry ? describeNaclEntry(g.entry) : 'the implicit final deny (no rule matches)';
  const dir = g.direction === 'egress' ? 'outbound' : 'inbound';
  return `${g.acl.NetworkAclId} (on ${g.subnets.join(', ')}): ${dir} tcp ${portText(g.ports)} ${g.direction === 'egress' ? 'to' : 'from'} ${g.cidrs.join(', ')} is ${g.verdict === 'deny' ? 'denied' : 'partly denied'} by ${rule} — needed for ${g.purposes.join('; ')}`;
}

/** One allow entry per group, CIDRs collapsed, entries another one already covers dropped, rule numbers distinct. */
export function naclFixes(groups: BlockedGroup[], vpcCidrs: string[], region: string): string[] {
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

/**
 * Collects the flows of a set of subnets, each through its own subnet's ACL (the ACL lives in that
 * subnet's own VPC: a self-managed ESM may list subnets of several). A subnet without an ACL in the
 * snapshot becomes a note.
 */
export class FlowCollector {
  readonly flows: NaclFlow[] = [];
  readonly notes: string[] = [];

  constructor(
    private readonly acls: NetworkAcl[],
    private readonly vpcId?: string,
  ) {}

  add(subnet: Subnet, query: NaclQuery, purpose: string, vague = false): void {
    const acl = networkAclOf(subnet.SubnetId, this.acls, subnet.VpcId ?? this.vpcId)?.acl;
    if (acl) this.flows.push({ subnet, acl, query, purpose, vague });
    else this.notes.push(`no network ACL is associated with ${subnet.SubnetId} and the VPC has no default ACL in the snapshot`);
  }

  /** A TCP conversation opened from `client` towards `cidr` on `ports`: the request out, the replies back in. */
  client(client: Subnet, cidr: string, ports: PortRange, purpose: string, replies: string, vague = false): void {
    this.add(client, { direction: 'egress', ports, cidr }, purpose, vague);
    this.add(client, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr }, replies, vague);
  }

  /** The same conversation at the server's subnet: the request in from `cidr`, the replies out. */
  server(server: Subnet, cidr: string, ports: PortRange, purpose: string, replies: string): void {
    this.add(server, { direction: 'ingress', ports, cidr }, purpose);
    this.add(server, { direction: 'egress', ports: EPHEMERAL_PORTS, cidr }, replies);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /**
   * Each flow judged once (the same ACL, direction, ports and CIDR share a verdict). A few blocked
   * reply ports become a note; a partial answer for a vague far side is a caution, not a block.
   */
  judge(): { blocked: Blocked[]; vagueBlocked: Blocked[] } {
    const verdicts = new Map<string, ReturnType<typeof naclAllows>>();
    const blocked: Blocked[] = [];
    const vagueBlocked: Blocked[] = [];
    for (const flow of this.flows) {
      const key = flowKey(flow);
      const v = verdicts.get(key) ?? naclAllows(flow.acl, flow.query);
      verdicts.set(key, v);
      if (v.verdict === 'allow') continue;
      if (isNegligible(flow, this.notes)) continue;
      const item: Blocked = { flow, verdict: v.verdict, ...(v.entry ? { entry: v.entry } : {}) };
      if (v.verdict === 'partial' && flow.vague) vagueBlocked.push(item);
      else blocked.push(item);
    }
    return { blocked, vagueBlocked };
  }

  aclIds(): string[] {
    return [...new Set(this.flows.map((f) => f.acl.NetworkAclId))];
  }
}
