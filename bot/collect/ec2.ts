/**
 * EC2 reads of the ESM's network position: its subnets (by id), then everything VPC-wide by the
 * subnets' VPC id — security groups (so the VPC endpoints' groups come too), route tables (with the
 * main table), NAT gateways, VPC endpoints, network ACLs and the VPC's DNS attributes.
 */
import {
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import {
  NatGateway,
  NetworkAcl,
  RouteTable,
  SecurityGroup,
  Subnet,
  VpcDnsAttributes,
  VpcEndpoint,
  type Fact,
  type NetworkFacts,
} from '../model/snapshot';
import { paginate, readFact } from './fact';
import type { CollectorAction } from './iam-actions';

/**
 * DescribeSubnets by a `subnet-id` filter rather than `SubnetIds`: with SubnetIds one deleted subnet
 * fails the whole call (InvalidSubnetID.NotFound) and hides the others; with the filter it is simply
 * absent from the answer, which is exactly what network.subnets needs to say "subnet-x is missing".
 */
export function readSubnets(client: EC2Client, subnetIds: string[]): Promise<Fact<Subnet[]>> {
  return readFact('ec2:DescribeSubnets', z.array(Subnet), () =>
    paginate(async (NextToken) => {
      const out = await client.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: subnetIds }], ...(NextToken ? { NextToken } : {}) }),
      );
      return { items: out?.Subnets, next: out?.NextToken };
    }),
  );
}

export type VpcWideFacts = Required<Pick<NetworkFacts, 'securityGroups' | 'routeTables' | 'natGateways' | 'vpcEndpoints' | 'networkAcls' | 'vpcDns'>>;
export type VpcRouting = Pick<VpcWideFacts, 'routeTables' | 'natGateways' | 'vpcEndpoints' | 'networkAcls'>;

const byVpc = (vpcIds: string[]) => [{ Name: 'vpc-id', Values: vpcIds }];
const token = (NextToken: string | undefined) => (NextToken ? { NextToken } : {});

/** One paginated Describe call filtered by VPC, as one fact. */
function listed<S extends z.ZodType, O extends { NextToken?: string | undefined }>(action: CollectorAction, item: S, send: (token: string | undefined) => Promise<O>, items: (out: O) => unknown[] | undefined) {
  return readFact(action, z.array(item), () =>
    paginate(async (t) => {
      const out = await send(t);
      return { items: out ? items(out) : undefined, next: out?.NextToken };
    }),
  );
}

/**
 * The VPC-wide facts, all concurrently. `vpcIds` are every VPC the ESM's subnets belong to (normally
 * one; a self-managed ESM may name subnets of several); the DNS attributes are those of `vpcIds[0]`.
 */
export async function readVpcWide(client: EC2Client, vpcIds: string[]): Promise<VpcWideFacts> {
  const Filters = byVpc(vpcIds);
  const [securityGroups, routing, vpcDns] = await Promise.all([
    listed('ec2:DescribeSecurityGroups', SecurityGroup, (t) => client.send(new DescribeSecurityGroupsCommand({ Filters, ...token(t) })), (o) => o.SecurityGroups),
    readVpcRouting(client, vpcIds),
    readVpcDns(client, vpcIds[0]!),
  ]);
  return { securityGroups, ...routing, vpcDns };
}

/** Where traffic from the VPCs' subnets can go: route tables, NAT gateways, VPC endpoints, network ACLs (also what `dependents` reads). */
export async function readVpcRouting(client: EC2Client, vpcIds: string[]): Promise<VpcRouting> {
  const Filters = byVpc(vpcIds);
  const [routeTables, natGateways, vpcEndpoints, networkAcls] = await Promise.all([
    listed('ec2:DescribeRouteTables', RouteTable, (t) => client.send(new DescribeRouteTablesCommand({ Filters, ...token(t) })), (o) => o.RouteTables),
    // DescribeNatGateways names its filter list `Filter`, not `Filters`.
    listed('ec2:DescribeNatGateways', NatGateway, (t) => client.send(new DescribeNatGatewaysCommand({ Filter: Filters, ...token(t) })), (o) => o.NatGateways),
    listed('ec2:DescribeVpcEndpoints', VpcEndpoint, (t) => client.send(new DescribeVpcEndpointsCommand({ Filters, ...token(t) })), (o) => o.VpcEndpoints),
    listed('ec2:DescribeNetworkAcls', NetworkAcl, (t) => client.send(new DescribeNetworkAclsCommand({ Filters, ...token(t) })), (o) => o.NetworkAcls),
  ]);
  return { routeTables, natGateways, vpcEndpoints, networkAcls };
}

/** DescribeVpcAttribute answers one attribute per call: both DNS attributes, folded into one fact. */
export function readVpcDns(client: EC2Client, vpcId: string): Promise<Fact<VpcDnsAttributes>> {
  return readFact('ec2:DescribeVpcAttribute', VpcDnsAttributes, async () => {
    const [support, hostnames] = await Promise.all([
      client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
      client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
    ]);
    return {
      EnableDnsSupport: support?.EnableDnsSupport?.Value,
      EnableDnsHostnames: hostnames?.EnableDnsHostnames?.Value,
    };
  });
}
