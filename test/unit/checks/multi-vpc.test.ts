/**
 * A self-managed ESM whose VPC_SUBNET list spans two VPCs: each subnet's route table, NAT gateway,
 * endpoints and network ACL live in that subnet's own VPC. The mix itself is network.self-managed-vpc's
 * finding; the egress and NACL checks must not add false "no 0.0.0.0/0 route" failures for the
 * second VPC's subnets, which route fine through their own NAT gateway.
 */
import { egressLambda, egressSecretsManager, egressSts } from '../../../bot/checks/egress';
import { nacl, selfManagedVpc, subnets as subnetsCheck } from '../../../bot/checks/network';
import type { Snapshot } from '../../../bot/model/snapshot';
import { selfManagedScramHealthy } from '../../../scenarios/base';
import { acls, net, routeTables, subnets } from './network-fixtures';

const OTHER_VPC = 'vpc-0d9e8f7a6b5c4d3e2';
const OTHER_SUBNET = 'subnet-0e99ee99ee99ee999';
const OTHER_PUBLIC = 'subnet-0f88ff88ff88ff888';
const OTHER_NAT = 'nat-0a77aa77aa77aa777';
const OTHER_IGW = 'igw-0b66bb66bb66bb666';

function withSecondVpc(s: Snapshot, { natRoute = true } = {}): Snapshot {
  s.esm.SourceAccessConfigurations!.push({ Type: 'VPC_SUBNET', URI: `subnet:${OTHER_SUBNET}` });
  subnets(s).push({ SubnetId: OTHER_SUBNET, VpcId: OTHER_VPC, CidrBlock: '10.30.0.0/20', AvailabilityZone: 'eu-west-1a', AvailabilityZoneId: 'euw1-az1', AvailableIpAddressCount: 4000, MapPublicIpOnLaunch: false });
  routeTables(s).push(
    {
      RouteTableId: 'rtb-0dd4other0000004',
      VpcId: OTHER_VPC,
      Associations: [{ Main: false, SubnetId: OTHER_SUBNET, RouteTableAssociationId: 'rtbassoc-0dd41' }],
      Routes: [
        { DestinationCidrBlock: '10.30.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
        ...(natRoute ? [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: OTHER_NAT, Origin: 'CreateRoute', State: 'active' }] : []),
      ],
    },
    {
      RouteTableId: 'rtb-0ee5otherpub00005',
      VpcId: OTHER_VPC,
      Associations: [{ Main: false, SubnetId: OTHER_PUBLIC, RouteTableAssociationId: 'rtbassoc-0ee51' }],
      Routes: [
        { DestinationCidrBlock: '10.30.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
        { DestinationCidrBlock: '0.0.0.0/0', GatewayId: OTHER_IGW, Origin: 'CreateRoute', State: 'active' },
      ],
    },
    {
      RouteTableId: 'rtb-0ff6othermain0006',
      VpcId: OTHER_VPC,
      Associations: [{ Main: true, RouteTableAssociationId: 'rtbassoc-0ff6main' }],
      Routes: [{ DestinationCidrBlock: '10.30.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
    },
  );
  const nats = net(s).natGateways!;
  if (nats.ok) nats.value.push({ NatGatewayId: OTHER_NAT, SubnetId: OTHER_PUBLIC, VpcId: OTHER_VPC, State: 'available', ConnectivityType: 'public' });
  acls(s).push({
    NetworkAclId: 'acl-0f9e8d7c6b5a40302',
    VpcId: OTHER_VPC,
    IsDefault: true,
    Associations: [OTHER_SUBNET, OTHER_PUBLIC].map((id, i) => ({ SubnetId: id, NetworkAclAssociationId: `aclassoc-1${i}` })),
    Entries: [
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
    ],
  });
  return s;
}

describe('subnets of another VPC are judged with that VPC\'s routes, NAT gateways and ACLs', () => {
  it('passes egress for a second-VPC subnet that routes through its own NAT gateway', () => {
    const s = withSecondVpc(selfManagedScramHealthy());
    for (const check of [egressSts, egressSecretsManager, egressLambda]) {
      const o = check.run(s);
      expect({ id: check.id, status: o.status }).toEqual({ id: check.id, status: 'pass' });
      expect(o.detail).toContain(`${OTHER_SUBNET} (eu-west-1a): NAT gateway: rtb-0dd4other0000004 sends 0.0.0.0/0 to ${OTHER_NAT} (available)`);
    }
  });

  it('still fails egress for the second VPC\'s subnet when its own table has no default route, naming that table', () => {
    const o = egressSts.run(withSecondVpc(selfManagedScramHealthy(), { natRoute: false }));
    expect(o.status).toBe('fail');
    expect(o.title).toBe('1 of 3 ESM subnets cannot reach STS');
    expect(o.detail).toContain(`${OTHER_SUBNET} (eu-west-1a): rtb-0dd4other0000004 has no 0.0.0.0/0 route`);
    expect(o.fix).toContain(`--nat-gateway-id ${OTHER_NAT}`);
  });

  it('reads the second subnet\'s own network ACL, not the first VPC\'s', () => {
    const o = nacl.run(withSecondVpc(selfManagedScramHealthy()));
    expect(o.status).not.toBe('fail');
    expect(o.resources).toContain('acl-0f9e8d7c6b5a40302');
  });
});

describe('the VPC split itself is reported once', () => {
  it('fails network.self-managed-vpc only; network.subnets names both VPCs and defers to it', () => {
    const s = withSecondVpc(selfManagedScramHealthy());
    const owner = selfManagedVpc.run(s);
    expect(owner.status).toBe('fail');
    expect(owner.title).toBe('The ESM\'s subnets are in different VPCs');
    const other = subnetsCheck.run(s);
    expect(other.status).not.toBe('fail');
    expect(other.title ?? '').not.toContain('different VPCs');
    expect(other.detail).toContain(OTHER_VPC);
    expect(other.detail).toContain('network.self-managed-vpc reports the split');
  });
});
