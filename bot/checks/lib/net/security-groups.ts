/**
 * Security groups, one evaluator for both directions: do these groups (a network interface's groups
 * are a union of allow rules) let TCP on a port pass to or from a peer? The rules name other groups,
 * CIDR blocks or prefix lists (whose entries the snapshot does not hold). Field names as
 * DescribeSecurityGroups returns them.
 */
import type { IpPermission, SecurityGroup } from '../../../model/snapshot';
import { authorizeSgEgress, authorizeSgIngress, type Ports } from '../commands';
import { ANYWHERE, cidrCovers, isAllProtocols, isTcpOrAll, portText, type PortRange } from './cidr';

export type Direction = 'ingress' | 'egress';

/**
 * One side of a connection as a security group sees it: the groups its network interfaces carry
 * and the CIDR blocks its addresses come from (a subnet's block when only the subnet is known).
 */
export interface Peer {
  groupIds: string[];
  cidrs: string[];
}

export interface SgRule {
  groupId: string;
  rule: IpPermission;
  /** "sg-0a1… allows tcp 9098 from sg-0a1…, 10.1.0.0/24" */
  text: string;
}

export interface SgEvaluation {
  /** Every address of the peer may pass (through a group reference, or CIDR rules covering each of its blocks). */
  allowed: boolean;
  /** Rules on the port that reference a group the peer carries (a self-reference when the groups are the same). */
  byGroup: SgRule[];
  /** Each of the peer's CIDR blocks with the rule that covers it, if any. */
  byCidr: Array<{ cidr: string; rule?: SgRule }>;
  /** Rules on the port open to 0.0.0.0/0. */
  openToAll: SgRule[];
  /** Rules on the port that name prefix lists: their entries are not in the snapshot, so they cannot be judged. */
  prefixLists: SgRule[];
  /** Every rule that covers the port, whoever it admits: the evidence when the peer is not admitted. */
  onPort: SgRule[];
}

export function permissionCoversPort(rule: IpPermission, port: number): boolean {
  if (!isTcpOrAll(rule.IpProtocol)) return false;
  if (isAllProtocols(rule.IpProtocol)) return true;
  const from = rule.FromPort ?? 0;
  const to = rule.ToPort ?? 65535;
  // FromPort -1 on a TCP rule does not occur in practice; treat it as "all ports" rather than none.
  return (from === -1 || from <= port) && (to === -1 || port <= to);
}

export function describeSgRule(groupId: string, rule: IpPermission, direction: Direction): string {
  const what = isAllProtocols(rule.IpProtocol)
    ? 'all traffic'
    : `${rule.IpProtocol === '6' ? 'tcp' : rule.IpProtocol} ${rule.FromPort === undefined ? 'all ports' : portText({ from: rule.FromPort, to: rule.ToPort ?? rule.FromPort })}`;
  const peers = [
    ...(rule.UserIdGroupPairs ?? []).map((p) => p.GroupId ?? '(a group in another account)'),
    ...(rule.IpRanges ?? []).map((r) => r.CidrIp),
    ...(rule.PrefixListIds ?? []).map((p) => p.PrefixListId),
    ...(rule.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
  ];
  return `${groupId} allows ${what} ${direction === 'ingress' ? 'from' : 'to'} ${peers.join(', ') || 'nothing'}`;
}

function evaluateGroups(groups: SecurityGroup[], port: number, peer: Peer, direction: Direction): SgEvaluation {
  const onPort: SgRule[] = [];
  for (const sg of groups) {
    const rules = direction === 'ingress' ? sg.IpPermissions : sg.IpPermissionsEgress;
    for (const rule of rules ?? []) {
      if (permissionCoversPort(rule, port)) onPort.push({ groupId: sg.GroupId, rule, text: describeSgRule(sg.GroupId, rule, direction) });
    }
  }
  const byGroup = onPort.filter((r) => (r.rule.UserIdGroupPairs ?? []).some((p) => p.GroupId && peer.groupIds.includes(p.GroupId)));
  const openToAll = onPort.filter((r) => (r.rule.IpRanges ?? []).some((range) => cidrCovers(range.CidrIp, ANYWHERE)));
  const prefixLists = onPort.filter((r) => (r.rule.PrefixListIds ?? []).length > 0);
  const byCidr = peer.cidrs.map((cidr) => {
    const rule = onPort.find((r) => (r.rule.IpRanges ?? []).some((range) => cidrCovers(range.CidrIp, cidr)));
    return rule ? { cidr, rule } : { cidr };
  });
  const cidrsCovered = peer.cidrs.length > 0 ? byCidr.every((c) => c.rule) : openToAll.length > 0;
  return { allowed: byGroup.length > 0 || cidrsCovered, byGroup, byCidr, openToAll, prefixLists, onPort };
}

/**
 * Do these security groups (together: a network interface's groups are a union of allow rules)
 * admit TCP `port` from `from`? A rule admits the peer when it references a group the peer carries
 * (a self-referencing rule admits every interface that carries the group), or when its CIDR ranges
 * cover each of the peer's blocks.
 */
export function securityGroupsAdmitting(groups: SecurityGroup[], port: number, from: Peer): SgEvaluation {
  return evaluateGroups(groups, port, from, 'ingress');
}

/** Do these security groups let TCP `port` out towards `to`? Same rules as ingress, on IpPermissionsEgress. */
export function securityGroupsAllowingEgress(groups: SecurityGroup[], port: number, to: Peer): SgEvaluation {
  return evaluateGroups(groups, port, to, 'egress');
}

export interface SgRangeEvaluation {
  /** The sub-ranges whose every port lets the peer pass, and those that do not. */
  allowed: PortRange[];
  blocked: PortRange[];
  /** The rules that let the peer pass on some port of the range (evidence). */
  rules: SgRule[];
  /** Rules on the range that name prefix lists (not judged). */
  prefixLists: SgRule[];
}

/**
 * The same question as securityGroupsAdmitting / securityGroupsAllowingEgress, for every port of a
 * range at once: a connection may use any port of it (one per broker), so a rule that covers only
 * part of the range lets only some brokers through.
 */
export function securityGroupsOnRange(groups: SecurityGroup[], range: PortRange, peer: Peer, direction: Direction): SgRangeEvaluation {
  const allowed: PortRange[] = [];
  const blocked: PortRange[] = [];
  const rules = new Map<string, SgRule>();
  const prefixLists = new Map<string, SgRule>();
  for (let port = range.from; port <= range.to; port++) {
    const ev = evaluateGroups(groups, port, peer, direction);
    for (const r of [...ev.byGroup, ...ev.byCidr.flatMap((c) => (c.rule ? [c.rule] : [])), ...(peer.cidrs.length === 0 ? ev.openToAll : [])]) rules.set(r.text, r);
    for (const r of ev.prefixLists) prefixLists.set(r.text, r);
    const into = ev.allowed ? allowed : blocked;
    const last = into[into.length - 1];
    if (last && last.to === port - 1) last.to = port;
    else into.push({ from: port, to: port });
  }
  return { allowed, blocked, rules: [...rules.values()], prefixLists: [...prefixLists.values()] };
}

/** The egress rule as a CLI command (lib/commands/ec2.ts builds it). */
export function authorizeEgressCommand(groupId: string, port: Ports, to: { groupId?: string; cidr?: string }, region: string): string {
  return authorizeSgEgress({ groupId, port, to: to.groupId ? { groupId: to.groupId } : { cidr: to.cidr ?? ANYWHERE }, region });
}

export function authorizeIngressCommand(groupId: string, port: Ports, from: { groupId?: string; cidr?: string }, region: string): string {
  return authorizeSgIngress({ groupId, port, from: from.groupId ? { groupId: from.groupId } : { cidr: from.cidr ?? ANYWHERE }, region });
}
