/**
 * Step 4: the network path from the ESM's ENIs to the brokers. The ESM ignores the function's VPC:
 * MSK ESMs sit in the cluster's client subnets with the cluster's security groups; self-managed
 * ones in VPC_SUBNET with VPC_SECURITY_GROUP, or on the internet when neither is set
 * (docs: with-msk-cluster-network, with-kafka-cluster-network).
 */
import { esmSource, secretConfigs, type Placement } from '../model/esm';
import type { EsmConfig, NetworkAcl, NetworkAclEntry, SecurityGroup, Snapshot, Subnet } from '../model/snapshot';
import { fail, pass, skip, warn, couldNotRead, valueOf, type Check, type Outcome } from './check';
import { ANYWHERE, EPHEMERAL_PORTS, cidrCovers, collapseCidrs, isIpv4, portText, type PortRange } from './lib/net/cidr';
import { interfaceEndpointsFor } from './lib/net/endpoints';
import { createNaclEntryCommand, describeNaclEntry, naclAllows, naclPortSegments, networkAclOf, type NaclQuery } from './lib/net/nacl';
import { internetPathOf, vpcCidrsFromRoutes } from './lib/net/routes';
import { authorizeEgressCommand, authorizeIngressCommand, describeSgRule, permissionCoversPort, securityGroupsAdmitting, securityGroupsAllowingEgress } from './lib/net/security-groups';
import { AWS_DOCS } from './lib/aws-docs';
import { brokerPorts, callsAwsThroughVpc, esmPosition, esmSecurityGroups, esmSubnets, needFact, placementText } from './lib/esm-network';
import type { Remedy } from '../model/report';
import { listAvailableEnis, updateEsm } from './lib/commands';
import { remedy } from './lib/remedy';
import { regionOf } from './lib/resources';

/** MSK rejects client subnets in this AZ, and Lambda cannot place ENIs there (MSK API: BrokerNodeGroupInfo.ClientSubnets). */
export const UNSUPPORTED_AZ_IDS = ['use1-az3'];
/** Below this many free addresses a scale-out of the ESM's pollers or an MSK broker replacement may not fit. */
export const LOW_FREE_IPS = 10;

const INTERNET_SKIP =
  'The ESM has no VPC_SUBNET / VPC_SECURITY_GROUP, so Lambda reaches the brokers over the internet from its own network: there are no security groups, ACLs or subnets of yours on the ESM side to check.';

/** The ESM's position when it sits in a VPC; a skip (it reaches the brokers over the internet) or the unread fact otherwise. */
function vpcPosition(snapshot: Snapshot): ReturnType<typeof esmPosition> {
  const pos = esmPosition(snapshot);
  if (pos.ok && pos.value.placement.kind === 'internet') return { ok: false, outcome: skip(INTERNET_SKIP) };
  return pos;
}

function subnetText(s: Subnet): string {
  return `${s.SubnetId} (${s.CidrBlock ?? 'CIDR unknown'})`;
}

/** The ESM's SourceAccessConfigurations with VPC_SUBNET / VPC_SECURITY_GROUP replaced: the list `update-event-source-mapping` needs (it replaces the whole list). */
export function updateVpcConfigCommand(esm: EsmConfig, subnets: string[], groups: string[], region: string): string {
  const others = (esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== 'VPC_SUBNET' && c.Type !== 'VPC_SECURITY_GROUP').map((c) => ({ Type: c.Type, URI: c.URI }));
  const list = [
    ...others,
    ...subnets.map((s) => ({ Type: 'VPC_SUBNET', URI: `subnet:${s}` })),
    ...groups.map((g) => ({ Type: 'VPC_SECURITY_GROUP', URI: `security_group:${g}` })),
  ];
  return updateEsm({ uuid: esm.UUID, sourceAccessConfigurations: list, region });
}

/** Broker addresses for self-managed Kafka, as far as DNS (from where esm-doctor ran) told us: IPv4 /32s. */
function selfManagedBrokerCidrs(snapshot: Snapshot): string[] {
  const entries = valueOf(snapshot.dns) ?? [];
  return [...new Set(entries.flatMap((e) => e.addresses).filter(isIpv4).map((a) => `${a}/32`))];
}

// ---------------------------------------------------------------------------------------------
// network.sg-broker-ingress

function selfRulesOnOtherPorts(groups: SecurityGroup[], ids: string[], port: number): string[] {
  return groups.flatMap((g) =>
    (g.IpPermissions ?? [])
      .filter((r) => !permissionCoversPort(r, port) && (r.UserIdGroupPairs ?? []).some((p) => p.GroupId && ids.includes(p.GroupId)))
      .map((r) => describeSgRule(g.GroupId, r, 'ingress')),
  );
}

export const sgBrokerIngress: Check = {
  id: 'network.sg-broker-ingress',
  step: 4,
  title: 'The brokers\' security groups admit the ESM on the broker port',
  docs: AWS_DOCS.mskNetwork,
  run(snapshot) {
    const pos = vpcPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    const ports = brokerPorts(snapshot, pos.value);
    if (!ports) {
      return skip(
        placement.kind === 'msk'
          ? 'Lambda has no authentication mode it can use with this cluster, so there is no broker port to check (auth.mode says why).'
          : 'KAFKA_BOOTSTRAP_SERVERS has no valid host:port entry, so there is no broker port to check (kafka.bootstrap-dns says which).',
      );
    }
    const sgFact = needFact(snapshot.network?.securityGroups, 'the security groups', 'ec2:DescribeSecurityGroups');
    if (!sgFact.ok) return sgFact.outcome;
    const vpcId = snapshot.network?.vpcId;
    const { ids, found, missing } = esmSecurityGroups(placement, sgFact.value, vpcId);
    if (found.length === 0) {
      return couldNotRead(`the ESM's security groups (${ids.join(', ') || 'none configured'})`, {
        source: 'ec2:DescribeSecurityGroups',
        error: { code: 'NotFound', message: `DescribeSecurityGroups did not return ${ids.join(', ') || 'any group'}`, action: 'ec2:DescribeSecurityGroups' },
      });
    }
    const subnets = esmSubnets(snapshot, placement);
    const cidrs = subnets.ok ? subnets.value.found.map((s) => s.CidrBlock).filter((c): c is string => !!c) : [];
    const missingNote = missing.length ? ` ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} configured but not returned by DescribeSecurityGroups.` : '';

    const region = pos.value.region;
    if (placement.kind === 'msk') return mskIngress(ports.ports[0]!, ports.why, ids, found, subnets.ok ? subnets.value.found : [], cidrs, missingNote, subnets.ok ? undefined : subnets.outcome, region);
    return selfManagedIngress(ports.ports, ids, found, cidrs, region);
  },
};

function mskIngress(
  port: number,
  why: string,
  ids: string[],
  groups: SecurityGroup[],
  subnets: Subnet[],
  cidrs: string[],
  missingNote: string,
  subnetsError: Outcome | undefined,
  region: string,
): Outcome {
  const ev = securityGroupsAdmitting(groups, port, { groupIds: ids, cidrs });
  const resources = [...ids, ...subnets.map((s) => s.SubnetId)];
  const broad = ev.openToAll.length
    ? ` Note: ${ev.openToAll.map((r) => r.text).join('; ')} — open to the whole internet range, broader than the ESM needs; a self-referencing rule on ${port} is enough.`
    : '';
  if (ev.allowed) {
    const how = ev.byGroup.length
      ? `${ev.byGroup[0]!.text}: the ESM's ENIs carry the cluster's groups, so this admits them`
      : ev.byCidr.map((c) => `${c.cidr} via ${c.rule!.text}`).join('; ');
    return pass(`Lambda connects on ${port} (${why}). ${how}.${broad}${missingNote}`, { resources });
  }
  if (subnetsError && !ev.byGroup.length) return subnetsError;
  const uncovered = ev.byCidr.filter((c) => !c.rule).map((c) => subnets.find((s) => s.CidrBlock === c.cidr)).filter((s): s is Subnet => !!s);
  const onPort = ev.onPort.length ? `On ${port} they allow only: ${ev.onPort.map((r) => r.text).join('; ')}.` : `No inbound rule of ${ids.join(', ')} covers ${port}.`;
  const otherPorts = selfRulesOnOtherPorts(groups, ids, port);
  const elsewhere = otherPorts.length ? ` The self-referencing rules they do have are on other ports (${otherPorts.join('; ')}): right idea, wrong port for this auth mode.` : '';
  // The subnets are listed once, in the detail's first sentence: when none is covered, say so instead of listing them again.
  const notCovered = !uncovered.length ? '' : uncovered.length === subnets.length ? ` None of ${subnets.length === 1 ? 'it' : `these ${subnets.length}`} is covered.` : ` Not covered: ${uncovered.map(subnetText).join(', ')}.`;
  const fix = remedy(
    `Add a self-referencing rule on ${port} to ${ids[0]!}: the ESM's ENIs carry the cluster's security group, so this admits exactly them.`,
    [authorizeIngressCommand(ids[0]!, port, { groupId: ids[0]! }, region)],
  );
  const detail = `Lambda connects to the brokers on ${port} (${why}) from ENIs in ${subnets.map(subnetText).join(', ') || 'the client subnets'} that carry ${ids.join(', ')}. ${onPort}${notCovered}${elsewhere}${missingNote}`;
  if (ev.prefixLists.length) {
    return warn(
      `Cluster security group may not admit the ESM on ${port}`,
      `${detail} ${ev.prefixLists.map((r) => r.text).join('; ')}: esm-doctor cannot see the prefix list's entries, so it cannot tell whether they cover the subnets.`,
      fix,
      { resources },
    );
  }
  return fail(`Cluster security group ${ids.join(', ')} does not admit the ESM on ${port}`, detail, fix, { resources });
}

function selfManagedIngress(ports: number[], ids: string[], groups: SecurityGroup[], cidrs: string[], region: string): Outcome {
  const evals = ports.map((port) => ({ port, ev: securityGroupsAdmitting(groups, port, { groupIds: ids, cidrs }) }));
  const guarded = evals.filter((e) => e.ev.onPort.length > 0);
  const portList = ports.join(', ');

  if (guarded.length === 0) {
    return skip(
      `esm-doctor cannot see which security groups the brokers carry (they are not an AWS resource it reads). The ESM's groups ${ids.join(', ')} have no inbound rule on ${portList}, so the brokers apparently use other groups: those must admit ${portList} from ${ids.join(', ')}${cidrs.length ? ` or from ${cidrs.join(', ')}` : ''}.`,
      { fix: `On the brokers' security group, allow inbound TCP ${portList} from ${ids.join(', ')} (ec2 authorize-security-group-ingress with --source-group ${ids[0]!}).`, resources: ids },
    );
  }
  const blocked = guarded.filter((e) => !e.ev.allowed);
  if (blocked.length === 0) {
    return pass(
      `${guarded.map((e) => (e.ev.byGroup[0] ?? e.ev.onPort[0])!.text).join('; ')}. If the brokers carry ${ids.join(', ')} too, the ESM is admitted (esm-doctor cannot see the brokers' groups; a broker with other groups needs its own rule).`,
      { resources: ids },
    );
  }
  return warn(
    `Security group ${ids.join(', ')} guards ${blocked.map((e) => e.port).join(', ')} but does not admit the ESM`,
    `${ids.join(', ')} has inbound rules on the broker port, so it looks like the brokers' group as well, yet none admits the ESM (its own group or ${cidrs.join(', ') || 'its subnets'}): ${blocked.map((e) => e.ev.onPort.map((r) => r.text).join('; ')).join('; ')}. If the brokers carry this group, the ESM cannot connect.`,
    remedy(
      `If the brokers carry ${ids[0]!}, let it admit the ESM on ${blocked.map((e) => e.port).join(', ')} (a self-referencing rule).`,
      blocked.map((e) => authorizeIngressCommand(ids[0]!, e.port, { groupId: ids[0]! }, region)),
    ),
    { resources: ids },
  );
}

// ---------------------------------------------------------------------------------------------
// network.sg-egress

export const sgEgress: Check = {
  id: 'network.sg-egress',
  step: 4,
  title: 'The ESM\'s security groups let it out to the brokers (and to AWS on 443)',
  docs: AWS_DOCS.mskNetwork,
  run(snapshot) {
    const pos = vpcPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    const sgFact = needFact(snapshot.network?.securityGroups, 'the security groups', 'ec2:DescribeSecurityGroups');
    if (!sgFact.ok) return sgFact.outcome;
    const vpcId = snapshot.network?.vpcId;
    const { ids, found } = esmSecurityGroups(placement, sgFact.value, vpcId);
    if (found.length === 0) {
      return couldNotRead(`the ESM's security groups (${ids.join(', ') || 'none configured'})`, {
        source: 'ec2:DescribeSecurityGroups',
        error: { code: 'NotFound', message: `DescribeSecurityGroups did not return ${ids.join(', ') || 'any group'}`, action: 'ec2:DescribeSecurityGroups' },
      });
    }
    const subnets = esmSubnets(snapshot, placement);
    const subnetCidrs = subnets.ok ? subnets.value.found.map((s) => s.CidrBlock).filter((c): c is string => !!c) : [];
    const problems: string[] = [];
    const cautions: string[] = [];
    const fixes: string[] = [];
    const unknownPeers: string[] = [];
    const fine: string[] = [];
    const ports = brokerPorts(snapshot, pos.value);

    for (const port of ports?.ports ?? []) {
      if (placement.kind === 'msk') {
        const ev = securityGroupsAllowingEgress(found, port, { groupIds: ids, cidrs: subnetCidrs });
        if (ev.allowed) fine.push((ev.byGroup[0] ?? ev.byCidr[0]?.rule ?? ev.openToAll[0])!.text);
        else if (ev.prefixLists.length) cautions.push(`port ${port}: only prefix-list rules (${ev.prefixLists.map((r) => r.text).join('; ')}), whose entries esm-doctor cannot see`);
        else {
          problems.push(`no outbound rule of ${ids.join(', ')} lets ${port} out to the brokers (${ids.join(', ')} or ${subnetCidrs.join(', ') || 'the client subnets'})${ev.onPort.length ? `; on ${port} there is only: ${ev.onPort.map((r) => r.text).join('; ')}` : ''}`);
          fixes.push(authorizeEgressCommand(ids[0]!, port, { groupId: ids[0]! }, pos.value.region));
        }
        continue;
      }
      const brokers = selfManagedBrokerCidrs(snapshot);
      const ev = securityGroupsAllowingEgress(found, port, { groupIds: ids, cidrs: brokers });
      if (brokers.length === 0) {
        if (ev.onPort.length) fine.push(`${ev.onPort[0]!.text} (the broker addresses are unknown, so esm-doctor cannot tell whether it covers them)`);
        else {
          problems.push(`no outbound rule of ${ids.join(', ')} covers ${port} at all`);
          unknownPeers.push(`allow ${port} out of ${ids[0]!} to the brokers' addresses (unknown to esm-doctor: the bootstrap names did not resolve where it ran)`);
        }
      } else if (ev.allowed) fine.push((ev.byGroup[0] ?? ev.byCidr[0]?.rule ?? ev.openToAll[0])!.text);
      else if (ev.prefixLists.length || ev.onPort.some((r) => (r.rule.UserIdGroupPairs ?? []).length > 0)) {
        cautions.push(`port ${port}: the rules (${ev.onPort.map((r) => r.text).join('; ')}) name prefix lists or other groups; esm-doctor cannot tell whether the brokers (${brokers.join(', ')}) are among them`);
      } else {
        const uncovered = ev.byCidr.filter((c) => !c.rule).map((c) => c.cidr);
        problems.push(`no outbound rule of ${ids.join(', ')} lets ${port} out to the broker addresses ${uncovered.join(', ')} (resolved from ${snapshot.dns?.source ?? 'DNS'} where esm-doctor ran)${ev.onPort.length ? `; on ${port} there is only: ${ev.onPort.map((r) => r.text).join('; ')}` : ''}`);
        for (const cidr of uncovered.slice(0, 3)) fixes.push(authorizeEgressCommand(ids[0]!, port, { cidr }, pos.value.region));
      }
    }

    let awsNote = '';
    if (callsAwsThroughVpc(snapshot, placement)) {
      const world = securityGroupsAllowingEgress(found, 443, { groupIds: [], cidrs: [ANYWHERE] });
      if (world.allowed) fine.push(`443 to the internet: ${world.openToAll[0]!.text}`);
      else {
        const endpoints = valueOf(snapshot.network?.vpcEndpoints) ?? [];
        const tables = valueOf(snapshot.network?.routeTables) ?? [];
        const vpcCidrs = vpcCidrsFromRoutes(tables, vpcId);
        const services = ['sts', 'lambda', ...secretConfigs(snapshot.esm).length ? ['secretsmanager'] : []];
        const eps = services.flatMap((s) => interfaceEndpointsFor(endpoints, pos.value.region, s, vpcId));
        const unreached = eps.filter((ep) => {
          const groupsOf = (ep.Groups ?? []).map((g) => g.GroupId);
          const epCidrs = (ep.SubnetIds ?? []).map((id) => (valueOf(snapshot.network?.subnets) ?? []).find((s) => s.SubnetId === id)?.CidrBlock);
          const targets = epCidrs.length && epCidrs.every((c): c is string => !!c) ? epCidrs : vpcCidrs;
          return !securityGroupsAllowingEgress(found, 443, { groupIds: groupsOf, cidrs: targets }).allowed;
        });
        if (eps.length > 0 && unreached.length === 0) fine.push(`443 to the VPC endpoints ${eps.map((e) => e.VpcEndpointId).join(', ')}`);
        else if (world.prefixLists.length) cautions.push(`443 is allowed only to prefix lists (${world.prefixLists.map((r) => r.text).join('; ')}); esm-doctor cannot see whether they cover STS and Lambda`);
        else {
          const toWhat = eps.length ? `the endpoints ${unreached.map((e) => e.VpcEndpointId).join(', ')} or the internet` : 'the internet (the path through a NAT gateway to STS and Lambda)';
          problems.push(`the ESM runs in on-demand mode, so it calls STS and Lambda${services.includes('secretsmanager') ? ' and Secrets Manager' : ''} over 443 from these groups, but no outbound rule lets 443 out to ${toWhat}${world.onPort.length ? `; on 443 there is only: ${world.onPort.map((r) => r.text).join('; ')}` : ''}`);
          const ep = unreached[0];
          const epGroup = ep?.Groups?.[0]?.GroupId;
          fixes.push(authorizeEgressCommand(ids[0]!, 443, epGroup ? { groupId: epGroup } : { cidr: ANYWHERE }, pos.value.region));
        }
      }
    } else {
      awsNote = ' 443 egress to AWS services is not needed: the ESM is in provisioned mode, where Lambda reaches STS and the function from its own network.';
    }

    const resources = ids;
    const portNote = ports ? '' : ' The broker port is unknown (no usable auth mode or bootstrap entry), so only 443 was checked.';
    if (problems.length) {
      return fail(
        `The ESM's security groups block its outbound traffic`,
        `The ESM's ENIs carry ${ids.join(', ')} (${placementText(placement)}). ${problems.join('. ')}.${cautions.length ? ` Also: ${cautions.join('; ')}.` : ''}${portNote}`,
        remedy(
          [fixes.length ? `Add the outbound rule${fixes.length > 1 ? 's' : ''} to ${ids[0]!}.` : '', ...unknownPeers.map((u) => `${u.charAt(0).toUpperCase()}${u.slice(1)}.`)].filter(Boolean).join(' '),
          fixes,
        ),
        { resources },
      );
    }
    if (cautions.length) return warn('The ESM\'s outbound rules could not be fully verified', `${cautions.join('; ')}.${fine.length ? ` Allowed: ${fine.join('; ')}.` : ''}${portNote}`, undefined, { resources });
    return pass(`${ids.join(', ')} allow${ids.length === 1 ? 's' : ''} the ESM out: ${fine.join('; ') || 'nothing needed'}.${awsNote}${portNote}`, { resources });
  },
};

// ---------------------------------------------------------------------------------------------
// network.nacl

interface NaclFlow {
  subnet: Subnet;
  acl: NetworkAcl;
  query: NaclQuery;
  /** What this traffic is, for the evidence. */
  purpose: string;
  /** The far side is only known roughly (0.0.0.0/0 stands for "somewhere"): a partial answer is a caution, not a failure. */
  vague: boolean;
}

function flowKey(f: NaclFlow): string {
  return `${f.acl.NetworkAclId}|${f.query.direction}|${f.query.ports.from}-${f.query.ports.to}|${f.query.cidr}`;
}

interface Blocked {
  flow: NaclFlow;
  verdict: 'deny' | 'partial';
  entry?: NetworkAclEntry;
}

/** Blocked flows that share an ACL, a direction, a port range and the rule that blocks them: one sentence, one fix. */
interface BlockedGroup {
  acl: NetworkAcl;
  direction: 'ingress' | 'egress';
  ports: PortRange;
  entry?: NetworkAclEntry;
  verdict: 'deny' | 'partial';
  cidrs: string[];
  subnets: string[];
  purposes: string[];
}

function groupBlocked(items: Blocked[]): BlockedGroup[] {
  const byKey = new Map<string, BlockedGroup>();
  for (const b of items) {
    const q = b.flow.query;
    const key = `${b.flow.acl.NetworkAclId}|${q.direction}|${q.ports.from}-${q.ports.to}|${b.entry?.RuleNumber ?? '*'}|${b.verdict}`;
    const g = byKey.get(key) ?? { acl: b.flow.acl, direction: q.direction, ports: q.ports, verdict: b.verdict, ...(b.entry ? { entry: b.entry } : {}), cidrs: [], subnets: [], purposes: [] };
    for (const [list, value] of [[g.cidrs, q.cidr], [g.subnets, b.flow.subnet.SubnetId], [g.purposes, b.flow.purpose]] as const) if (!list.includes(value)) list.push(value);
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

function blockedText(g: BlockedGroup): string {
  const rule = g.entry ? describeNaclEntry(g.entry) : 'the implicit final deny (no rule matches)';
  const dir = g.direction === 'egress' ? 'outbound' : 'inbound';
  return `${g.acl.NetworkAclId} (on ${g.subnets.join(', ')}): ${dir} tcp ${portText(g.ports)} ${g.direction === 'egress' ? 'to' : 'from'} ${g.cidrs.join(', ')} is ${g.verdict === 'deny' ? 'denied' : 'partly denied'} by ${rule} — needed for ${g.purposes.join('; ')}`;
}

/** One allow entry per group, CIDRs collapsed, entries another one already covers dropped, rule numbers distinct. */
function naclFixes(groups: BlockedGroup[], vpcCidrs: string[], region: string): string[] {
  const proposals = groups.flatMap((g) => collapseCidrs(g.cidrs, vpcCidrs).map((cidr) => ({ g, cidr })));
  const kept = proposals.filter(
    (p, i) =>
      !proposals.some(
        (o, j) =>
          j !== i &&
          o.g.acl.NetworkAclId === p.g.acl.NetworkAclId &&
          o.g.direction === p.g.direction &&
          o.g.ports.from <= p.g.ports.from &&
          p.g.ports.to <= o.g.ports.to &&
          cidrCovers(o.cidr, p.cidr) &&
          (o.g.ports.from !== p.g.ports.from || o.g.ports.to !== p.g.ports.to || o.cidr !== p.cidr || j < i),
      ),
  );
  const taken = new Map<string, Set<number>>();
  return kept.map(({ g, cidr }) => {
    // The new allow must come before every rule that blocks a flow it is meant to let through.
    const before = Math.min(
      ...groups
        .filter((o) => o.acl.NetworkAclId === g.acl.NetworkAclId && o.direction === g.direction && g.ports.from <= o.ports.from && o.ports.to <= g.ports.to && o.cidrs.every((c) => cidrCovers(cidr, c)))
        .map((o) => o.entry?.RuleNumber ?? 32767),
      g.entry?.RuleNumber ?? 32767,
    );
    const key = `${g.acl.NetworkAclId}|${g.direction}`;
    const set = taken.get(key) ?? new Set<number>();
    taken.set(key, set);
    return createNaclEntryCommand(g.acl, { direction: g.direction, ports: g.ports, cidr }, before, set, region);
  });
}

/** Of a reply range, at most this share may be blocked before it counts as blocking the replies. */
const NEGLIGIBLE_SHARE = 0.01;

/**
 * A few ports of the ephemeral range denied by a hardening rule (22, 3389 ...) only break the rare
 * connection whose local port lands there: record a note instead of failing.
 */
function isNegligible(flow: NaclFlow, notes: string[]): boolean {
  const { ports } = flow.query;
  const total = ports.to - ports.from + 1;
  if (total < 100) return false;
  const segments = naclPortSegments(flow.acl, flow.query).filter((s) => s.verdict !== 'allow');
  const blocked = segments.reduce((n, s) => n + s.ports.to - s.ports.from + 1, 0);
  if (blocked / total > NEGLIGIBLE_SHARE) return false;
  const what = segments.map((s) => `${portText(s.ports)}${s.entry ? ` (rule ${s.entry.RuleNumber})` : ''}`).join(', ');
  const note = `${flow.acl.NetworkAclId} blocks ${what} inside the ${flow.query.direction === 'egress' ? 'outbound' : 'inbound'} reply range ${portText(ports)} ${flow.query.direction === 'egress' ? 'to' : 'from'} ${flow.query.cidr}: only a connection whose local port lands there fails`;
  if (!notes.includes(note)) notes.push(note);
  return true;
}

export const nacl: Check = {
  id: 'network.nacl',
  step: 4,
  title: 'The subnets\' network ACLs let the broker traffic and its replies through',
  docs: AWS_DOCS.mskNetwork,
  run(snapshot) {
    const pos = vpcPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    const acls = needFact(snapshot.network?.networkAcls, 'the network ACLs', 'ec2:DescribeNetworkAcls');
    if (!acls.ok) return acls.outcome;
    const subnets = esmSubnets(snapshot, placement);
    if (!subnets.ok) return subnets.outcome;
    const vpcId = snapshot.network?.vpcId;
    const esm = subnets.value.found.filter((s) => s.CidrBlock);
    const flows: NaclFlow[] = [];
    const notes: string[] = [];
    // Each subnet's ACL lives in that subnet's own VPC (a self-managed ESM may list subnets of several).
    const aclOf = (s: Subnet) => networkAclOf(s.SubnetId, acls.value, s.VpcId ?? vpcId)?.acl;
    const add = (subnet: Subnet, query: NaclQuery, purpose: string, vague = false) => {
      const acl = aclOf(subnet);
      if (acl) flows.push({ subnet, acl, query, purpose, vague });
      else notes.push(`no network ACL is associated with ${subnet.SubnetId} and the VPC has no default ACL in the snapshot`);
    };
    const ports = brokerPorts(snapshot, pos.value);
    const portRanges: PortRange[] = (ports?.ports ?? []).map((p) => ({ from: p, to: p }));

    if (placement.kind === 'msk') {
      // Every poller ENI talks to brokers in every client subnet; traffic inside one subnet never meets its ACL.
      for (const src of esm) {
        for (const dst of esm) {
          if (src.SubnetId === dst.SubnetId) continue;
          for (const ports of portRanges) {
            add(src, { direction: 'egress', ports, cidr: dst.CidrBlock! }, `the ESM reaching brokers in the other client subnets on ${portText(ports)}`);
            add(src, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr: dst.CidrBlock! }, 'the brokers\' replies reaching the ESM');
            add(dst, { direction: 'ingress', ports, cidr: src.CidrBlock! }, `brokers accepting the ESM on ${portText(ports)}`);
            add(dst, { direction: 'egress', ports: EPHEMERAL_PORTS, cidr: src.CidrBlock! }, 'the brokers\' replies leaving for the ESM');
          }
        }
      }
      if (esm.length < 2) notes.push('the cluster has a single client subnet, so broker traffic never crosses a subnet boundary');
    } else {
      const brokers = selfManagedBrokerCidrs(snapshot);
      const vague = brokers.length === 0;
      if (vague) notes.push('the broker addresses are unknown (DNS did not resolve them where esm-doctor ran), so only "somewhere" could be checked');
      for (const s of esm) {
        // A broker inside the ENI's own subnet is reached without crossing the subnet's ACL.
        const targets = vague ? [ANYWHERE] : brokers.filter((b) => !cidrCovers(s.CidrBlock!, b));
        for (const cidr of targets) {
          for (const ports of portRanges) {
            add(s, { direction: 'egress', ports, cidr }, `the ESM reaching the brokers on ${portText(ports)}`, vague);
            add(s, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr }, 'the brokers\' replies reaching the ESM', vague);
          }
        }
      }
      notes.push('the brokers\' own subnets are not known to esm-doctor; their ACLs must admit the port from the ESM subnets and let the replies out');
    }

    if (callsAwsThroughVpc(snapshot, placement)) {
      const tables = valueOf(snapshot.network?.routeTables);
      const nats = valueOf(snapshot.network?.natGateways) ?? [];
      const endpoints = valueOf(snapshot.network?.vpcEndpoints) ?? [];
      const allSubnets = valueOf(snapshot.network?.subnets) ?? [];
      const services = ['sts', 'lambda', 'secretsmanager'];
      for (const s of esm) {
        const subnetVpc = s.VpcId ?? vpcId;
        const vpcCidrs = vpcCidrsFromRoutes(tables ?? [], subnetVpc);
        const eps = services.flatMap((svc) => interfaceEndpointsFor(endpoints, pos.value.region, svc, subnetVpc));
        const dests = new Set<string>();
        if (tables && internetPathOf(s.SubnetId, tables, nats, subnetVpc).kind === 'nat') dests.add(ANYWHERE);
        for (const ep of eps) {
          for (const id of ep.SubnetIds ?? []) {
            if (id === s.SubnetId) continue;
            const cidr = allSubnets.find((k) => k.SubnetId === id)?.CidrBlock;
            for (const c of cidr ? [cidr] : vpcCidrs) dests.add(c);
          }
        }
        for (const cidr of dests) {
          add(s, { direction: 'egress', ports: { from: 443, to: 443 }, cidr }, `ESM → AWS services on 443 (${cidr === ANYWHERE ? 'through the NAT gateway' : 'to the VPC endpoints'})`, cidr === ANYWHERE);
          add(s, { direction: 'ingress', ports: EPHEMERAL_PORTS, cidr }, `replies from AWS services (${cidr === ANYWHERE ? 'through the NAT gateway' : 'from the VPC endpoints'})`, cidr === ANYWHERE);
        }
      }
      if (!tables) notes.push('the route tables could not be read, so the 443 path through a NAT gateway was not checked');
    }

    const verdicts = new Map<string, ReturnType<typeof naclAllows>>();
    const blocked: Blocked[] = [];
    const vagueBlocked: Blocked[] = [];
    for (const flow of flows) {
      const key = flowKey(flow);
      const v = verdicts.get(key) ?? naclAllows(flow.acl, flow.query);
      verdicts.set(key, v);
      if (v.verdict === 'allow') continue;
      if (isNegligible(flow, notes)) continue;
      const item: Blocked = { flow, verdict: v.verdict, ...(v.entry ? { entry: v.entry } : {}) };
      if (v.verdict === 'partial' && flow.vague) vagueBlocked.push(item);
      else blocked.push(item);
    }
    const aclIds = [...new Set(flows.map((f) => f.acl.NetworkAclId))];
    const resources = [...aclIds, ...esm.map((s) => s.SubnetId)];
    const noteText = notes.length ? ` Note: ${notes.join('; ')}.` : '';
    const vpcCidrs = vpcCidrsFromRoutes(valueOf(snapshot.network?.routeTables) ?? [], vpcId);
    if (blocked.length) {
      const groups = groupBlocked(blocked);
      return fail(
        `Network ACL ${[...new Set(blocked.map((b) => b.flow.acl.NetworkAclId))].join(', ')} blocks the ESM's traffic`,
        `Network ACLs are stateless: each direction, the replies on ephemeral ports ${portText(EPHEMERAL_PORTS)} included, needs its own allow rule. ${groups.map(blockedText).join('. ')}.${noteText}`,
        remedy('Add allow entries numbered below the blocking rule (rule numbers chosen free).', naclFixes(groups, vpcCidrs, pos.value.region)),
        { resources },
      );
    }
    if (vagueBlocked.length) {
      const groups = groupBlocked(vagueBlocked);
      return warn(
        'Network ACLs allow the ESM\'s traffic only to some addresses',
        `${groups.map(blockedText).join('. ')}. Whether the real destination is among the allowed addresses cannot be told from here.${noteText}`,
        remedy('If the destination is outside what is allowed, add allow entries numbered below the blocking rule.', naclFixes(groups, vpcCidrs, pos.value.region)),
        { resources },
      );
    }
    if (flows.length === 0) return pass(`No ESM traffic crosses a network ACL that esm-doctor can evaluate.${noteText}`, { resources });
    return pass(`${aclIds.join(', ')} allow${aclIds.length === 1 ? 's' : ''} the broker port${ports ? ` (${ports.ports.join(', ')})` : ''} both ways and the replies on ${portText(EPHEMERAL_PORTS)}${callsAwsThroughVpc(snapshot, placement) ? ', and 443 to AWS services' : ''}.${noteText}`, { resources });
  },
};

// ---------------------------------------------------------------------------------------------
// network.subnets

export const subnets: Check = {
  id: 'network.subnets',
  step: 4,
  title: 'The ESM\'s subnets exist, are in supported AZs and have free addresses',
  docs: AWS_DOCS.mskNetwork,
  run(snapshot) {
    const pos = vpcPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    if (placement.subnetIds.length === 0) {
      return skip(placement.kind === 'msk' ? 'The cluster lists no client subnets.' : 'The ESM has VPC_SECURITY_GROUP but no VPC_SUBNET; network.self-managed-vpc reports it.');
    }
    const f = snapshot.network?.subnets;
    if (f && !f.ok && /InvalidSubnetID\.NotFound/i.test(f.error.code)) {
      const named = [...f.error.message.matchAll(/subnet-[0-9a-f]+/g)].map((m) => m[0]);
      const missing = named.length ? named : placement.subnetIds;
      return missingSubnets(snapshot, placement, missing);
    }
    const found = esmSubnets(snapshot, placement);
    if (!found.ok) return found.outcome;
    if (found.value.missing.length) return missingSubnets(snapshot, placement, found.value.missing);

    const list = found.value.found;
    const failures: Array<{ title: string; detail: string }> = [];
    const cautions: string[] = [];
    const bad = new Set<string>();
    const vpcs = [...new Set(list.map((s) => s.VpcId))];
    if (vpcs.length > 1) {
      failures.push({
        title: 'The ESM\'s subnets are in different VPCs',
        detail: `the subnets are in different VPCs: ${list.map((s) => `${s.SubnetId} in ${s.VpcId}`).join(', ')}; the ESM's ENIs must all be in one VPC`,
      });
    }
    for (const s of list) {
      if (s.AvailabilityZoneId && UNSUPPORTED_AZ_IDS.includes(s.AvailabilityZoneId)) {
        failures.push({
          title: `Subnet ${s.SubnetId} is in ${s.AvailabilityZoneId}, which Lambda and MSK do not support`,
          detail: `${s.SubnetId} is in ${s.AvailabilityZone ?? ''} (AZ id ${s.AvailabilityZoneId}), where Lambda cannot place the ESM's ENIs and MSK allows no client subnets`,
        });
        bad.add(s.SubnetId);
      }
      if (s.AvailableIpAddressCount === 0) {
        failures.push({
          title: `Subnet ${s.SubnetId} has no free IP address`,
          detail: `${s.SubnetId} (${s.CidrBlock ?? '?'}) has no free IP address left: Lambda cannot create the ESM's ENI there`,
        });
        bad.add(s.SubnetId);
      } else if (s.AvailableIpAddressCount !== undefined && s.AvailableIpAddressCount < LOW_FREE_IPS) {
        cautions.push(`${s.SubnetId} (${s.CidrBlock ?? '?'}) has only ${s.AvailableIpAddressCount} free IP address${s.AvailableIpAddressCount === 1 ? '' : 'es'}: new ENIs (the ESM scaling out, other workloads) may not fit`);
        bad.add(s.SubnetId);
      }
    }
    const resources = list.map((s) => s.SubnetId);
    const fix = subnetFix(snapshot, placement, [...bad]);
    if (failures.length) {
      const title = failures.length === 1 ? failures[0]!.title : `${failures[0]!.title} (+${failures.length - 1} more subnet problem${failures.length > 2 ? 's' : ''})`;
      return fail(title, `${failures.map((f) => f.detail).join('. ')}.${cautions.length ? ` Also: ${cautions.join('; ')}.` : ''}`, fix, { resources });
    }
    if (cautions.length) return warn('A subnet of the ESM is running out of IP addresses', `${cautions.join('. ')}.`, fix, { resources });
    return pass(
      `${list.length} subnet${list.length === 1 ? '' : 's'} in ${vpcs[0] ?? 'the VPC'}: ${list.map((s) => `${s.SubnetId} (${s.AvailabilityZoneId ?? s.AvailabilityZone ?? 'AZ?'}, ${s.AvailableIpAddressCount ?? '?'} free IPs)`).join(', ')}.`,
      { resources },
    );
  },
};

function missingSubnets(snapshot: Snapshot, placement: Placement, missing: string[]): Outcome {
  return fail(
    `Subnet ${missing.join(', ')} does not exist`,
    `${placementText(placement)} name${missing.length === 1 ? 's' : ''} ${missing.join(', ')}, but EC2 does not know ${missing.length === 1 ? 'it' : 'them'} in ${snapshot.target.region} (deleted, or in another account or region). Lambda cannot create the ESM's ENI there.`,
    subnetFix(snapshot, placement, missing),
    { resources: missing },
  );
}

function subnetFix(snapshot: Snapshot, placement: Placement, bad: string[]): Remedy {
  const region = regionOf(snapshot);
  if (placement.kind === 'self-managed-vpc') {
    const keep = placement.subnetIds.filter((s) => !bad.includes(s));
    // Which subnet to use instead is the reader's choice: the command keeps the good ones only.
    return remedy(
      `Point the ESM at subnets that work (same VPC, a supported AZ, free addresses) instead of ${bad.join(', ') || 'the subnet'}: add a replacement subnet (VPC_SUBNET, subnet:subnet-…) to the list before running the command${keep.length ? ', which keeps the others' : ''}.`,
      keep.length ? [updateVpcConfigCommand(snapshot.esm, keep, placement.securityGroupIds, region)] : [],
    );
  }
  return remedy(
    `An MSK cluster's client subnets cannot be changed in place: free addresses in ${bad.join(', ') || 'the subnets'} (unused ENIs are listed by the command), or move the consumers to a cluster whose client subnets are in supported AZs with room.`,
    bad.length ? [listAvailableEnis({ subnetIds: bad, region })] : [],
  );
}

// ---------------------------------------------------------------------------------------------
// network.self-managed-vpc

export const selfManagedVpc: Check = {
  id: 'network.self-managed-vpc',
  step: 4,
  title: 'The self-managed ESM\'s VPC configuration is complete and consistent',
  docs: AWS_DOCS.selfManagedNetwork,
  run(snapshot) {
    const source = esmSource(snapshot.esm);
    if (source !== 'self-managed') return skip(source === 'msk' ? 'MSK ESMs take their subnets and security groups from the cluster; VPC_SUBNET / VPC_SECURITY_GROUP do not apply.' : 'This is not a Kafka event source mapping.');
    const pos = esmPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const { placement } = pos.value;
    if (placement.kind === 'internet') {
      return pass(
        'The ESM has no VPC_SUBNET / VPC_SECURITY_GROUP, so it connects to the brokers over the internet: they must be publicly reachable (public DNS names that resolve to public addresses, the port open to Lambda\'s public addresses, advertised listeners public too).',
      );
    }
    const { subnetIds, securityGroupIds } = placement;
    if (subnetIds.length === 0 || securityGroupIds.length === 0) {
      const missing = subnetIds.length === 0 ? 'VPC_SUBNET' : 'VPC_SECURITY_GROUP';
      const present = subnetIds.length === 0 ? `VPC_SECURITY_GROUP (${securityGroupIds.join(', ')})` : `VPC_SUBNET (${subnetIds.join(', ')})`;
      return fail(
        `The ESM has ${present.split(' ')[0]} but no ${missing}`,
        `The ESM lists ${present} but no ${missing}. Lambda needs both to place its ENIs in your VPC: subnets say where, security groups say with which rules.`,
        `Add the missing ${missing} entries to the ESM's source access configurations (update-event-source-mapping replaces the whole list, so repeat the current ones): ${subnetIds.length ? 'the security groups its ENIs should carry (security_group:sg-…)' : 'the subnets of the brokers\' VPC (subnet:subnet-…)'}.`,
        { resources: [...subnetIds, ...securityGroupIds] },
      );
    }
    const found = esmSubnets(snapshot, placement);
    if (!found.ok) return found.outcome;
    const vpcs = [...new Set(found.value.found.map((s) => s.VpcId))];
    const resources = [...subnetIds, ...securityGroupIds];
    if (vpcs.length > 1) {
      return fail(
        'The ESM\'s subnets are in different VPCs',
        `VPC_SUBNET names subnets of ${vpcs.length} VPCs: ${found.value.found.map((s) => `${s.SubnetId} in ${s.VpcId}`).join(', ')}. An ESM's ENIs all live in one VPC.`,
        remedy(`Keep only subnets of the brokers' VPC (${vpcs[0]}).`, [updateVpcConfigCommand(snapshot.esm, found.value.found.filter((s) => s.VpcId === vpcs[0]).map((s) => s.SubnetId), securityGroupIds, regionOf(snapshot))]),
        { resources },
      );
    }
    const groups = valueOf(snapshot.network?.securityGroups) ?? [];
    const strays = securityGroupIds.map((id) => groups.find((g) => g.GroupId === id)).filter((g): g is SecurityGroup => !!g && !!g.VpcId && g.VpcId !== vpcs[0]);
    if (strays.length) {
      return fail(
        'A security group of the ESM belongs to another VPC',
        `${strays.map((g) => `${g.GroupId} is in ${g.VpcId}`).join(', ')}, but the subnets are in ${vpcs[0]}; a security group only attaches to ENIs of its own VPC.`,
        (() => {
          const kept = securityGroupIds.filter((id) => !strays.some((g) => g.GroupId === id));
          return remedy(
            `Use security groups of ${vpcs[0]}: replace ${strays.map((g) => g.GroupId).join(', ')} with a group of that VPC${kept.length ? ' (the command keeps the others; add the replacement to its list)' : ''}.`,
            kept.length ? [updateVpcConfigCommand(snapshot.esm, subnetIds, kept, regionOf(snapshot))] : [],
          );
        })(),
        { resources },
      );
    }
    const missingNote = found.value.missing.length ? ` (${found.value.missing.join(', ')} not found: network.subnets reports it)` : '';
    return pass(`VPC_SUBNET ${subnetIds.join(', ')} and VPC_SECURITY_GROUP ${securityGroupIds.join(', ')}, all in ${vpcs[0] ?? 'one VPC'}${missingNote}.`, { resources });
  },
};

export const checks: Check[] = [sgBrokerIngress, sgEgress, nacl, subnets, selfManagedVpc];
