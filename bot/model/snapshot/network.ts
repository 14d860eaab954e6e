/** EC2: subnets, routes, NAT, endpoints, security groups, NACLs, VPC DNS; the ESM's network position. */
import { z } from 'zod';
import { fact } from './fact';

export const Subnet = z.looseObject({
  SubnetId: z.string(),
  VpcId: z.string(),
  CidrBlock: z.string().optional(),
  AvailabilityZone: z.string().optional(),
  AvailabilityZoneId: z.string().optional(),
  AvailableIpAddressCount: z.number().optional(),
  MapPublicIpOnLaunch: z.boolean().optional(),
});
export type Subnet = z.infer<typeof Subnet>;

export const Route = z.looseObject({
  DestinationCidrBlock: z.string().optional(),
  DestinationIpv6CidrBlock: z.string().optional(),
  DestinationPrefixListId: z.string().optional(),
  GatewayId: z.string().optional(),
  NatGatewayId: z.string().optional(),
  TransitGatewayId: z.string().optional(),
  VpcPeeringConnectionId: z.string().optional(),
  NetworkInterfaceId: z.string().optional(),
  InstanceId: z.string().optional(),
  State: z.string().optional(),
});
export type Route = z.infer<typeof Route>;

export const RouteTable = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string().optional(),
  Associations: z
    .array(z.looseObject({ Main: z.boolean().optional(), SubnetId: z.string().optional(), RouteTableAssociationId: z.string().optional() }))
    .optional(),
  Routes: z.array(Route).optional(),
});
export type RouteTable = z.infer<typeof RouteTable>;

export const NatGateway = z.looseObject({
  NatGatewayId: z.string(),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  State: z.string().optional(),
  ConnectivityType: z.string().optional(),
});
export type NatGateway = z.infer<typeof NatGateway>;

export const VpcEndpoint = z.looseObject({
  VpcEndpointId: z.string(),
  VpcEndpointType: z.string().optional(),
  VpcId: z.string().optional(),
  ServiceName: z.string(),
  State: z.string().optional(),
  PolicyDocument: z.string().optional(),
  PrivateDnsEnabled: z.boolean().optional(),
  SubnetIds: z.array(z.string()).optional(),
  RouteTableIds: z.array(z.string()).optional(),
  Groups: z.array(z.looseObject({ GroupId: z.string(), GroupName: z.string().optional() })).optional(),
});
export type VpcEndpoint = z.infer<typeof VpcEndpoint>;

export const IpPermission = z.looseObject({
  IpProtocol: z.string(),
  FromPort: z.number().optional(),
  ToPort: z.number().optional(),
  IpRanges: z.array(z.looseObject({ CidrIp: z.string(), Description: z.string().optional() })).optional(),
  Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: z.string() })).optional(),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string() })).optional(),
  UserIdGroupPairs: z.array(z.looseObject({ GroupId: z.string().optional(), UserId: z.string().optional() })).optional(),
});
export type IpPermission = z.infer<typeof IpPermission>;

export const SecurityGroup = z.looseObject({
  GroupId: z.string(),
  GroupName: z.string().optional(),
  VpcId: z.string().optional(),
  IpPermissions: z.array(IpPermission).optional(),
  IpPermissionsEgress: z.array(IpPermission).optional(),
});
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const NetworkAclEntry = z.looseObject({
  RuleNumber: z.number(),
  Protocol: z.string(),
  RuleAction: z.string(),
  Egress: z.boolean(),
  CidrBlock: z.string().optional(),
  Ipv6CidrBlock: z.string().optional(),
  PortRange: z.looseObject({ From: z.number().optional(), To: z.number().optional() }).optional(),
});
export type NetworkAclEntry = z.infer<typeof NetworkAclEntry>;

export const NetworkAcl = z.looseObject({
  NetworkAclId: z.string(),
  VpcId: z.string().optional(),
  IsDefault: z.boolean().optional(),
  Associations: z.array(z.looseObject({ SubnetId: z.string().optional(), NetworkAclAssociationId: z.string().optional() })).optional(),
  Entries: z.array(NetworkAclEntry).optional(),
});
export type NetworkAcl = z.infer<typeof NetworkAcl>;

/** DescribeVpcAttribute for enableDnsSupport and enableDnsHostnames, folded into one fact. */
export const VpcDnsAttributes = z.object({
  EnableDnsSupport: z.boolean().optional(),
  EnableDnsHostnames: z.boolean().optional(),
});
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
