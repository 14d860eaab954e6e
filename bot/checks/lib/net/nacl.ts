/**
 * Network ACLs: stateless, ordered rules, judged for a whole range of ports and addresses at once
 * (one query per flow), and the entries that would let a blocked flow through. Field names as
 * DescribeNetworkAcls returns them.
 */
import type { NetworkAcl, NetworkAclEntry } from '../../../model/snapshot';
import { createNaclEntry } from '../commands';
import { cidrCovers, cidrsOverlap, isAllProtocols, isTcpOrAll, portText, type PortRange } from './cidr';
import type { Direction } from './security-groups';
import { appliesToSubnet } from './vpc';

export interface SubnetAcl {
  acl: NetworkAcl;
  association: 'explicit' | 'default';
}

/** The network ACL of a subnet: the one associated with it, else the VPC's default ACL. */
export function networkAclOf(subnetId: string, acls: NetworkAcl[], vpcId?: string): SubnetAcl | undefined {
  const found = appliesToSubnet(acls, subnetId, vpcId, (a) => a.IsDefault === true);
  return found && { acl: found.item, association: found.explicit ? 'explicit' : 'default' };
}

export interface NaclQuery {
  direction: Direction;
  ports: PortRange;
  /** The far side of the traffic: its source (ingress) or destination (egress). */
  cidr: string;
}

export interface NaclVerdict {
  /** allow: every port and address of the query passes; deny: none does; partial: some of them are blocked. */
  verdict: 'allow' | 'deny' | 'partial';
  /** The rule that decides (allow / deny) or blocks part of the traffic (partial); undefined for the implicit deny. */
  entry?: NetworkAclEntry;
}

function entryPorts(e: NetworkAclEntry): PortRange {
  if (isAllProtocols(e.Protocol) || !e.PortRange) return { from: 0, to: 65535 };
  return { from: e.PortRange.From ?? 0, to: e.PortRange.To ?? 65535 };
}

export function describeNaclEntry(e: NetworkAclEntry): string {
  const proto = isAllProtocols(e.Protocol) ? 'all traffic' : `${e.Protocol === '6' ? 'tcp' : `protocol ${e.Protocol}`} ${portText(entryPorts(e))}`;
  const verb = e.RuleAction.toLowerCase() === 'allow' ? 'allows' : 'denies';
  return `rule ${e.RuleNumber === 32767 ? '*' : e.RuleNumber} (${e.Egress ? 'outbound' : 'inbound'}) ${verb} ${proto} ${e.Egress ? 'to' : 'from'} ${e.CidrBlock ?? e.Ipv6CidrBlock ?? '?'}`;
}

/**
 * Network ACLs are stateless and ordered: rules are read by RuleNumber and the first that matches a
 * packet decides. Here the question is about a whole range of ports and addresses at once, so a
 * rule that matches only part of the range decides only that part: a partial deny before the
 * deciding rule makes the answer `partial`.
 */
export function naclAllows(acl: NetworkAcl, q: NaclQuery): NaclVerdict {
  const egress = q.direction === 'egress';
  const entries = (acl.Entries ?? []).filter((e) => e.Egress === egress && e.CidrBlock && isTcpOrAll(e.Protocol)).sort((a, b) => a.RuleNumber - b.RuleNumber);
  let partlyAllowed = false;
  let partlyBlockedBy: NetworkAclEntry | undefined;
  for (const e of entries) {
    const ports = entryPorts(e);
    const portsOverlap = ports.from <= q.ports.to && q.ports.from <= ports.to;
    if (!portsOverlap || !cidrsOverlap(e.CidrBlock!, q.cidr)) continue;
    const full = ports.from <= q.ports.from && q.ports.to <= ports.to && cidrCovers(e.CidrBlock!, q.cidr);
    const allow = e.RuleAction.toLowerCase() === 'allow';
    if (full) {
      if (allow) return partlyBlockedBy ? { verdict: 'partial', entry: partlyBlockedBy } : { verdict: 'allow', entry: e };
      return partlyAllowed ? { verdict: 'partial', entry: partlyBlockedBy ?? e } : { verdict: 'deny', entry: e };
    }
    if (allow) partlyAllowed = true;
    else partlyBlockedBy ??= e;
  }
  // The implicit "*" deny (DescribeNetworkAcls usually lists it as rule 32767).
  return partlyAllowed ? { verdict: 'partial', ...(partlyBlockedBy ? { entry: partlyBlockedBy } : {}) } : { verdict: 'deny' };
}

export interface NaclPortSegment {
  ports: PortRange;
  verdict: NaclVerdict['verdict'];
  entry?: NetworkAclEntry;
}

/**
 * The query's port range cut at every rule boundary, each piece judged on its own: how much of a
 * range (the ephemeral ports, say) is blocked, and by which rule. A hardening rule such as "deny
 * 3389 from 0.0.0.0/0" blocks one port of 64,512 reply ports, not the replies.
 */
export function naclPortSegments(acl: NetworkAcl, q: NaclQuery): NaclPortSegment[] {
  const cuts = new Set<number>([q.ports.from, q.ports.to + 1]);
  for (const e of acl.Entries ?? []) {
    if (e.Egress !== (q.direction === 'egress') || !isTcpOrAll(e.Protocol)) continue;
    const r = entryPorts(e);
    for (const c of [r.from, r.to + 1]) if (c > q.ports.from && c <= q.ports.to) cuts.add(c);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: NaclPortSegment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const ports = { from: sorted[i]!, to: sorted[i + 1]! - 1 };
    const v = naclAllows(acl, { ...q, ports });
    out.push({ ports, verdict: v.verdict, ...(v.entry ? { entry: v.entry } : {}) });
  }
  return out;
}

/** How many ports of the query's range are not fully allowed. */
export function naclBlockedPortCount(acl: NetworkAcl, q: NaclQuery): number {
  return naclPortSegments(acl, q)
    .filter((s) => s.verdict !== 'allow')
    .reduce((n, s) => n + s.ports.to - s.ports.from + 1, 0);
}

/**
 * A free rule number below `before` in the same direction: room for an allow that wins over the
 * blocking rule. `taken` holds numbers already promised to other proposed entries.
 */
export function freeRuleNumberBefore(acl: NetworkAcl, egress: boolean, before: number, taken: Set<number> = new Set()): number {
  const used = new Set([...(acl.Entries ?? []).filter((e) => e.Egress === egress).map((e) => e.RuleNumber), ...taken]);
  const below = (acl.Entries ?? []).filter((e) => e.Egress === egress && e.RuleNumber < before).map((e) => e.RuleNumber);
  let n = Math.min(before - 1, (below.length ? Math.max(...below) : 0) + 10);
  while (n > 0 && used.has(n)) n--;
  if (n > 0) return n;
  for (n = before - 1; n > 0 && used.has(n); n--);
  return Math.max(n, 1);
}

export function createNaclEntryCommand(acl: NetworkAcl, q: NaclQuery, before: number, taken: Set<number>, region: string): string {
  const egress = q.direction === 'egress';
  const rule = freeRuleNumberBefore(acl, egress, before, taken);
  taken.add(rule);
  return createNaclEntry({ aclId: acl.NetworkAclId, egress, ruleNumber: rule, ports: q.ports, cidr: q.cidr, region });
}
