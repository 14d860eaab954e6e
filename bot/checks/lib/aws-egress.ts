/**
 * Where an on-demand ESM's calls to AWS leave its subnets. Lambda calls STS, Lambda and (with a
 * secret) Secrets Manager from the ESM's ENIs (the egress.* checks trace each path): through a NAT
 * gateway to the internet, or to an interface endpoint of the service in the VPC. network.sg-egress
 * and network.nacl judge these same destinations with security groups and ACLs, so the three never
 * disagree about where the traffic goes.
 */
import { secretConfigs } from '../../model/esm';
import type { Snapshot, Subnet, VpcEndpoint } from '../../model/snapshot';
import { valueOf } from '../check';
import { endpointCidrs, interfaceEndpointsFor } from './net/endpoints';
import { vpcCidrsFromRoutes } from './net/routes';

/** The endpoint services the ESM calls over 443 (the egress.* checks, one per service). */
export function awsServicesCalled(snapshot: Snapshot): string[] {
  return ['sts', 'lambda', ...(secretConfigs(snapshot.esm).length ? ['secretsmanager'] : [])];
}

export interface EndpointTarget {
  endpoint: VpcEndpoint;
  /** The endpoint's security groups: an egress rule naming one reaches it. */
  groupIds: string[];
  /** Where its interfaces live (endpointCidrs). */
  cidrs: string[];
}

/** The interface endpoints of `vpcId` that serve the services the ESM calls, each with where its interfaces are. */
export function awsEndpointTargets(snapshot: Snapshot, vpcId: string | undefined): EndpointTarget[] {
  const endpoints = valueOf(snapshot.network?.vpcEndpoints) ?? [];
  const known: Subnet[] = valueOf(snapshot.network?.subnets) ?? [];
  const vpcCidrs = vpcCidrsFromRoutes(valueOf(snapshot.network?.routeTables) ?? [], vpcId);
  return awsServicesCalled(snapshot)
    .flatMap((service) => interfaceEndpointsFor(endpoints, snapshot.target.region, service, vpcId))
    .map((endpoint) => ({ endpoint, groupIds: (endpoint.Groups ?? []).map((g) => g.GroupId), cidrs: endpointCidrs(endpoint, known, vpcCidrs) }));
}
