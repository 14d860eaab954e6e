/** EC2: security groups, NACLs, endpoints, routes, VPC attributes, and the rules a fix plan adds and takes back. */
import { aws, jsonFlag } from './aws';

export type Peer = { groupId: string } | { cidr: string };

/** A TCP port, or a range of them (the multi-VPC broker ports 14001-14100, say). */
export type Ports = number | { from: number; to: number };

function bounds(p: Ports): { from: number; to: number } {
  return typeof p === 'number' ? { from: p, to: p } : p;
}

export function authorizeSgIngress(o: { groupId: string; port: Ports; from: Peer; region: string }): string {
  const { from, to } = bounds(o.port);
  return aws('ec2', 'authorize-security-group-ingress', [
    ['group-id', o.groupId],
    ['protocol', 'tcp'],
    // The shorthand takes a range as "from-to" (aws-cli tests/functional/ec2/test_security_group_operations.py: --port 22-25).
    ['port', from === to ? from : `${from}-${to}`],
    'groupId' in o.from ? ['source-group', o.from.groupId] : ['cidr', o.from.cidr],
  ], o.region);
}

/**
 * The egress rule. Unlike authorize-security-group-ingress, the egress call takes no
 * --protocol/--port/--cidr shorthand (EC2: "Not supported. Use IP permissions instead").
 */
export function authorizeSgEgress(o: { groupId: string; port: Ports; to: Peer; region: string }): string {
  const peer = 'groupId' in o.to ? `UserIdGroupPairs=[{GroupId=${o.to.groupId}}]` : `IpRanges=[{CidrIp=${o.to.cidr}}]`;
  const { from, to } = bounds(o.port);
  return aws('ec2', 'authorize-security-group-egress', [
    ['group-id', o.groupId],
    ['ip-permissions', `IpProtocol=tcp,FromPort=${from},ToPort=${to},${peer}`],
  ], o.region);
}

export function createNaclEntry(o: {
  aclId: string; egress: boolean; ruleNumber: number; ports: { from: number; to: number }; cidr: string; region: string;
}): string {
  return aws('ec2', 'create-network-acl-entry', [
    ['network-acl-id', o.aclId],
    [o.egress ? 'egress' : 'ingress', true],
    ['rule-number', o.ruleNumber],
    ['protocol', 'tcp'],
    ['port-range', `From=${o.ports.from},To=${o.ports.to}`],
    ['cidr-block', o.cidr],
    ['rule-action', 'allow'],
  ], o.region);
}

export function createInterfaceEndpoint(o: {
  vpcId: string; serviceName: string; subnetIds: string[]; securityGroupIds: string[]; region: string;
}): string {
  return aws('ec2', 'create-vpc-endpoint', [
    ['vpc-endpoint-type', 'Interface'],
    ['service-name', o.serviceName],
    ['vpc-id', o.vpcId],
    ['subnet-ids', o.subnetIds],
    ['security-group-ids', o.securityGroupIds],
    ['private-dns-enabled', true],
  ], o.region);
}

export function createGatewayEndpoint(o: { vpcId: string; serviceName: string; routeTableIds: string[]; region: string }): string {
  return aws('ec2', 'create-vpc-endpoint', [
    ['vpc-endpoint-type', 'Gateway'],
    ['service-name', o.serviceName],
    ['vpc-id', o.vpcId],
    ['route-table-ids', o.routeTableIds],
  ], o.region);
}

export function enableEndpointPrivateDns(o: { endpointId: string; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], ['private-dns-enabled', true]], o.region);
}

export function addEndpointSubnets(o: { endpointId: string; subnetIds: string[]; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], ['add-subnet-ids', o.subnetIds]], o.region);
}

export function setEndpointPolicy(o: { endpointId: string; document: unknown; region: string }): string {
  return aws('ec2', 'modify-vpc-endpoint', [['vpc-endpoint-id', o.endpointId], jsonFlag('policy-document', o.document)], o.region);
}

/** One attribute per call: ModifyVpcAttribute takes a single attribute at a time. */
export function enableVpcDns(o: { vpcId: string; attribute: 'enableDnsSupport' | 'enableDnsHostnames'; region: string }): string {
  const name = o.attribute === 'enableDnsSupport' ? 'enable-dns-support' : 'enable-dns-hostnames';
  return aws('ec2', 'modify-vpc-attribute', [['vpc-id', o.vpcId], jsonFlag(name, { Value: true })], o.region);
}

export function routeToNat(o: { replace: boolean; routeTableId: string; natGatewayId: string; region: string }): string {
  return aws('ec2', o.replace ? 'replace-route' : 'create-route', [
    ['route-table-id', o.routeTableId],
    ['destination-cidr-block', '0.0.0.0/0'],
    ['nat-gateway-id', o.natGatewayId],
  ], o.region);
}

/** The ENIs nothing uses any more in these subnets: what can be deleted to free addresses. */
export function listAvailableEnis(o: { subnetIds: string[]; region: string }): string {
  return aws('ec2', 'describe-network-interfaces', [['filters', [`Name=subnet-id,Values=${o.subnetIds.join(',')}`, 'Name=status,Values=available']]], o.region);
}

/** Fix plans (bot/remediate): one inbound rule as EC2's IpPermissions (JSON), so the description travels with it. */
export function authorizeSgIngressPermissions(o: { groupId: string; ipPermissions: unknown[]; region: string }): string {
  return aws('ec2', 'authorize-security-group-ingress', [['group-id', o.groupId], jsonFlag('ip-permissions', o.ipPermissions)], o.region);
}

export function revokeSgIngressPermissions(o: { groupId: string; ipPermissions: unknown[]; region: string }): string {
  return aws('ec2', 'revoke-security-group-ingress', [['group-id', o.groupId], jsonFlag('ip-permissions', o.ipPermissions)], o.region);
}
