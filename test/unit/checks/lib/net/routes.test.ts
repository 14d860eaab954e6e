import { effectiveRouteTable, internetPathOf, vpcCidrsFromRoutes } from '../../../../../bot/checks/lib/net/routes';
import type { NatGateway, RouteTable } from '../../../../../bot/model/snapshot';
import { IGW_ID, NAT_ID, PUBLIC_SUBNET, SUBNETS, VPC_ID, mskIamHealthy } from '../../../../../scenarios/base';
import { routeTables } from '../../network-fixtures';

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
