/** EC2: subnets, routes, NAT, endpoints, security groups, NACLs, VPC DNS; the ESM's network position. */
import { z } from 'zod';
import { fact } from './fact';
import { fields, optionalStrings, strings } from '../fields';

export const Subnet = z.looseObject({
  ...strings('SubnetId', 'VpcId'),
  ...optionalStrings('CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId'),
  AvailableIpAddressCount: z.number().optional(),
  MapPublicIpOnLaunch: z.boolean().optional(),
});
export type Subnet = z.infer<typeof Subnet>;

/** A route: one destination, one target (gateway, NAT, transit gateway, peering, ENI or instance). */
export const Route = z.looseObject({
  ...optionalStrings('DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId'),
  ...optionalStrings('GatewayId', 'NatGatewayId', 'TransitGatewayId', 'VpcPeeringConnectionId', 'NetworkInterfaceId', 'InstanceId'),
  State: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

export const RouteTable = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string().optional(),
  Associations: z
    .array(z.looseObject({ Main: z.boolean().optional(), ...optionalStrings('SubnetId', 'RouteTableAssociationId') }))
    .optional(),
  Routes: z.array(Route).optional(),
});
export type RouteTable = z.infer<typeof RouteTable>;

export const NatGateway = z.looseObject({
  NatGatewayId: z.string(),
  ...optionalStrings('SubnetId', 'VpcId', 'State', 'ConnectivityType'),
});
export type NatGateway = z.infer<typeof NatGateway>;

/**
 * EC2's SecurityGroupIdentifier, how a VPC endpoint names its groups (VpcEndpoint.Groups), and the head of a SecurityGroup.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupIdentifier.html
 */
const SecurityGroupIdentifier = z.looseObject({ GroupId: z.string(), GroupName: z.string().optional() });

export const VpcEndpoint = z.looseObject({
  VpcEndpointId: z.string(),
  ...optionalStrings('VpcEndpointType', 'VpcId'),
  ServiceName: z.string(),
  ...optionalStrings('State', 'PolicyDocument'),
  PrivateDnsEnabled: z.boolean().optional(),
  ...fields(z.array(z.string()).optional(), 'SubnetIds', 'RouteTableIds'),
  Groups: z.array(SecurityGroupIdentifier).optional(),
});
export type VpcEndpoint = z.infer<typeof VpcEndpoint>;

export const IpPermission = z.looseObject({
  IpProtocol: z.string(),
  ...fields(z.number().optional(), 'FromPort', 'ToPort'),
  IpRanges: z.array(z.looseObject({ CidrIp: z.string(), Description: z.string().optional() })).optional(),
  Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: z.string() })).optional(),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string() })).optional(),
  UserIdGroupPairs: z.array(z.looseObject(optionalStrings('GroupId', 'UserId'))).optional(),
});
export type IpPermission = z.infer<typeof IpPermission>;

export const SecurityGroup = SecurityGroupIdentifier.extend({
  VpcId: z.string().optional(),
  ...fields(z.array(IpPermission).optional(), 'IpPermissions', 'IpPermissionsEgress'),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const NetworkAclEntry = z.looseObject({
  RuleNumber: z.number(),
  ...strings('Protocol', 'RuleAction'),
  Egress: z.boolean(),
  ...optionalStrings('CidrBlock', 'Ipv6CidrBlock'),
  PortRange: z.looseObject(fields(z.number().optional(), 'From', 'To')).optional(),
});
export type NetworkAclEntry = z.infer<typeof NetworkAclEntry>;

export const NetworkAcl = z.looseObject({
  NetworkAclId: z.string(),
  VpcId: z.string().optional(),
  IsDefault: z.boolean().optional(),
  Associations: z.array(z.looseObject(optionalStrings('SubnetId', 'NetworkAclAssociationId'))).optional(),
  Entries: z.array(NetworkAclEntry).optional(),
});
export type NetworkAcl = z.infer<typeof NetworkAcl>;

/** DescribeVpcAttribute for enableDnsSupport and enableDnsHostnames, folded into one fact. */
export const VpcDnsAttributes = z.object(fields(z.boolean().optional(), 'EnableDnsSupport', 'EnableDnsHostnames'));
export type VpcDnsAttributes = z.infer<typeof VpcDnsAttributes>;

/**
 * The network facts of the ESM's position: MSK → the cluster's client subnets and SGs;
 * self-managed → VPC_SUBNET / VPC_SECURITY_GROUP. Absent for a self-managed ESM on the internet.
 * Subnets and SGs are read by id; the rest by the VPC id the subnets belong to (route tables
 * include the VPC's main table; security groups include the endpoints' groups).
 */
export const NetworkFacts = z.object({
  subnets: fact(z.array(Subnet)),
  vpcId: z.string().optional(),
  securityGroups: fact(z.array(SecurityGroup)).optional(),
  routeTables: fact(z.array(RouteTable)).optional(),
  natGateways: fact(z.array(NatGateway)).optional(),
  vpcEndpoints: fact(z.array(VpcEndpoint)).optional(),
  networkAcls: fact(z.array(NetworkAcl)).optional(),
  vpcDns: fact(VpcDnsAttributes).optional(),
});
export type NetworkFacts = z.infer<typeof NetworkFacts>;
