import { cidrCovers, cidrsOverlap, collapseCidrs, isPrivateAddress, parseCidr } from '../../../../bot/checks/lib/net/cidr';
import { assessInterfaceEndpoint, endpointZones, gatewayEndpointFor, type InterfaceEndpointContext } from '../../../../bot/checks/lib/net/endpoints';
import { createNaclEntryCommand, freeRuleNumberBefore, naclAllows, naclBlockedPortCount, naclPortSegments, networkAclOf } from '../../../../bot/checks/lib/net/nacl';
import { effectiveRouteTable, internetPathOf, vpcCidrsFromRoutes } from '../../../../bot/checks/lib/net/routes';
import { securityGroupsAdmitting, securityGroupsAllowingEgress } from '../../../../bot/checks/lib/net/security-groups';
import { endpointPolicyAllows } from '../../../../bot/checks/lib/policy';
import type { NatGateway, NetworkAcl, RouteTable, SecurityGroup, Subnet } from '../../../../bot/model/snapshot';
import { ACCOUNT, CLUSTER_SG, IGW_ID, NAT_ID, PUBLIC_SUBNET, SUBNETS, VPC_ID, mskIamHealthy } from '../../../../scenarios/base';
import { ENDPOINT_SG, FULL_ACCESS_POLICY, acls, endpointSecurityGroup, groups, interfaceEndpoint, routeTables, subnets } from '../network-fixtures';

const ESM_SUBNETS: Subnet[] = subnets(mskIamHealthy());
const [SUBNET_A, SUBNET_B, SUBNET_C] = ESM_SUBNETS as [Subnet, Subnet, Subnet];

function sg(id: string, ingress: SecurityGroup['IpPermissions'], egress: SecurityGroup['IpPermissionsEgress'] = []): SecurityGroup {
  return { GroupId: id, GroupName: id, VpcId: VPC_ID, IpPermissions: ingress, IpPermissionsEgress: egress };
}

describe('CIDR arithmetic', () => {
  it('knows that a /16 covers a /20 inside it and a /24 elsewhere does not', () => {
    expect(cidrCovers('10.20.0.0/16', '10.20.16.0/20')).toBe(true);
    expect(cidrCovers('10.1.0.0/24', '10.20.0.0/20')).toBe(false);
  });

  it('treats 0.0.0.0/0 as covering everything and a bare address as a /32', () => {
    expect(cidrCovers('0.0.0.0/0', '203.0.113.7')).toBe(true);
    expect(cidrCovers('10.20.1.15', '10.20.1.15/32')).toBe(true);
    expect(cidrCovers('10.20.1.15/32', '10.20.1.0/24')).toBe(false);
  });

  it('does not let a narrower block cover a wider one, even at the same base', () => {
    expect(cidrCovers('10.20.0.0/20', '10.20.0.0/16')).toBe(false);
  });

  it('normalises host bits the way EC2 does', () => {
    expect(parseCidr('10.20.5.9/20')).toEqual({ cidr: '10.20.5.9/20', first: parseCidr('10.20.0.0')!.first, last: parseCidr('10.20.15.255')!.first });
  });

  it('rejects malformed blocks and IPv6 instead of guessing', () => {
    expect(parseCidr('10.20.0.0/33')).toBeUndefined();
    expect(parseCidr('10.256.0.0/16')).toBeUndefined();
    expect(parseCidr('::/0')).toBeUndefined();
    expect(cidrCovers('not-a-cidr', '10.0.0.0/8')).toBe(false);
  });

  it('detects overlap without containment', () => {
    expect(cidrsOverlap('10.20.0.0/19', '10.20.16.0/20')).toBe(true);
    expect(cidrsOverlap('10.20.0.0/20', '10.20.16.0/20')).toBe(false);
  });
});

describe('isPrivateAddress', () => {
  it.each(['10.20.1.15', '172.16.0.1', '172.31.255.255', '192.168.4.4', '100.64.0.1', '100.127.255.254', 'fd12:3456::1', 'fc00::1'])('counts %s as private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '52.94.133.131', '2001:db8::1', 'fe80::1'])('counts %s as not private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('securityGroupsAdmitting', () => {
  const esm = { groupIds: [CLUSTER_SG], cidrs: ESM_SUBNETS.map((s) => s.CidrBlock!) };

  it('admits the ESM through a self-referencing rule on the port', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }] }])], 9098, esm);
    expect(ev.allowed).toBe(true);
    expect(ev.byGroup[0]!.text).toBe(`${CLUSTER_SG} allows tcp 9098 from ${CLUSTER_SG}`);
  });

  it('admits through a reference to another group the ESM carries', () => {
    const other = 'sg-0b2c3d4e5f6a70819';
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: other }] }])], 9098, { ...esm, groupIds: [CLUSTER_SG, other] });
    expect(ev.allowed).toBe(true);
  });

  it('honours protocol -1, protocol "6" and port ranges', () => {
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(true);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: '6', FromPort: 9092, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(true);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9096, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(false);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'udp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(false);
  });

  it('does not admit the ESM when 9098 is open only to 10.1.0.0/24 and the ESM subnets are 10.20.x', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.1.0.0/24' }] }])], 9098, esm);
    expect(ev.allowed).toBe(false);
    expect(ev.byCidr.filter((c) => !c.rule).map((c) => c.cidr)).toEqual(['10.20.0.0/20', '10.20.16.0/20', '10.20.32.0/20']);
    expect(ev.onPort[0]!.text).toContain('10.1.0.0/24');
  });

  it('needs every ESM subnet covered: a /19 leaves the third subnet out', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.0.0/19' }] }])], 9098, esm);
    expect(ev.allowed).toBe(false);
    expect(ev.byCidr.find((c) => !c.rule)!.cidr).toBe(SUBNET_C.CidrBlock);
  });

  it('lets several CIDR rules together cover the subnets', () => {
    const ev = securityGroupsAdmitting(
      [sg(CLUSTER_SG, [
        { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.0.0/19' }] },
        { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.32.0/20' }] },
      ])],
      9098,
      esm,
    );
    expect(ev.allowed).toBe(true);
  });

  it('reports 0.0.0.0/0 rules and prefix-list rules it cannot judge', () => {
    const open = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])], 9098, esm);
    expect(open.allowed).toBe(true);
    expect(open.openToAll).toHaveLength(1);
    const pl = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d4e5f60718' }] }])], 9098, esm);
    expect(pl.allowed).toBe(false);
    expect(pl.prefixLists[0]!.text).toContain('pl-0a1b2c3d4e5f60718');
  });

  it('reads egress rules for securityGroupsAllowingEgress, not ingress', () => {
    const g = sg(CLUSTER_SG, [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    expect(securityGroupsAllowingEgress([g], 9098, esm).allowed).toBe(false);
    expect(securityGroupsAllowingEgress([g], 443, { groupIds: [], cidrs: ['0.0.0.0/0'] }).allowed).toBe(true);
  });
});

describe('route tables and the way out', () => {
  const nat: NatGateway = { NatGatewayId: NAT_ID, SubnetId: PUBLIC_SUBNET, VpcId: VPC_ID, State: 'available', ConnectivityType: 'public' };
  const tables = (): RouteTable[] => structuredClone(routeTables(mskIamHealthy()));

  it('uses the explicit association, else the VPC main table', () => {
    const t = tables();
    expect(effectiveRouteTable(SUBNETS[0]!, t)).toMatchObject({ table: { RouteTableId: 'rtb-0aa1private000001' }, association: 'explicit' });
    expect(effectiveRouteTable('subnet-0f77ff77ff77ff777', t)).toMatchObject({ table: { RouteTableId: 'rtb-0cc3main00000003' }, association: 'main' });
    expect(effectiveRouteTable('subnet-0f77ff77ff77ff777', t.filter((x) => x.RouteTableId !== 'rtb-0cc3main00000003'))).toBeUndefined();
  });

  it('finds the NAT path of the baseline private subnets', () => {
    expect(internetPathOf(SUBNETS[0]!, tables(), [nat])).toMatchObject({ kind: 'nat', natGatewayId: NAT_ID, routeTableId: 'rtb-0aa1private000001' });
  });

  it('does not count a route to an internet gateway: the ESM ENIs have no public IP', () => {
    const path = internetPathOf(PUBLIC_SUBNET, tables(), [nat]);
    expect(path).toMatchObject({ kind: 'none', reason: 'igw-only', gatewayId: IGW_ID });
  });

  it('falls back to the main table, which has no default route', () => {
    const t = tables();
    t[0]!.Associations = t[0]!.Associations!.filter((a) => a.SubnetId !== SUBNETS[2]);
    const path = internetPathOf(SUBNETS[2]!, t, [nat]);
    expect(path).toMatchObject({ kind: 'none', reason: 'no-default-route', routeTableId: 'rtb-0cc3main00000003', association: 'main' });
    expect(path.detail).toContain('main table');
  });

  it('does not count a NAT gateway whose state is deleted', () => {
    const path = internetPathOf(SUBNETS[0]!, tables(), [{ ...nat, State: 'deleted' }]);
    expect(path).toMatchObject({ kind: 'none', reason: 'nat-unavailable' });
    expect(path.detail).toContain('"deleted"');
  });

  it('does not count a route to a NAT gateway DescribeNatGateways no longer lists, nor a blackhole', () => {
    expect(internetPathOf(SUBNETS[0]!, tables(), [])).toMatchObject({ kind: 'none', reason: 'nat-missing' });
    const t = tables();
    t[0]!.Routes![1]!.State = 'blackhole';
    expect(internetPathOf(SUBNETS[0]!, t, [nat])).toMatchObject({ kind: 'none', reason: 'blackhole' });
  });

  it('does not count a public NAT gateway placed in a private subnet', () => {
    const inPrivate = internetPathOf(SUBNETS[0]!, tables(), [{ ...nat, SubnetId: SUBNETS[1]! }]);
    expect(inPrivate).toMatchObject({ kind: 'none', reason: 'nat-without-igw' });
    expect(inPrivate.detail).toContain(SUBNETS[1]);
    // a subnet without its own table falls back to the main table, which has no default route at all
    expect(internetPathOf(SUBNETS[0]!, tables(), [{ ...nat, SubnetId: 'subnet-0f77ff77ff77ff777' }])).toMatchObject({ kind: 'none', reason: 'nat-without-igw' });
  });

  it('cannot tell for a transit gateway', () => {
    const t = tables();
    t[0]!.Routes![1] = { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a1b2c3d4e5f60718', State: 'active' };
    expect(internetPathOf(SUBNETS[0]!, t, [nat])).toMatchObject({ kind: 'unverifiable', target: 'tgw-0a1b2c3d4e5f60718' });
  });

  // NAT gateway docs: a private NAT gateway has no Elastic IP, and an internet gateway drops its traffic.
  it('does not count a private NAT gateway, whatever its own subnet routes to', () => {
    const path = internetPathOf(SUBNETS[0]!, tables(), [{ ...nat, ConnectivityType: 'private' }]);
    expect(path).toMatchObject({ kind: 'none', reason: 'nat-private', natGatewayId: NAT_ID });
    expect(path.detail).toContain('private NAT gateway');
    const t = tables();
    t[1]!.Routes = (t[1]!.Routes ?? []).map((r) => (r.DestinationCidrBlock === '0.0.0.0/0' ? { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a1b2c3d4e5f60718', State: 'active' } : r));
    expect(internetPathOf(SUBNETS[0]!, t, [{ ...nat, ConnectivityType: 'private' }])).toMatchObject({ kind: 'none', reason: 'nat-private' });
  });

  it('treats every blackhole default route as no route: a deleted NAT gateway, a detached internet gateway, a gone transit gateway', () => {
    const deletedNat = tables();
    deletedNat[0]!.Routes![1]!.State = 'blackhole';
    expect(internetPathOf(SUBNETS[0]!, deletedNat, [{ ...nat, State: 'deleted' }])).toMatchObject({ kind: 'none', reason: 'blackhole' });
    expect(internetPathOf(SUBNETS[0]!, deletedNat, [])).toMatchObject({ kind: 'none', reason: 'blackhole' });
    const tgw = tables();
    tgw[0]!.Routes![1] = { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a1b2c3d4e5f60718', State: 'blackhole' };
    expect(internetPathOf(SUBNETS[0]!, tgw, [nat])).toMatchObject({ kind: 'none', reason: 'blackhole' });
    // the NAT gateway's own subnet lost its internet gateway: its default route is a blackhole
    const detached = tables();
    for (const r of detached[1]!.Routes ?? []) if (r.DestinationCidrBlock === '0.0.0.0/0') r.State = 'blackhole';
    expect(internetPathOf(SUBNETS[0]!, detached, [nat])).toMatchObject({ kind: 'none', reason: 'nat-without-igw' });
  });

  it('reads the VPC CIDR from the local routes', () => {
    expect(vpcCidrsFromRoutes(tables(), VPC_ID)).toEqual(['10.20.0.0/16']);
  });
});

describe('endpointPolicyAllows', () => {
  const assume = { action: 'sts:AssumeRole', principal: { service: 'lambda.amazonaws.com' }, resource: `arn:aws:iam::${ACCOUNT}:role/orders-consumer-role` };
  const policy = (statement: object | object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

  it('allows with no policy or the default full-access policy', () => {
    expect(endpointPolicyAllows(undefined, assume).decision).toBe('allow');
    expect(endpointPolicyAllows(FULL_ACCESS_POLICY, assume).decision).toBe('allow');
  });

  it('allows the documented Lambda statement, with action wildcards', () => {
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }), assume).decision).toBe('allow');
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:*'], Resource: '*' }), assume).decision).toBe('allow');
  });

  it('denies when the only statement names an IAM role, not the Lambda service', () => {
    const v = endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, Action: 'sts:AssumeRole', Resource: '*' }), assume);
    expect(v).toEqual({ decision: 'deny', reason: 'no statement allows sts:AssumeRole to lambda.amazonaws.com' });
  });

  it('denies when the allow is restricted to an organization (a service principal has none)', () => {
    const v = endpointPolicyAllows(
      policy({ Sid: 'OrgOnly', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
      assume,
    );
    expect(v.decision).toBe('deny');
    expect(v.reason).toContain('statement "OrgOnly"');
    expect(v.reason).toContain('aws:principalorgid');
  });

  it('denies through a "deny unless in my organization" statement', () => {
    const v = endpointPolicyAllows(
      policy([
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } },
      ]),
      assume,
    );
    expect(v.decision).toBe('deny');
  });

  it('lets the execution role through an organization condition (the role is in your organization)', () => {
    const v = endpointPolicyAllows(
      policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
      { action: 'secretsmanager:GetSecretValue', principal: { arn: `arn:aws:iam::${ACCOUNT}:role/r`, account: ACCOUNT } },
    );
    expect(v.decision).toBe('allow');
  });

  it('is unclear about conditions it cannot evaluate', () => {
    const v = endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': VPC_ID } } }), assume);
    expect(v.decision).toBe('unclear');
  });

  it('applies explicit denies over allows, and NotAction', () => {
    expect(
      endpointPolicyAllows(policy([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: '*' }]), {
        action: 'lambda:InvokeFunction',
        principal: { service: 'lambda.amazonaws.com' },
      }).decision,
    ).toBe('deny');
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', NotAction: 'sts:AssumeRole', Resource: '*' }), assume).decision).toBe('deny');
  });

  it('reads a URL-encoded policy document too', () => {
    expect(endpointPolicyAllows(encodeURIComponent(FULL_ACCESS_POLICY), assume).decision).toBe('allow');
  });
});

describe('assessInterfaceEndpoint', () => {
  const ctx = (over: Partial<InterfaceEndpointContext> = {}): InterfaceEndpointContext => ({
    subnet: SUBNET_A,
    clientGroupIds: [CLUSTER_SG],
    securityGroups: [...groups(mskIamHealthy()), endpointSecurityGroup()],
    knownSubnets: ESM_SUBNETS,
    vpcCidrs: ['10.20.0.0/16'],
    vpcDns: { EnableDnsSupport: true, EnableDnsHostnames: true },
    request: { action: 'sts:AssumeRole', principal: { service: 'lambda.amazonaws.com' } },
    region: 'eu-west-1',
    ...over,
  });

  it('finds a healthy endpoint usable with no problems', () => {
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts'), ctx());
    expect(a).toMatchObject({ usable: true, problems: [] });
  });

  it('blocks on private DNS off, with the modify-vpc-endpoint command', () => {
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts', { PrivateDnsEnabled: false }), ctx());
    expect(a.usable).toBe(false);
    expect(a.problems[0]).toMatchObject({ code: 'private-dns-off', commands: ['aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0a1b2c3d4e5f60001 --private-dns-enabled --region eu-west-1'] });
  });

  it('blocks when the VPC resolves no private names', () => {
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts'), ctx({ vpcDns: { EnableDnsSupport: true, EnableDnsHostnames: false } }));
    expect(a.problems.map((p) => p.code)).toEqual(['vpc-dns-off']);
    expect(a.problems[0]!.commands).toEqual([`aws ec2 modify-vpc-attribute --vpc-id vpc-0c1d2e3f4a5b6c7d8 --enable-dns-hostnames '{"Value":true}' --region eu-west-1`]);
  });

  it('cautions when the endpoint has interfaces only in other AZs', () => {
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts', { SubnetIds: [SUBNETS[1]!] }), ctx());
    expect(a.usable).toBe(true);
    expect(a.problems).toEqual([expect.objectContaining({ code: 'other-az', severity: 'caution', commands: [`aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0a1b2c3d4e5f60001 --add-subnet-ids ${SUBNETS[0]} --region eu-west-1`] })]);
  });

  it('places an endpoint from its zonal DNS names when its subnets are unknown', () => {
    const ep = interfaceEndpoint('sts', {
      SubnetIds: ['subnet-0e88ee88ee88ee888'],
      DnsEntries: [{ DnsName: 'vpce-0a1b2c3d4e5f60001-x1y2z3a4-eu-west-1b.sts.eu-west-1.vpce.amazonaws.com', HostedZoneId: 'Z38GZ743OKFT7T' }],
    });
    expect(endpointZones(ep, ESM_SUBNETS)).toEqual({ zones: ['eu-west-1b'], unknownSubnets: ['subnet-0e88ee88ee88ee888'] });
  });

  it('blocks when the endpoint SG does not admit 443 from the ESM SG', () => {
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts'), ctx({ securityGroups: [...ctx().securityGroups.filter((g) => g.GroupId !== ENDPOINT_SG), endpointSecurityGroup('sg-0c0c0c0c0c0c0c0c0')] }));
    expect(a.usable).toBe(false);
    expect(a.problems[0]).toMatchObject({ code: 'sg-ingress', commands: [`aws ec2 authorize-security-group-ingress --group-id ${ENDPOINT_SG} --protocol tcp --port 443 --source-group ${CLUSTER_SG} --region eu-west-1`] });
  });

  it('blocks when the ESM SG lets nothing out on 443', () => {
    const groups = ctx().securityGroups.map((g) => (g.GroupId === CLUSTER_SG ? { ...g, IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }] } : g));
    const a = assessInterfaceEndpoint(interfaceEndpoint('sts'), ctx({ securityGroups: groups }));
    expect(a.problems.map((p) => p.code)).toEqual(['sg-egress']);
    expect(a.problems[0]!.commands).toEqual([`aws ec2 authorize-security-group-egress --group-id ${CLUSTER_SG} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,UserIdGroupPairs=[{GroupId=${ENDPOINT_SG}}]' --region eu-west-1`]);
  });

  it('blocks on an endpoint that is not available', () => {
    expect(assessInterfaceEndpoint(interfaceEndpoint('sts', { State: 'pendingAcceptance' }), ctx()).problems[0]!.code).toBe('not-available');
  });
});

describe('gatewayEndpointFor', () => {
  const s3 = { ...interfaceEndpoint('s3'), VpcEndpointType: 'Gateway', SubnetIds: [], Groups: [], RouteTableIds: ['rtb-0aa1private000001'], PrivateDnsEnabled: false };

  it('finds a gateway endpoint routed from the subnet\'s table', () => {
    expect(gatewayEndpointFor([s3], 'eu-west-1', 's3', 'rtb-0aa1private000001').endpoint?.VpcEndpointId).toBe(s3.VpcEndpointId);
  });

  it('does not count one routed only from other tables', () => {
    expect(gatewayEndpointFor([s3], 'eu-west-1', 's3', 'rtb-0cc3main00000003')).toEqual({ unrouted: [s3] });
  });
});

describe('network ACLs', () => {
  const base = (): NetworkAcl => acls(mskIamHealthy())[0]!;
  const ephemeralIn = { direction: 'ingress' as const, ports: { from: 1024, to: 65535 }, cidr: '10.20.16.0/20' };

  it('finds the subnet\'s ACL, else the default', () => {
    const acl = base();
    expect(networkAclOf(SUBNETS[0]!, [acl])).toMatchObject({ association: 'explicit' });
    expect(networkAclOf('subnet-0f77ff77ff77ff777', [acl])).toMatchObject({ association: 'default' });
  });

  it('allows everything with the default ACL', () => {
    expect(naclAllows(base(), ephemeralIn).verdict).toBe('allow');
  });

  it('denies the ephemeral return ports when a lower rule denies them', () => {
    const acl = base();
    acl.Entries!.push({ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
    const v = naclAllows(acl, ephemeralIn);
    expect(v).toMatchObject({ verdict: 'deny', entry: { RuleNumber: 90 } });
  });

  it('lets the first matching rule win: an allow at 80 beats a deny at 90', () => {
    const acl = base();
    acl.Entries!.push(
      { RuleNumber: 80, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 1024, To: 65535 } },
      { RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } },
    );
    expect(naclAllows(acl, ephemeralIn).verdict).toBe('allow');
  });

  it('reports partial when only 32768-65535 of the ephemeral range is allowed', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      VpcId: VPC_ID,
      IsDefault: false,
      Entries: [
        { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 32768, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclAllows(acl, ephemeralIn)).toMatchObject({ verdict: 'partial' });
  });

  it('ignores UDP rules and rules of the other direction', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      Entries: [
        { RuleNumber: 100, Protocol: '17', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 0, To: 65535 } },
        { RuleNumber: 110, Protocol: '6', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 0, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclAllows(acl, ephemeralIn)).toMatchObject({ verdict: 'deny', entry: { RuleNumber: 32767 } });
  });

  it('measures how much of a range is blocked: a 3389 deny is one port of the reply range', () => {
    const acl = base();
    acl.Entries!.push({ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 3389, To: 3389 } });
    expect(naclAllows(acl, ephemeralIn).verdict).toBe('partial');
    expect(naclBlockedPortCount(acl, ephemeralIn)).toBe(1);
    expect(naclPortSegments(acl, ephemeralIn).map((x) => [x.ports.from, x.ports.to, x.verdict])).toEqual([
      [1024, 3388, 'allow'],
      [3389, 3389, 'deny'],
      [3390, 65535, 'allow'],
    ]);
  });

  it('counts the whole lower half blocked when only 32768-65535 is allowed', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      Entries: [
        { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 32768, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclBlockedPortCount(acl, ephemeralIn)).toBe(32768 - 1024);
  });

  it('collapses proposed CIDRs to 0.0.0.0/0 or the VPC block', () => {
    expect(collapseCidrs(['10.20.0.0/20', '10.20.16.0/20'], ['10.20.0.0/16'])).toEqual(['10.20.0.0/16']);
    expect(collapseCidrs(['10.20.0.0/20', '0.0.0.0/0'], ['10.20.0.0/16'])).toEqual(['0.0.0.0/0']);
    expect(collapseCidrs(['10.20.1.15/32', '10.20.0.0/20'])).toEqual(['10.20.0.0/20']);
  });

  it('never promises the same rule number twice', () => {
    const acl = base();
    const taken = new Set<number>();
    const a = createNaclEntryCommand(acl, ephemeralIn, 32767, taken, 'eu-west-1');
    const b = createNaclEntryCommand(acl, { ...ephemeralIn, cidr: '10.20.32.0/20' }, 32767, taken, 'eu-west-1');
    expect(a).toContain('--rule-number 110');
    expect(b).toContain('--rule-number 109');
  });

  it('picks a free rule number below the blocking one and writes the command', () => {
    const acl = base();
    expect(freeRuleNumberBefore(acl, false, 32767)).toBe(110);
    acl.Entries!.push({ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
    expect(freeRuleNumberBefore(acl, false, 90)).toBe(10);
    expect(createNaclEntryCommand(acl, ephemeralIn, 90, new Set(), 'eu-west-1')).toBe(
      'aws ec2 create-network-acl-entry --network-acl-id acl-0a1b2c3d4e5f60718 --ingress --rule-number 10 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.20.16.0/20 --rule-action allow --region eu-west-1',
    );
  });
});

describe('fixtures sanity', () => {
  it('uses the baseline subnets in three AZs', () => {
    expect([SUBNET_A, SUBNET_B, SUBNET_C].map((s) => s.AvailabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });
});
