/**
 * Route tables and the way out to the internet: which table a subnet routes with, and whether its
 * default route leads to an available public NAT gateway (a private NAT gateway, a blackhole route,
 * an internet gateway or a peering connection do not). Field names as DescribeRouteTables and
 * DescribeNatGateways return them.
 */
import type { NatGateway, Route, RouteTable } from '../../../model/snapshot';
import { ANYWHERE } from './cidr';
import { appliesToSubnet, inVpc } from './vpc';

export interface EffectiveRouteTable {
  table: RouteTable;
  /** explicit: associated with the subnet; main: the VPC's main table, which applies to every subnet without one. */
  association: 'explicit' | 'main';
}

/** The table a subnet routes with: its explicit association, else the VPC's main route table. */
export function effectiveRouteTable(subnetId: string, tables: RouteTable[], vpcId?: string): EffectiveRouteTable | undefined {
  const found = appliesToSubnet(tables, subnetId, vpcId, (t) => (t.Associations ?? []).some((a) => a.Main === true));
  return found && { table: found.item, association: found.explicit ? 'explicit' : 'main' };
}

/** The IPv4 default route (0.0.0.0/0) of a table, if any. */
export function defaultRoute(table: RouteTable): Route | undefined {
  return (table.Routes ?? []).find((r) => r.DestinationCidrBlock === ANYWHERE);
}

/** The VPC's own CIDR blocks, as the `local` routes of its tables show them. */
export function vpcCidrsFromRoutes(tables: RouteTable[], vpcId?: string): string[] {
  const out = new Set<string>();
  for (const t of tables) {
    if (!inVpc(t.VpcId, vpcId)) continue;
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
