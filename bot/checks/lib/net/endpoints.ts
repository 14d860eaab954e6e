/**
 * VPC endpoints (interface and gateway): which endpoint serves a service in a VPC, and whether a
 * client in a subnet can use an interface endpoint (state, private DNS, AZ, security groups both
 * ways, endpoint policy). Field names as DescribeVpcEndpoints returns them.
 */
import type { SecurityGroup, Subnet, VpcDnsAttributes, VpcEndpoint } from '../../../model/snapshot';
import { addEndpointSubnets, enableEndpointPrivateDns, enableVpcDns, setEndpointPolicy } from '../commands';
import { endpointPolicyAllows, type PolicyRequest } from '../policy';
import { ANYWHERE } from './cidr';
import { inVpc } from './vpc';
import { authorizeEgressCommand, authorizeIngressCommand, securityGroupsAdmitting, securityGroupsAllowingEgress } from './security-groups';

export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}

function isType(ep: VpcEndpoint, type: 'interface' | 'gateway'): boolean {
  return (ep.VpcEndpointType ?? '').toLowerCase() === type;
}

export function endpointsForService(endpoints: VpcEndpoint[], region: string, service: string, vpcId?: string): VpcEndpoint[] {
  const name = endpointServiceName(region, service);
  return endpoints.filter((ep) => ep.ServiceName === name && inVpc(ep.VpcId, vpcId));
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

/**
 * Where an endpoint's interfaces live, as CIDR blocks: its subnets' blocks when every one of them is
 * known, else the VPC's blocks (an interface in an unknown subnet is somewhere in the VPC).
 */
export function endpointCidrs(ep: VpcEndpoint, knownSubnets: Subnet[], vpcCidrs: string[]): string[] {
  const cidrs = (ep.SubnetIds ?? []).map((s) => knownSubnets.find((k) => k.SubnetId === s)?.CidrBlock);
  return cidrs.length > 0 && cidrs.every((c): c is string => !!c) ? cidrs : vpcCidrs;
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
    const targetCidrs = endpointCidrs(ep, ctx.knownSubnets, ctx.vpcCidrs);
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
