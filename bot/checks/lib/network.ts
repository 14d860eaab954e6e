/**
 * How a VPC treats a packet, evaluated from the EC2 Describe* answers alone: CIDR arithmetic,
 * security groups, route tables and NAT gateways, VPC endpoints (interface and gateway) with their
 * policies, and network ACLs. Pure functions of EC2's own shapes (field names as the API returns
 * them); nothing here knows about ESMs or the Snapshot, so the probe and future checks can reuse it.
 *
 * IPv4 only: the ESM's Hyperplane ENIs, the MSK client subnets and the AWS service endpoints are
 * reached over IPv4. IPv6 rules are ignored, never counted as allowing anything.
 */
import type {
  IpPermission,
  NatGateway,
  NetworkAcl,
  NetworkAclEntry,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  VpcDnsAttributes,
  VpcEndpoint,
} from '../../model/snapshot';
import {
  addEndpointSubnets,
  authorizeSgEgress,
  authorizeSgIngress,
  createNaclEntry,
  enableEndpointPrivateDns,
  enableVpcDns,
  setEndpointPolicy,
} from './commands';

// =============================================================================================
// IPv4 addresses and CIDR blocks

export interface Ipv4Range {
  cidr: string;
  /** First and last address, as unsigned 32-bit integers. */
  first: number;
  last: number;
}

export function parseIpv4(ip: string): number | undefined {
  const parts = ip.trim().split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(ip: string): boolean {
  return parseIpv4(ip) !== undefined;
}

/** "10.20.0.0/20" → its range; a bare address counts as a /32. Undefined for anything else (IPv6 included). */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const [addr, bits, extra] = cidr.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const base = parseIpv4(addr);
  if (base === undefined) return undefined;
  const prefix = bits === undefined ? 32 : /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  return { cidr: cidr.trim(), first, last: first + size - 1 };
}

/** Does `outer` contain every address of `inner` (a CIDR or a single address)? */
export function cidrCovers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && o.first <= i.first && i.last <= o.last;
}

/** Do the two blocks share at least one address? */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x.first <= y.last && y.first <= x.last;
}

export const ANYWHERE = '0.0.0.0/0';

const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/**
 * Addresses that are only reachable inside a private network: RFC 1918, the RFC 6598 shared space
 * (100.64.0.0/10, used by carrier-grade NAT and many EKS pod networks) and IPv6 unique local fc00::/7.
 */
export function isPrivateAddress(ip: string): boolean {
  if (isIpv4(ip)) return PRIVATE_V4.some((block) => cidrCovers(block, ip));
  if (!ip.includes(':')) return false;
  const first = ip.split(':')[0] ?? '';
  if (!/^[0-9a-fA-F]{1,4}$/.test(first)) return false;
  return (parseInt(first, 16) & 0xfe00) === 0xfc00;
}

// =============================================================================================
// Ports and protocols

export interface PortRange {
  from: number;
  to: number;
}

/** What a stateful connection's return traffic uses: AWS's NAT gateways and Lambda pick from 1024–65535. */
export const EPHEMERAL_PORTS: PortRange = { from: 1024, to: 65535 };

export function portText(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** "-1" is every protocol; TCP appears as "tcp" in security groups and "6" in network ACLs. */
export function isTcpOrAll(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === '-1' || p === 'tcp' || p === '6' || p === 'all';
}

function isAllProtocols(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === '-1' || p === 'all';
}

// =============================================================================================
// Security groups

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

// =============================================================================================
// Route tables and the way out to the internet

export interface EffectiveRouteTable {
  table: RouteTable;
  /** explicit: associated with the subnet; main: the VPC's main table, which applies to every subnet without one. */
  association: 'explicit' | 'main';
}

/** The table a subnet routes with: its explicit association, else the VPC's main route table. */
export function effectiveRouteTable(subnetId: string, tables: RouteTable[], vpcId?: string): EffectiveRouteTable | undefined {
  const inVpc = tables.filter((t) => !vpcId || !t.VpcId || t.VpcId === vpcId);
  const explicit = inVpc.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId));
  if (explicit) return { table: explicit, association: 'explicit' };
  const main = inVpc.find((t) => (t.Associations ?? []).some((a) => a.Main === true));
  return main ? { table: main, association: 'main' } : undefined;
}

/** The IPv4 default route (0.0.0.0/0) of a table, if any. */
export function defaultRoute(table: RouteTable): Route | undefined {
  return (table.Routes ?? []).find((r) => r.DestinationCidrBlock === ANYWHERE);
}

/** The VPC's own CIDR blocks, as the `local` routes of its tables show them. */
export function vpcCidrsFromRoutes(tables: RouteTable[], vpcId?: string): string[] {
  const out = new Set<string>();
  for (const t of tables) {
    if (vpcId && t.VpcId && t.VpcId !== vpcId) continue;
    for (const r of t.Routes ?? []) if (r.GatewayId === 'local' && r.DestinationCidrBlock) out.add(r.DestinationCidrBlock);
  }
  return [...out];
}

export function routeTarget(route: Route): string {
  return (
    route.NatGatewayId ??
    route.GatewayId ??
    route.TransitGatewayId ??
    route.NetworkInterfaceId ??
    route.InstanceId ??
    route.VpcPeeringConnectionId ??
    String((route as Record<string, unknown>).CoreNetworkArn ?? (route as Record<string, unknown>).LocalGatewayId ?? 'an unknown target')
  );
}

export type NoInternetReason =
  | 'no-route-table'
  | 'no-default-route'
  | 'igw-only'
  | 'peering'
  | 'blackhole'
  | 'nat-missing'
  | 'nat-unavailable'
  | 'nat-private'
  | 'nat-without-igw';

interface PathBase {
  subnetId: string;
  routeTableId?: string;
  association?: 'explicit' | 'main';
  detail: string;
}

/**
 * A subnet's way to public AWS endpoints for an interface without a public IP:
 * - `nat`: a 0.0.0.0/0 route to an available public NAT gateway;
 * - `none`: no such route (or an internet gateway, which only serves interfaces with a public IP);
 * - `unverifiable`: a route to something whose far side the snapshot does not show (transit
 *   gateway, appliance ENI, virtual private gateway). A private NAT gateway and a blackhole route are `none`.
 */
export type InternetPath =
  | (PathBase & { kind: 'nat'; natGatewayId: string })
  | (PathBase & { kind: 'none'; reason: NoInternetReason; natGatewayId?: string; gatewayId?: string })
  | (PathBase & { kind: 'unverifiable'; target: string });

export function internetPathOf(subnetId: string, tables: RouteTable[], natGateways: NatGateway[], vpcId?: string): InternetPath {
  const eff = effectiveRouteTable(subnetId, tables, vpcId);
  if (!eff) {
    return { kind: 'none', reason: 'no-route-table', subnetId, detail: `no route table of the VPC applies to ${subnetId} (neither an explicit association nor a main table)` };
  }
  const base = { subnetId, routeTableId: eff.table.RouteTableId, association: eff.association };
  const tableText = `${eff.table.RouteTableId}${eff.association === 'main' ? ' (the VPC\'s main table: the subnet has no explicit association)' : ''}`;
  const route = defaultRoute(eff.table);
  if (!route) return { ...base, kind: 'none', reason: 'no-default-route', detail: `${tableText} has no 0.0.0.0/0 route` };
  const target = routeTarget(route);

  // A blackhole route (its NAT gateway deleted, its internet gateway detached, its transit gateway
  // attachment gone) carries nothing, whatever it points at (EC2 Route.State: active | blackhole).
  if ((route.State ?? 'active').toLowerCase() === 'blackhole') {
    return {
      ...base,
      kind: 'none',
      reason: 'blackhole',
      ...(route.NatGatewayId ? { natGatewayId: route.NatGatewayId } : {}),
      detail: `${tableText}: the 0.0.0.0/0 route to ${target} is a blackhole (its target was deleted or detached)`,
    };
  }

  if (route.NatGatewayId) {
    const nat = natGateways.find((n) => n.NatGatewayId === route.NatGatewayId);
    if (!nat) {
      return { ...base, kind: 'none', reason: 'nat-missing', natGatewayId: route.NatGatewayId, detail: `${tableText} sends 0.0.0.0/0 to ${route.NatGatewayId}, which DescribeNatGateways does not list (deleted?)` };
    }
    if ((nat.State ?? '').toLowerCase() !== 'available') {
      return { ...base, kind: 'none', reason: 'nat-unavailable', natGatewayId: nat.NatGatewayId, detail: `${tableText} sends 0.0.0.0/0 to ${nat.NatGatewayId}, whose state is "${nat.State ?? 'unknown'}", not "available"` };
    }
    // NAT gateway docs (vpc-nat-gateway.html): a private NAT gateway has no Elastic IP and "if you
    // route traffic from the private NAT gateway to the internet gateway, the internet gateway drops
    // the traffic"; it only reaches other VPCs or on premises. Public AWS endpoints stay out of reach.
    if ((nat.ConnectivityType ?? 'public').toLowerCase() === 'private') {
      return {
        ...base,
        kind: 'none',
        reason: 'nat-private',
        natGatewayId: nat.NatGatewayId,
        detail: `${tableText} sends 0.0.0.0/0 to ${nat.NatGatewayId}, a private NAT gateway (ConnectivityType private): it has no public IP and never reaches the internet, whatever its own subnet routes to`,
      };
    }
    // A public NAT gateway in a subnet without an internet-gateway route cannot reach anything public.
    if (nat.SubnetId) {
      const natTable = effectiveRouteTable(nat.SubnetId, tables, vpcId);
      const onward = natTable && defaultRoute(natTable.table);
      if (natTable && (!onward || onward.NatGatewayId || (onward.State ?? 'active').toLowerCase() === 'blackhole')) {
        const why = onward && (onward.State ?? '').toLowerCase() === 'blackhole' ? `a blackhole 0.0.0.0/0 route to ${routeTarget(onward)}` : 'no 0.0.0.0/0 route to an internet gateway';
        return { ...base, kind: 'none', reason: 'nat-without-igw', natGatewayId: nat.NatGatewayId, detail: `${tableText} sends 0.0.0.0/0 to ${nat.NatGatewayId}, but the NAT gateway's own subnet ${nat.SubnetId} (table ${natTable.table.RouteTableId}) has ${why}` };
      }
    }
    return { ...base, kind: 'nat', natGatewayId: nat.NatGatewayId, detail: `${tableText} sends 0.0.0.0/0 to ${nat.NatGatewayId} (available)` };
  }
  if (route.GatewayId?.startsWith('igw-')) {
    return {
      ...base,
      kind: 'none',
      reason: 'igw-only',
      gatewayId: route.GatewayId,
      detail: `${tableText} sends 0.0.0.0/0 to the internet gateway ${route.GatewayId}; that only serves interfaces with a public IP, and the ESM's interfaces have none`,
    };
  }
  if (route.VpcPeeringConnectionId) {
    return { ...base, kind: 'none', reason: 'peering', detail: `${tableText} sends 0.0.0.0/0 to the peering connection ${route.VpcPeeringConnectionId}; peering does not carry traffic on to the internet` };
  }
  return { ...base, kind: 'unverifiable', target, detail: `${tableText} sends 0.0.0.0/0 to ${target}; esm-doctor cannot see whether that path reaches the internet` };
}

// =============================================================================================
// VPC endpoint policies

/** Who makes the call through the endpoint. */
export interface PolicyPrincipal {
  /** A service principal, e.g. "lambda.amazonaws.com" (Lambda assumes the role and invokes as itself). */
  service?: string;
  /** An IAM principal ARN, e.g. the execution role (Lambda reads secrets and writes destinations as the role). */
  arn?: string;
  account?: string;
}

export interface PolicyRequest {
  action: string;
  principal: PolicyPrincipal;
  /** The resource ARN when known; unknown resources match only "*". */
  resource?: string;
}

export interface PolicyVerdict {
  decision: 'allow' | 'deny' | 'unclear';
  reason: string;
}

type Statement = Record<string, unknown>;

/** Condition keys that describe the calling principal's identity. A service principal belongs to no account or organization. */
const PRINCIPAL_IDENTITY_KEYS = ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn'];

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(value);
}

function principalMatches(p: unknown, who: PolicyPrincipal): boolean {
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  const obj = p as Record<string, unknown>;
  const aws = asList(obj.AWS).map(String);
  const services = asList(obj.Service).map(String);
  if (aws.includes('*')) return true;
  if (who.service && services.includes(who.service)) return true;
  if (who.arn && aws.some((a) => a === who.arn || globMatches(a, who.arn!))) return true;
  if (who.account && aws.some((a) => a === who.account || a === `arn:aws:iam::${who.account}:root`)) return true;
  return false;
}

function statementApplies(s: Statement, req: PolicyRequest): 'yes' | 'no' | 'maybe' {
  // Principal / NotPrincipal
  if ('Principal' in s && !principalMatches(s.Principal, req.principal)) return 'no';
  if ('NotPrincipal' in s && principalMatches(s.NotPrincipal, req.principal)) return 'no';
  if (!('Principal' in s) && !('NotPrincipal' in s)) return 'no';
  // Action / NotAction
  if ('Action' in s && !asList(s.Action).some((a) => globMatches(String(a), req.action))) return 'no';
  if ('NotAction' in s && asList(s.NotAction).some((a) => globMatches(String(a), req.action))) return 'no';
  // Resource / NotResource
  let resource: 'yes' | 'maybe' = 'yes';
  if ('Resource' in s) {
    const list = asList(s.Resource).map(String);
    if (!list.includes('*')) {
      if (!req.resource) resource = 'maybe';
      else if (!list.some((r) => globMatches(r, req.resource!))) return 'no';
    }
  }
  if ('NotResource' in s) {
    const list = asList(s.NotResource).map(String);
    if (list.includes('*')) return 'no';
    if (!req.resource) resource = 'maybe';
    else if (list.some((r) => globMatches(r, req.resource!))) return 'no';
  }
  return resource;
}

function conditionKeys(s: Statement): Array<{ operator: string; key: string }> {
  const cond = s.Condition;
  if (!cond || typeof cond !== 'object') return [];
  return Object.entries(cond as Record<string, unknown>).flatMap(([operator, block]) =>
    block && typeof block === 'object' ? Object.keys(block as Record<string, unknown>).map((key) => ({ operator, key: key.toLowerCase() })) : [],
  );
}

export function parsePolicyDocument(doc: string): { Statement?: unknown } | undefined {
  for (const text of [doc, (() => { try { return decodeURIComponent(doc); } catch { return doc; } })()]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') return parsed as { Statement?: unknown };
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/**
 * Does a VPC endpoint policy let `req` through? No policy is the default full-access policy. A
 * condition on the caller's organization or account never holds for a service principal, which is
 * why "only calls from my organization" endpoint policies stop the ESM (docs: with-kafka-cluster-network).
 * Other conditions cannot be judged from configuration alone: such statements make the answer `unclear`.
 */
export function endpointPolicyAllows(policyDocument: string | undefined, req: PolicyRequest): PolicyVerdict {
  if (!policyDocument) return { decision: 'allow', reason: 'the endpoint has no policy (full access)' };
  const doc = parsePolicyDocument(policyDocument);
  if (!doc) return { decision: 'unclear', reason: 'the endpoint policy is not valid JSON' };
  const statements = asList(doc.Statement).filter((s): s is Statement => !!s && typeof s === 'object');
  const who = req.principal.service ?? req.principal.arn ?? 'the caller';
  const isService = !!req.principal.service && !req.principal.arn;

  let allowed: string | undefined;
  let conditionalAllow: string | undefined;
  let mayDeny: string | undefined;
  let orgRestricted: string | undefined;
  for (const [i, s] of statements.entries()) {
    const label = typeof s.Sid === 'string' ? `statement "${s.Sid}"` : `statement ${i + 1}`;
    const applies = statementApplies(s, req);
    if (applies === 'no') continue;
    const keys = conditionKeys(s);
    const identityKeys = keys.filter((k) => PRINCIPAL_IDENTITY_KEYS.includes(k.key));
    const otherKeys = keys.filter((k) => !PRINCIPAL_IDENTITY_KEYS.includes(k.key));
    const keyList = keys.map((k) => k.key).join(', ');
    const effect = String(s.Effect ?? '').toLowerCase();

    if (effect === 'deny') {
      if (otherKeys.length > 0 || applies === 'maybe') {
        mayDeny ??= `${label} may deny ${req.action} under conditions esm-doctor cannot evaluate (${keyList || 'a specific resource'})`;
      } else if (identityKeys.length === 0) {
        return { decision: 'deny', reason: `${label} denies ${req.action} to ${who}` };
      } else if (isService && identityKeys.every((k) => /not/i.test(k.operator))) {
        // "Deny unless the caller is in my organization": a service principal has no organization, so the deny holds.
        return { decision: 'deny', reason: `${label} denies callers outside an organization or account (${keyList}); ${who} is a service principal and belongs to none` };
      }
      // Identity conditions on an IAM principal: the execution role is taken to belong to your own organization.
      continue;
    }
    if (effect !== 'allow') continue;
    if (isService && identityKeys.length > 0) {
      orgRestricted ??= `${label} allows ${req.action} only to principals of an organization or account (${identityKeys.map((k) => k.key).join(', ')}); ${who} is a service principal and belongs to none`;
      continue;
    }
    if (otherKeys.length > 0 || applies === 'maybe') {
      conditionalAllow ??= `${label} allows ${req.action} only under conditions esm-doctor cannot evaluate (${otherKeys.map((k) => k.key).join(', ') || 'a specific resource'})`;
      continue;
    }
    allowed ??= `${label} allows ${req.action} to ${who}`;
  }
  if (allowed) return mayDeny ? { decision: 'unclear', reason: mayDeny } : { decision: 'allow', reason: allowed };
  if (conditionalAllow) return { decision: 'unclear', reason: conditionalAllow };
  return { decision: 'deny', reason: orgRestricted ?? `no statement allows ${req.action} to ${who}` };
}

// =============================================================================================
// VPC endpoints

export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}

function isType(ep: VpcEndpoint, type: 'interface' | 'gateway'): boolean {
  return (ep.VpcEndpointType ?? '').toLowerCase() === type;
}

export function endpointsForService(endpoints: VpcEndpoint[], region: string, service: string, vpcId?: string): VpcEndpoint[] {
  const name = endpointServiceName(region, service);
  return endpoints.filter((ep) => ep.ServiceName === name && (!vpcId || !ep.VpcId || ep.VpcId === vpcId));
}

/**
 * The Availability Zones an endpoint has interfaces in: from the subnets we know, else from its
 * zonal DNS names (`vpce-…-eu-west-1a.sts.eu-west-1.vpce.amazonaws.com`).
 */
export function endpointZones(ep: VpcEndpoint, knownSubnets: Subnet[]): { zones: string[]; unknownSubnets: string[] } {
  const zones = new Set<string>();
  const unknownSubnets: string[] = [];
  for (const id of ep.SubnetIds ?? []) {
    const s = knownSubnets.find((k) => k.SubnetId === id);
    if (s?.AvailabilityZone) zones.add(s.AvailabilityZone);
    else unknownSubnets.push(id);
  }
  const dns = (ep as { DnsEntries?: Array<{ DnsName?: string }> }).DnsEntries ?? [];
  for (const entry of dns) {
    const m = /^vpce-[0-9a-z]+-[0-9a-z]+-([a-z]{2}(?:-[a-z]+)+-\d[a-z])\./.exec(entry.DnsName ?? '');
    if (m?.[1]) zones.add(m[1]);
  }
  return { zones: [...zones], unknownSubnets };
}

export type EndpointProblemCode = 'not-available' | 'private-dns-off' | 'vpc-dns-off' | 'other-az' | 'sg-ingress' | 'sg-egress' | 'policy' | 'unknown-sg';

export interface EndpointProblem {
  code: EndpointProblemCode;
  /** blocking: the ESM cannot use the endpoint; caution: it probably can, but esm-doctor cannot confirm it or it is fragile. */
  severity: 'blocking' | 'caution';
  message: string;
  /** The commands that remove the problem, ids filled in (none when a needed id is unknown). */
  commands?: string[];
}

export interface EndpointAssessment {
  endpoint: VpcEndpoint;
  usable: boolean;
  problems: EndpointProblem[];
}

export interface InterfaceEndpointContext {
  /** The client's subnet (its AZ and CIDR). */
  subnet: Subnet;
  /** The client's security groups. */
  clientGroupIds: string[];
  /** Every security group of the VPC (endpoint groups included). */
  securityGroups: SecurityGroup[];
  /** Subnets whose AZ and CIDR we know (to place the endpoint's interfaces). */
  knownSubnets: Subnet[];
  /** The VPC's CIDR blocks: where an endpoint interface in an unknown subnet lives. */
  vpcCidrs: string[];
  vpcDns?: VpcDnsAttributes;
  request: PolicyRequest;
  /** The region of the VPC: every fix command names it. */
  region: string;
}

/** The egress rule as a CLI command (commands.ts builds it). */
export function authorizeEgressCommand(groupId: string, port: number, to: { groupId?: string; cidr?: string }, region: string): string {
  return authorizeSgEgress({ groupId, port, to: to.groupId ? { groupId: to.groupId } : { cidr: to.cidr ?? ANYWHERE }, region });
}

export function authorizeIngressCommand(groupId: string, port: number, from: { groupId?: string; cidr?: string }, region: string): string {
  return authorizeSgIngress({ groupId, port, from: from.groupId ? { groupId: from.groupId } : { cidr: from.cidr ?? ANYWHERE }, region });
}

/**
 * Can a client in `ctx.subnet` with `ctx.clientGroupIds` use this interface endpoint for
 * `ctx.request`? It must be available, resolve privately (private DNS on, and the VPC resolving
 * it), admit 443 from the client, be reachable through the client's egress rules, and its policy
 * must allow the call. An endpoint with no interface in the client's AZ still answers through the
 * regional name (the VPC routes across AZs), so that is a caution, not a block.
 */
export function assessInterfaceEndpoint(ep: VpcEndpoint, ctx: InterfaceEndpointContext): EndpointAssessment {
  const problems: EndpointProblem[] = [];
  const id = ep.VpcEndpointId;
  const state = (ep.State ?? 'unknown').toLowerCase();
  if (state !== 'available') {
    problems.push({ code: 'not-available', severity: 'blocking', message: `${id} is in state "${ep.State ?? 'unknown'}", not "available"` });
  }
  if (ep.PrivateDnsEnabled !== true) {
    problems.push({
      code: 'private-dns-off',
      severity: 'blocking',
      message: `${id} has private DNS disabled, so the service's default hostname still resolves to public addresses the ESM cannot reach without NAT`,
      commands: [enableEndpointPrivateDns({ endpointId: id, region: ctx.region })],
    });
  } else if (ctx.vpcDns && (ctx.vpcDns.EnableDnsSupport === false || ctx.vpcDns.EnableDnsHostnames === false)) {
    const off = [ctx.vpcDns.EnableDnsSupport === false ? 'enableDnsSupport' : '', ctx.vpcDns.EnableDnsHostnames === false ? 'enableDnsHostnames' : ''].filter(Boolean);
    problems.push({
      code: 'vpc-dns-off',
      severity: 'blocking',
      message: `${id} has private DNS on, but the VPC has ${off.join(' and ')} off; private DNS names only resolve when both are on`,
      ...(ep.VpcId ? { commands: off.map((a) => enableVpcDns({ vpcId: ep.VpcId!, attribute: a as 'enableDnsSupport' | 'enableDnsHostnames', region: ctx.region })) } : {}),
    });
  }

  const { zones, unknownSubnets } = endpointZones(ep, ctx.knownSubnets);
  const az = ctx.subnet.AvailabilityZone;
  if (az && zones.length > 0 && !zones.includes(az) && unknownSubnets.length === 0) {
    problems.push({
      code: 'other-az',
      severity: 'caution',
      message: `${id} has interfaces only in ${zones.join(', ')}, none in ${az} where ${ctx.subnet.SubnetId} is: calls cross AZs and fail if those AZs do`,
      commands: [addEndpointSubnets({ endpointId: id, subnetIds: [ctx.subnet.SubnetId], region: ctx.region })],
    });
  }

  const epGroupIds = (ep.Groups ?? []).map((g) => g.GroupId);
  const epGroups = ctx.securityGroups.filter((g) => epGroupIds.includes(g.GroupId));
  const missingGroups = epGroupIds.filter((g) => !epGroups.some((k) => k.GroupId === g));
  const clientCidrs = ctx.subnet.CidrBlock ? [ctx.subnet.CidrBlock] : [];
  const clientGroup = ctx.clientGroupIds[0];
  if (epGroupIds.length === 0 || missingGroups.length === epGroupIds.length) {
    problems.push({
      code: 'unknown-sg',
      severity: 'caution',
      message: epGroupIds.length === 0 ? `${id} lists no security groups` : `the security groups of ${id} (${missingGroups.join(', ')}) are not in DescribeSecurityGroups, so their rules cannot be checked`,
    });
  } else {
    const ingress = securityGroupsAdmitting(epGroups, 443, { groupIds: ctx.clientGroupIds, cidrs: clientCidrs });
    if (!ingress.allowed) {
      const seen = ingress.onPort.map((r) => r.text).join('; ');
      problems.push({
        code: 'sg-ingress',
        severity: ingress.prefixLists.length ? 'caution' : 'blocking',
        message: `the security groups of ${id} (${epGroupIds.join(', ')}) do not admit 443 from ${ctx.clientGroupIds.join(', ')} or ${clientCidrs.join(', ') || 'the subnet'}${seen ? ` (on 443: ${seen})` : ' (no rule covers 443)'}${ingress.prefixLists.length ? '; a prefix-list rule may, but its entries are not visible' : ''}`,
        commands: [authorizeIngressCommand(epGroupIds[0]!, 443, clientGroup ? { groupId: clientGroup } : { cidr: clientCidrs[0] ?? ANYWHERE }, ctx.region)],
      });
    }
  }

  const clientGroups = ctx.securityGroups.filter((g) => ctx.clientGroupIds.includes(g.GroupId));
  if (clientGroups.length > 0) {
    const epCidrs = (ep.SubnetIds ?? []).map((s) => ctx.knownSubnets.find((k) => k.SubnetId === s)?.CidrBlock);
    const targetCidrs = epCidrs.every((c): c is string => !!c) && epCidrs.length > 0 ? epCidrs : ctx.vpcCidrs;
    const egress = securityGroupsAllowingEgress(clientGroups, 443, { groupIds: epGroupIds, cidrs: targetCidrs });
    if (!egress.allowed) {
      problems.push({
        code: 'sg-egress',
        severity: egress.prefixLists.length ? 'caution' : 'blocking',
        message: `the ESM's security groups (${ctx.clientGroupIds.join(', ')}) allow no 443 egress to ${id} (its groups ${epGroupIds.join(', ') || 'none'} or ${targetCidrs.join(', ') || 'its subnets'})`,
        ...(clientGroup ? { commands: [authorizeEgressCommand(clientGroup, 443, epGroupIds[0] ? { groupId: epGroupIds[0] } : { cidr: targetCidrs[0] ?? ANYWHERE }, ctx.region)] } : {}),
      });
    }
  }

  const policy = endpointPolicyAllows(ep.PolicyDocument, ctx.request);
  if (policy.decision !== 'allow') {
    problems.push({
      code: 'policy',
      severity: policy.decision === 'deny' ? 'blocking' : 'caution',
      message: `the policy of ${id} ${policy.decision === 'deny' ? 'blocks' : 'may block'} ${ctx.request.action}: ${policy.reason}`,
      commands: [policyFix(id, ctx.request, ctx.region)],
    });
  }
  return { endpoint: ep, usable: !problems.some((p) => p.severity === 'blocking'), problems };
}

/** A policy that allows the call (replacing the endpoint's policy; merge it by hand to keep other statements). */
function policyFix(endpointId: string, req: PolicyRequest, region: string): string {
  const principal = req.principal.service ? { Service: req.principal.service } : { AWS: req.principal.arn ?? '*' };
  const document = { Statement: [{ Effect: 'Allow', Principal: principal, Action: req.action, Resource: req.resource ?? '*' }] };
  return setEndpointPolicy({ endpointId, document, region });
}

/**
 * Is there a gateway endpoint (S3, DynamoDB) for the service whose route tables include the
 * subnet's effective table? Gateway endpoints work through routes, not interfaces.
 */
export function gatewayEndpointFor(
  endpoints: VpcEndpoint[],
  region: string,
  service: string,
  routeTableId: string | undefined,
  vpcId?: string,
): { endpoint?: VpcEndpoint; unrouted: VpcEndpoint[] } {
  const gateways = endpointsForService(endpoints, region, service, vpcId).filter((ep) => isType(ep, 'gateway') && (ep.State ?? '').toLowerCase() === 'available');
  const endpoint = gateways.find((ep) => !!routeTableId && (ep.RouteTableIds ?? []).includes(routeTableId));
  return endpoint ? { endpoint, unrouted: [] } : { unrouted: gateways };
}

export function interfaceEndpointsFor(endpoints: VpcEndpoint[], region: string, service: string, vpcId?: string): VpcEndpoint[] {
  return endpointsForService(endpoints, region, service, vpcId).filter((ep) => isType(ep, 'interface'));
}

// =============================================================================================
// Network ACLs

export interface SubnetAcl {
  acl: NetworkAcl;
  association: 'explicit' | 'default';
}

/** The network ACL of a subnet: the one associated with it, else the VPC's default ACL. */
export function networkAclOf(subnetId: string, acls: NetworkAcl[], vpcId?: string): SubnetAcl | undefined {
  const inVpc = acls.filter((a) => !vpcId || !a.VpcId || a.VpcId === vpcId);
  const explicit = inVpc.find((a) => (a.Associations ?? []).some((s) => s.SubnetId === subnetId));
  if (explicit) return { acl: explicit, association: 'explicit' };
  const def = inVpc.find((a) => a.IsDefault === true);
  return def ? { acl: def, association: 'default' } : undefined;
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

/**
 * The fewest blocks that cover `cidrs`: 0.0.0.0/0 when it is among them, else one of `enclosing`
 * (the VPC's CIDRs) when it covers them all, else the blocks themselves.
 */
export function collapseCidrs(cidrs: string[], enclosing: string[] = []): string[] {
  const unique = [...new Set(cidrs)];
  if (unique.includes(ANYWHERE)) return [ANYWHERE];
  if (unique.length > 1) {
    const outer = enclosing.find((e) => unique.every((c) => cidrCovers(e, c)));
    if (outer) return [outer];
  }
  return unique.filter((c) => !unique.some((o) => o !== c && cidrCovers(o, c)));
}
