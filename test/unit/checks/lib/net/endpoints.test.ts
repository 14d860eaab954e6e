import { assessInterfaceEndpoint, endpointZones, gatewayEndpointFor, type InterfaceEndpointContext } from '../../../../../bot/checks/lib/net/endpoints';
import type { Subnet } from '../../../../../bot/model/snapshot';
import { CLUSTER_SG, SUBNETS, mskIamHealthy } from '../../../../../scenarios/base';
import { ENDPOINT_SG, endpointSecurityGroup, groups, interfaceEndpoint, subnets } from '../../network-fixtures';

const ESM_SUBNETS: Subnet[] = subnets(mskIamHealthy());
const [SUBNET_A, SUBNET_B, SUBNET_C] = ESM_SUBNETS as [Subnet, Subnet, Subnet];

describe('fixtures sanity', () => {
  it('uses the baseline subnets in three AZs', () => {
    expect([SUBNET_A, SUBNET_B, SUBNET_C].map((s) => s.AvailabilityZone)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
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
