/**
 * Mutations of the healthy baselines that the network, egress and destination tests share: realistic
 * DescribeVpcEndpoints / DescribeSecurityGroups / DescribeRouteTables shapes, field names as EC2
 * returns them.
 */
import { ACCOUNT, CLUSTER_SG, REGION, SUBNETS, VPC_ID } from '../../../scenarios/base';
import type { NetworkAcl, RouteTable, SecurityGroup, Snapshot, Subnet, VpcEndpoint } from '../../../bot/model/snapshot';

export const ENDPOINT_SG = 'sg-0e9d8c7b6a5f4e3d2';
export const PRIVATE_RTB = 'rtb-0aa1private000001';
export const MAIN_RTB = 'rtb-0cc3main00000003';
export const ACL_ID = 'acl-0a1b2c3d4e5f60718';

/** The ESM's network facts, asserting they were read (tests only mutate readable facts). */
export function net(s: Snapshot) {
  return s.network!;
}

export function groups(s: Snapshot): SecurityGroup[] {
  const f = net(s).securityGroups!;
  if (!f.ok) throw new Error('security groups unreadable');
  return f.value;
}

export function group(s: Snapshot, id: string): SecurityGroup {
  const g = groups(s).find((x) => x.GroupId === id);
  if (!g) throw new Error(`no ${id}`);
  return g;
}

export function subnets(s: Snapshot): Subnet[] {
  const f = net(s).subnets;
  if (!f.ok) throw new Error('subnets unreadable');
  return f.value;
}

export function routeTables(s: Snapshot): RouteTable[] {
  const f = net(s).routeTables!;
  if (!f.ok) throw new Error('route tables unreadable');
  return f.value;
}

export function table(s: Snapshot, id: string): RouteTable {
  return routeTables(s).find((t) => t.RouteTableId === id)!;
}

export function endpoints(s: Snapshot): VpcEndpoint[] {
  const f = net(s).vpcEndpoints!;
  if (!f.ok) throw new Error('endpoints unreadable');
  return f.value;
}

export function acls(s: Snapshot): NetworkAcl[] {
  const f = net(s).networkAcls!;
  if (!f.ok) throw new Error('acls unreadable');
  return f.value;
}

/** What DescribeVpcEndpoints returns for the default (full access) policy. */
export const FULL_ACCESS_POLICY = '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}';

const ENDPOINT_NUMBER: Record<string, number> = { sts: 1, lambda: 2, secretsmanager: 3, sqs: 4, sns: 5, s3: 6 };

const AZ_OF: Record<string, string> = { [SUBNETS[0]!]: 'eu-west-1a', [SUBNETS[1]!]: 'eu-west-1b', [SUBNETS[2]!]: 'eu-west-1c' };

/** An interface endpoint as DescribeVpcEndpoints returns it, in the given subnets, with the endpoint SG. */
export function interfaceEndpoint(service: string, overrides: Partial<VpcEndpoint> = {}): VpcEndpoint {
  const n = ENDPOINT_NUMBER[service] ?? 9;
  const id = `vpce-0a1b2c3d4e5f6000${n}`;
  const subnetIds = overrides.SubnetIds ?? SUBNETS;
  return {
    VpcEndpointId: id,
    VpcEndpointType: 'Interface',
    VpcId: VPC_ID,
    ServiceName: `com.amazonaws.${REGION}.${service}`,
    State: 'available',
    PolicyDocument: FULL_ACCESS_POLICY,
    RouteTableIds: [],
    SubnetIds: subnetIds,
    Groups: [{ GroupId: ENDPOINT_SG, GroupName: 'vpce-aws-services' }],
    IpAddressType: 'ipv4',
    DnsOptions: { DnsRecordIpType: 'ipv4' },
    PrivateDnsEnabled: true,
    RequesterManaged: false,
    NetworkInterfaceIds: subnetIds.map((_, i) => `eni-0f1e2d3c4b5a600${n}${i}`),
    DnsEntries: [
      { DnsName: `${id}-x1y2z3a4.${service}.${REGION}.vpce.amazonaws.com`, HostedZoneId: 'Z38GZ743OKFT7T' },
      ...subnetIds.map((sub) => ({ DnsName: `${id}-x1y2z3a4-${AZ_OF[sub] ?? 'eu-west-1a'}.${service}.${REGION}.vpce.amazonaws.com`, HostedZoneId: 'Z38GZ743OKFT7T' })),
      { DnsName: `${service}.${REGION}.amazonaws.com`, HostedZoneId: 'ZONEIDPENDING' },
    ],
    CreationTimestamp: '2026-06-01T12:00:00.000Z',
    OwnerId: ACCOUNT,
    ...overrides,
  };
}

/** The security group interface endpoints usually get: 443 from the cluster (ESM) group. */
export function endpointSecurityGroup(from: string = CLUSTER_SG): SecurityGroup {
  return {
    GroupId: ENDPOINT_SG,
    GroupName: 'vpce-aws-services',
    VpcId: VPC_ID,
    OwnerId: ACCOUNT,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: from, UserId: ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
  };
}

/** Drop the private subnets' 0.0.0.0/0 → NAT route. */
export function withoutNatRoute(s: Snapshot): Snapshot {
  const t = table(s, PRIVATE_RTB);
  t.Routes = (t.Routes ?? []).filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0');
  return s;
}

/** No NAT route; interface endpoints for the given services instead, with their security group. */
export function withEndpointsInsteadOfNat(s: Snapshot, services: string[], endpointSgFrom: string = CLUSTER_SG): Snapshot {
  withoutNatRoute(s);
  endpoints(s).push(...services.map((svc) => interfaceEndpoint(svc)));
  groups(s).push(endpointSecurityGroup(endpointSgFrom));
  return s;
}

export function provisioned(s: Snapshot): Snapshot {
  s.esm.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 3 };
  return s;
}

export function denied(source: string, action: string) {
  return { ok: false as const, source, error: { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', action } };
}

/** A self-managed ESM with no VPC config: it connects over the internet. */
export function onTheInternet(s: Snapshot): Snapshot {
  s.esm.SourceAccessConfigurations = (s.esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== 'VPC_SUBNET' && c.Type !== 'VPC_SECURITY_GROUP');
  delete s.network;
  return s;
}
