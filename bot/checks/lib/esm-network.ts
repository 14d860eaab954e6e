/**
 * The ESM's network position read from the Snapshot: where its ENIs sit, which facts a network
 * check needs (an unreadable one becomes the check's `error` outcome), which broker ports it dials,
 * and whether each of its subnets can reach an AWS service (NAT gateway or VPC endpoint). The
 * network, egress and destination checks share it so they never disagree about the same path.
 */
import { chooseAuth, esmPlacement, esmSource, isProvisionedMode, isVpcConnectionArn, MSK_LISTENERS, MULTI_VPC_BROKER_PORTS, bootstrapServers, splitHostPort } from '../../model/esm';
import type { Placement } from '../../model/esm';
import type { ClusterInfo, NatGateway, VpcConnectionInfo, RouteTable, SecurityGroup, Snapshot, Subnet, VpcDnsAttributes, VpcEndpoint } from '../../model/snapshot';
import { need as needFact, skip, type Needed } from '../check';
import { ANYWHERE, type PortRange } from './net/cidr';
import { assessInterfaceEndpoint, endpointServiceName, gatewayEndpointFor, interfaceEndpointsFor, type EndpointAssessment } from './net/endpoints';
import { effectiveRouteTable, internetPathOf, vpcCidrsFromRoutes, type InternetPath } from './net/routes';
import { securityGroupsAdmitting, securityGroupsAllowingEgress } from './net/security-groups';
import { endpointPolicyAllows, type PolicyRequest } from './policy';
import type { Remedy } from '../../model/report';
import { authorizeSgIngress, createInterfaceEndpoint, routeToNat } from './commands';
import { remedy } from './remedy';

/** `need` (bot/checks/check.ts), under the name the network checks use: one helper for every check's facts. */
export { need as needFact, type Needed } from '../check';

export interface EsmPosition {
  placement: Placement;
  cluster?: ClusterInfo;
  /** Cross-account: the managed VPC connection that places the ESM (DescribeVpcConnection). */
  vpcConnection?: VpcConnectionInfo;
  region: string;
  vpcId?: string;
}

/** Where the ESM's ENIs are: MSK → the cluster's client subnets and SGs; self-managed → VPC_SUBNET / VPC_SECURITY_GROUP, or the internet. */
export function esmPosition(snapshot: Snapshot): Needed<EsmPosition> {
  const source = esmSource(snapshot.esm);
  if (!source) return { ok: false, outcome: skip('This is not a Kafka event source mapping (neither an MSK cluster ARN nor KAFKA_BOOTSTRAP_SERVERS).') };
  let cluster: ClusterInfo | undefined;
  if (source === 'msk' && isVpcConnectionArn(snapshot.esm.EventSourceArn)) {
    const c = needFact(snapshot.vpcConnection, 'the cross-account VPC connection (its client subnets and security groups)', 'kafka:DescribeVpcConnection');
    if (!c.ok) return c;
    const placement = esmPlacement(snapshot.esm, undefined, c.value)!;
    return {
      ok: true,
      value: { placement, vpcConnection: c.value, region: snapshot.target.region, ...(snapshot.network?.vpcId ? { vpcId: snapshot.network.vpcId } : {}) },
    };
  }
  if (source === 'msk') {
    const c = needFact(snapshot.cluster, 'the MSK cluster (its client subnets and security groups)', 'kafka:DescribeClusterV2');
    if (!c.ok) return c;
    cluster = c.value;
  }
  const placement = esmPlacement(snapshot.esm, cluster);
  if (!placement) {
    // Only an MSK ESM without its cluster has no placement, and that returned above.
    return needFact<never>(undefined, 'the MSK cluster (its client subnets and security groups)', 'kafka:DescribeClusterV2');
  }
  return {
    ok: true,
    value: { placement, ...(cluster ? { cluster } : {}), region: snapshot.target.region, ...(snapshot.network?.vpcId ? { vpcId: snapshot.network.vpcId } : {}) },
  };
}

/** On-demand ESMs in a VPC send STS, Secrets Manager and Lambda calls out through the VPC; provisioned ones do not. */
export function callsAwsThroughVpc(snapshot: Snapshot, placement: Placement): boolean {
  return placement.kind !== 'internet' && !isProvisionedMode(snapshot.esm);
}

export function placementText(p: Placement): string {
  if (p.kind === 'msk-vpc-connection') return `the cross-account VPC connection's subnets (${p.subnetIds.join(', ') || 'none'}) and security groups (${p.securityGroupIds.join(', ') || 'none'})`;
  if (p.kind === 'msk') return `the cluster's client subnets (${p.subnetIds.join(', ') || 'none'}) and security groups (${p.securityGroupIds.join(', ') || 'the VPC default'})`;
  if (p.kind === 'self-managed-vpc') return `the ESM's VPC_SUBNET (${p.subnetIds.join(', ') || 'none'}) and VPC_SECURITY_GROUP (${p.securityGroupIds.join(', ') || 'none'})`;
  return 'the internet (no VPC_SUBNET / VPC_SECURITY_GROUP)';
}

/** The ESM's subnets as DescribeSubnets returned them, and the configured ids it did not return. */
export function esmSubnets(snapshot: Snapshot, placement: Placement): Needed<{ found: Subnet[]; missing: string[] }> {
  const f = needFact(snapshot.network?.subnets, 'the ESM\'s subnets', 'ec2:DescribeSubnets');
  if (!f.ok) return f;
  const found = placement.subnetIds.map((id) => f.value.find((s) => s.SubnetId === id)).filter((s): s is Subnet => !!s);
  const missing = placement.subnetIds.filter((id) => !f.value.some((s) => s.SubnetId === id));
  return { ok: true, value: { found, missing } };
}

/**
 * The ESM's security groups as objects. An MSK cluster created without SecurityGroups uses the
 * VPC's default group.
 */
export function esmSecurityGroups(placement: Placement, groups: SecurityGroup[], vpcId?: string): { ids: string[]; found: SecurityGroup[]; missing: string[] } {
  let ids = placement.securityGroupIds;
  if (ids.length === 0 && placement.kind === 'msk') {
    const def = groups.find((g) => g.GroupName === 'default' && (!vpcId || g.VpcId === vpcId));
    ids = def ? [def.GroupId] : [];
  }
  const found = ids.map((id) => groups.find((g) => g.GroupId === id)).filter((g): g is SecurityGroup => !!g);
  return { ids, found, missing: ids.filter((id) => !groups.some((g) => g.GroupId === id)) };
}

/**
 * The ports the ESM dials: MSK → the listener of the auth mode Lambda chooses; self-managed → the
 * bootstrap entries' ports; cross-account → the multi-VPC range (one port per broker of a cluster
 * this account cannot read, so `ports` holds the first and `range` all of them).
 */
export function brokerPorts(snapshot: Snapshot, pos: EsmPosition): { ports: number[]; why: string; range?: PortRange } | undefined {
  if (pos.placement.kind === 'msk-vpc-connection') {
    const range = { from: MULTI_VPC_BROKER_PORTS.from, to: MULTI_VPC_BROKER_PORTS.to };
    return {
      ports: [range.from],
      range,
      why: `the multi-VPC ports, one per broker from ${range.from}, that the VPC connection's endpoints serve; the other account's cluster, and so its broker count, is not readable from here`,
    };
  }
  if (pos.placement.kind === 'msk') {
    const choice = chooseAuth(snapshot.esm, pos.cluster);
    const listener = choice.mode ? MSK_LISTENERS[choice.mode] : undefined;
    if (!listener) return undefined;
    return { ports: [listener.port], why: `${listener.port} is the ${choice.mode === 'iam' ? 'IAM' : choice.mode} listener; Lambda uses it because ${choice.reason}` };
  }
  const ports = [...new Set(bootstrapServers(snapshot.esm).map((e) => splitHostPort(e)?.port).filter((p): p is number => p !== undefined))];
  if (ports.length === 0) return undefined;
  return { ports, why: `the port${ports.length > 1 ? 's' : ''} of KAFKA_BOOTSTRAP_SERVERS` };
}

// ---------------------------------------------------------------------------------------------
// Paths to AWS services

export interface PathFacts {
  region: string;
  vpcId?: string;
  subnets: Subnet[];
  routeTables: RouteTable[];
  natGateways: NatGateway[];
  vpcEndpoints: VpcEndpoint[];
  securityGroups: SecurityGroup[];
  vpcDns?: VpcDnsAttributes;
  esmGroupIds: string[];
}

/** Every fact a path-to-AWS evaluation reads; the first unreadable one becomes the outcome. */
export function pathFacts(snapshot: Snapshot, pos: EsmPosition): Needed<PathFacts> {
  const net = snapshot.network;
  const subnets = esmSubnets(snapshot, pos.placement);
  if (!subnets.ok) return subnets;
  const routeTables = needFact(net?.routeTables, 'the VPC\'s route tables', 'ec2:DescribeRouteTables');
  if (!routeTables.ok) return routeTables;
  const natGateways = needFact(net?.natGateways, 'the VPC\'s NAT gateways', 'ec2:DescribeNatGateways');
  if (!natGateways.ok) return natGateways;
  const vpcEndpoints = needFact(net?.vpcEndpoints, 'the VPC\'s endpoints', 'ec2:DescribeVpcEndpoints');
  if (!vpcEndpoints.ok) return vpcEndpoints;
  const securityGroups = needFact(net?.securityGroups, 'the VPC\'s security groups', 'ec2:DescribeSecurityGroups');
  if (!securityGroups.ok) return securityGroups;
  const vpcId = net?.vpcId ?? subnets.value.found[0]?.VpcId;
  const vpcDns = net?.vpcDns?.ok ? net.vpcDns.value : undefined;
  return {
    ok: true,
    value: {
      region: pos.region,
      ...(vpcId ? { vpcId } : {}),
      subnets: subnets.value.found,
      routeTables: routeTables.value,
      natGateways: natGateways.value,
      vpcEndpoints: vpcEndpoints.value,
      securityGroups: securityGroups.value,
      ...(vpcDns ? { vpcDns } : {}),
      esmGroupIds: esmSecurityGroups(pos.placement, securityGroups.value, vpcId).ids,
    },
  };
}

export interface ServiceNeed {
  /** The endpoint service suffix: sts, lambda, secretsmanager, sqs, sns, s3. */
  service: string;
  /** What is called through the endpoint, by whom: judged against the endpoint policy. */
  request: PolicyRequest;
  /** S3 (and DynamoDB) can also be reached through a gateway endpoint. */
  gatewayAllowed?: boolean;
}

export type PathStatus = 'ok' | 'caution' | 'unverifiable' | 'blocked';

export interface SubnetServicePath {
  subnet: Subnet;
  status: PathStatus;
  /** How the subnet reaches the service, or what stops it: one sentence per fact. */
  evidence: string[];
  internet: InternetPath;
  /** Interface endpoints for the service, as seen from this subnet. */
  assessments: EndpointAssessment[];
  /** The endpoint the service name resolves to (private DNS on), which then carries every call. */
  privateDnsEndpoint?: EndpointAssessment;
  gatewayEndpointId?: string;
}

/**
 * Can each ESM subnet reach `need.service`? With an interface endpoint whose private DNS is on,
 * the service's hostname resolves to that endpoint inside the VPC, so the endpoint decides (a NAT
 * route is bypassed, not a fallback). Otherwise the subnet needs a 0.0.0.0/0 route to an available
 * NAT gateway, plus security-group egress on 443 to the internet.
 */
export function servicePaths(facts: PathFacts, need: ServiceNeed): SubnetServicePath[] {
  const { region } = facts;
  const esmGroups = facts.securityGroups.filter((g) => facts.esmGroupIds.includes(g.GroupId));
  const name = endpointServiceName(region, need.service);

  return facts.subnets.map((subnet): SubnetServicePath => {
    // Route tables, NAT gateways and endpoints are looked up in the subnet's own VPC: a self-managed
    // ESM may name subnets of several VPCs (network.self-managed-vpc reports that on its own).
    const vpcId = subnet.VpcId ?? facts.vpcId;
    const interfaces = interfaceEndpointsFor(facts.vpcEndpoints, region, need.service, vpcId);
    const vpcCidrs = vpcCidrsFromRoutes(facts.routeTables, vpcId);
    const internet = internetPathOf(subnet.SubnetId, facts.routeTables, facts.natGateways, vpcId);
    const assessments = interfaces.map((ep) =>
      assessInterfaceEndpoint(ep, {
        subnet,
        clientGroupIds: facts.esmGroupIds,
        securityGroups: facts.securityGroups,
        knownSubnets: facts.subnets,
        vpcCidrs,
        ...(facts.vpcDns ? { vpcDns: facts.vpcDns } : {}),
        request: need.request,
        region,
      }),
    );
    const base = { subnet, internet, assessments };

    if (need.gatewayAllowed) {
      const gw = gatewayEndpointFor(facts.vpcEndpoints, region, need.service, internet.routeTableId, vpcId);
      if (gw.endpoint) {
        const policy = endpointPolicyAllows(gw.endpoint.PolicyDocument, need.request);
        const id = gw.endpoint.VpcEndpointId;
        if (policy.decision === 'allow') return { ...base, status: 'ok', gatewayEndpointId: id, evidence: [`gateway endpoint ${id} is routed from ${internet.routeTableId}`] };
        return {
          ...base,
          status: policy.decision === 'deny' ? 'blocked' : 'caution',
          gatewayEndpointId: id,
          evidence: [`gateway endpoint ${id} is routed from ${internet.routeTableId}, but its policy ${policy.decision === 'deny' ? 'blocks' : 'may block'} ${need.request.action}: ${policy.reason}`],
        };
      }
    }

    const resolving = assessments.find(
      (a) => a.endpoint.PrivateDnsEnabled === true && (a.endpoint.State ?? '').toLowerCase() === 'available' && !a.problems.some((p) => p.code === 'vpc-dns-off'),
    );
    if (resolving) {
      const id = resolving.endpoint.VpcEndpointId;
      const bypass = internet.kind === 'nat' ? ` (the NAT route through ${internet.natGatewayId} is bypassed: private DNS points the name at the endpoint)` : '';
      if (!resolving.usable) {
        return { ...base, privateDnsEndpoint: resolving, status: 'blocked', evidence: [...resolving.problems.filter((p) => p.severity === 'blocking').map((p) => p.message + bypass)] };
      }
      const cautions = resolving.problems.filter((p) => p.severity === 'caution').map((p) => p.message);
      return { ...base, privateDnsEndpoint: resolving, status: cautions.length ? 'caution' : 'ok', evidence: [`interface endpoint ${id} (private DNS on)`, ...cautions] };
    }

    const endpointEvidence = assessments.length
      ? assessments.map((a) => a.problems.filter((p) => p.severity === 'blocking').map((p) => p.message).join('; ') || `${a.endpoint.VpcEndpointId} is not resolvable`)
      : [`no interface endpoint for ${name} in ${vpcId ?? 'the VPC'}`];

    if (internet.kind === 'nat') {
      const egress = securityGroupsAllowingEgress(esmGroups, 443, { groupIds: [], cidrs: [ANYWHERE] });
      if (esmGroups.length === 0 || egress.allowed) return { ...base, status: 'ok', evidence: [`NAT gateway: ${internet.detail}`] };
      const partial = egress.onPort.length > 0;
      return {
        ...base,
        status: partial ? 'caution' : 'blocked',
        evidence: [
          `${internet.detail}, but the ESM's security groups (${facts.esmGroupIds.join(', ')}) ${partial ? `allow 443 only to ${egress.onPort.map((r) => r.text).join('; ')}` : 'allow no 443 egress to the internet'}`,
        ],
      };
    }
    if (internet.kind === 'unverifiable') return { ...base, status: 'unverifiable', evidence: [internet.detail, ...endpointEvidence] };
    return { ...base, status: 'blocked', evidence: [internet.detail, ...endpointEvidence] };
  });
}

/** The public NAT gateways of the VPC that are available: what a new default route could point at. */
export function availableNatGateways(facts: PathFacts): NatGateway[] {
  return facts.natGateways.filter(
    (n) => (n.State ?? '').toLowerCase() === 'available' && (n.ConnectivityType ?? 'public').toLowerCase() === 'public' && (!facts.vpcId || !n.VpcId || n.VpcId === facts.vpcId),
  );
}

/**
 * The two ways to open a path from `blocked` subnets to `service`, with the real ids: an interface
 * endpoint (or the targeted repair of the existing one), or a default route to a NAT gateway.
 */
export function servicePathFix(facts: PathFacts, service: string, blocked: SubnetServicePath[]): Remedy {
  const region = facts.region;
  const options: Array<{ summary: string; commands: string[] }> = [];
  const repairs: string[] = [];
  const problems: string[] = [];
  for (const p of blocked) {
    const assessments = p.privateDnsEndpoint ? [p.privateDnsEndpoint] : p.assessments;
    for (const a of assessments) {
      for (const problem of a.problems) {
        if (problem.commands?.length) repairs.push(...problem.commands);
        if (problem.code === 'policy') problems.push(`the command for ${a.endpoint.VpcEndpointId}'s policy replaces it: merge the statement by hand to keep others`);
      }
    }
  }
  const name = endpointServiceName(region, service);
  // The fix is for the VPC of the blocked subnets (the first one's, when they span several).
  const vpcId = blocked[0]?.subnet.VpcId ?? facts.vpcId;
  facts = { ...facts, ...(vpcId ? { vpcId } : {}) };
  const existing = interfaceEndpointsFor(facts.vpcEndpoints, region, service, facts.vpcId);
  const sg = facts.esmGroupIds[0];
  if (repairs.length > 0) {
    options.push({ summary: `repair the existing ${name} endpoint${problems.length ? ` (${problems.join('; ')})` : ''}`, commands: [...new Set(repairs)] });
  } else if (existing.length === 0 && facts.vpcId && sg) {
    const subnets = [...new Set(blocked.map((p) => p.subnet.SubnetId))];
    const admits443 = securityGroupsAdmitting(facts.securityGroups.filter((g) => g.GroupId === sg), 443, { groupIds: [sg], cidrs: [] }).allowed;
    options.push({
      summary: `create an interface endpoint for ${name} in the ESM's subnets, with private DNS${admits443 ? '' : ', and a rule letting the ESM\'s group reach it on 443'}`,
      commands: [
        createInterfaceEndpoint({ vpcId: facts.vpcId, serviceName: name, subnetIds: subnets, securityGroupIds: [sg], region }),
        ...(admits443 ? [] : [authorizeSgIngress({ groupId: sg, port: 443, from: { groupId: sg }, region })]),
      ],
    });
  }
  const nat = availableNatGateways(facts)[0];
  const tables = new Map<string, SubnetServicePath>();
  for (const p of blocked) if (p.internet.routeTableId && !p.privateDnsEndpoint && !tables.has(p.internet.routeTableId)) tables.set(p.internet.routeTableId, p);
  if (tables.size > 0) {
    const notes: string[] = [];
    const commands: string[] = [];
    for (const [rtb, p] of tables) {
      // create-route fails with RouteAlreadyExists when the table already has a 0.0.0.0/0 route (to an IGW, say).
      const replace = p.internet.kind === 'none' && p.internet.reason !== 'no-default-route' && p.internet.reason !== 'no-route-table';
      if (nat) commands.push(routeToNat({ replace, routeTableId: rtb, natGatewayId: nat.NatGatewayId, region }));
      if (p.internet.association === 'main') {
        notes.push(`${rtb} is the VPC's main table: the change reaches every subnet without its own table; to limit it, give ${p.subnet.SubnetId} its own table (ec2 associate-route-table)`);
      }
      if (nat?.SubnetId && effectiveRouteTable(nat.SubnetId, facts.routeTables, facts.vpcId)?.table.RouteTableId === rtb) {
        notes.push(`careful: ${rtb} also routes the NAT gateway's own subnet ${nat.SubnetId}, which must keep its route to the internet gateway: give the ESM's subnets their own table first`);
      }
    }
    const lead = nat
      ? `give ${[...tables.keys()].join(', ')} a default route to NAT gateway ${nat.NatGatewayId}`
      : `create a public NAT gateway (ec2 create-nat-gateway, in a public subnet with an Elastic IP: esm-doctor does not know which), then give ${[...tables.keys()].join(', ')} a default route (0.0.0.0/0) to it`;
    options.push({ summary: `${lead}${notes.length ? ` (${notes.join('; ')})` : ''}`, commands });
  }
  const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  if (options.length === 0) return remedy(`Open a path from the ESM's subnets to ${name}: an interface endpoint with private DNS, or a default route to a NAT gateway.`);
  if (options.length === 1) return remedy(`${cap(options[0]!.summary)}.`, options[0]!.commands);
  // Two alternatives in one flat command list: the summary says which commands belong to which.
  let n = 0;
  const parts = options.map((o, i) => {
    const range = o.commands.length === 0 ? '' : o.commands.length === 1 ? ` (command ${n + 1})` : ` (commands ${n + 1}–${n + o.commands.length})`;
    n += o.commands.length;
    return `Option ${i + 1}: ${o.summary}${range}.`;
  });
  return remedy(`Either option opens the path; run the commands of one. ${parts.join(' ')}`, options.flatMap((o) => o.commands));
}
