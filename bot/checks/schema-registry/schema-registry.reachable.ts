/**
 * schema-registry.reachable: can the ESM reach the registry it validates records with, from where its
 * pollers sit? Step 8, beside schema-registry.access: like egress.sts (step 1) or egress.lambda
 * (step 9), the path to a service sits at the step that uses the service.
 *
 * - A Glue registry is an AWS API: glue.<region>.amazonaws.com on 443, through a NAT gateway or an
 *   interface endpoint com.amazonaws.<region>.glue whose private DNS makes that name resolve to it
 *   (AWS Glue developer guide, vpc-interface-endpoints). Lambda looks schemas up as the execution
 *   role (glue:GetRegistry, glue:GetSchemaVersion: with-msk-permissions).
 * - A Confluent (or other) registry is a URL: the ESM's security groups must let its port out to the
 *   host, and the subnets' network ACLs must pass it and the replies.
 *
 * A registry works only in provisioned mode (services-consume-kafka-events). In that mode Lambda
 * reaches STS and the function from its own network (with-msk-cluster-network), and its pages do not
 * say whether the pollers reach a schema registry from there or from the ESM's subnets; so a missing
 * route to the internet is a warning, while a security group or ACL that blocks the registry's own
 * port from the ESM's position is a failure.
 */
import { isProvisionedMode, parseGlueRegistryArn, schemaRegistryConfig } from '../../model/esm';
import type { Snapshot, Subnet } from '../../model/snapshot';
import { defineCheck, fail, pass, skip, warn, type Outcome } from '../check';
import { account, pathLines, pathResources, subnetCount } from '../egress';
import { AWS_DOCS } from '../lib/aws-docs';
import { esmPosition, needFact, pathFacts, servicePathFix, servicePaths, type EsmPosition, type PathFacts } from '../lib/esm-network';
import { ANYWHERE, cidrCovers, isIpv4, isPrivateAddress } from '../lib/net/cidr';
import { FlowCollector, blockedText, groupBlocked, naclFixes } from '../lib/net/flows';
import { effectiveRouteTable, internetPathOf, vpcCidrsFromRoutes } from '../lib/net/routes';
import { authorizeEgressCommand, securityGroupsAllowingEgress } from '../lib/net/security-groups';
import { remedy } from '../lib/remedy';
import { roleArnOf } from '../../model/role';

export const schemaRegistryReachable = defineCheck({
  id: 'schema-registry.reachable',
  step: 8,
  title: 'The schema registry is reachable from the ESM\'s network position',
  docs: AWS_DOCS.schemaRegistry,
  run(snapshot): Outcome {
    const uri = schemaRegistryConfig(snapshot.esm)?.SchemaRegistryURI;
    if (!uri) return skip('The ESM has no schema registry (KafkaSchemaRegistryConfig).');
    if (!isProvisionedMode(snapshot.esm)) return skip('The ESM is in on-demand mode, where Lambda uses no schema registry; schema-registry.access reports it.');
    const pos = esmPosition(snapshot);
    if (!pos.ok) return pos.outcome;
    const glue = parseGlueRegistryArn(uri);
    if (glue) return glueReachable(snapshot, pos.value, glue);
    const target = registryTarget(uri);
    if (!target) return skip(`SchemaRegistryURI "${uri}" is neither a Glue registry ARN nor a URL; schema-registry.access reports it.`);
    return urlReachable(snapshot, pos.value, target);
  },
});

// ---------------------------------------------------------------------------------------------
// Glue

function glueReachable(snapshot: Snapshot, pos: EsmPosition, glue: { arn: string; name: string; region: string }): Outcome {
  const host = `glue.${glue.region}.amazonaws.com`;
  if (pos.placement.kind === 'internet') {
    return pass(`The ESM is not in a VPC: Lambda calls ${host} for the Glue registry ${glue.name} from its own network.`, { resources: [glue.arn] });
  }
  const facts = pathFacts(snapshot, pos);
  if (!facts.ok) return facts.outcome;
  if (facts.value.subnets.length === 0) return skip('None of the ESM\'s subnets was found; network.subnets reports it.');
  const role = roleArnOf(snapshot);
  const acct = account(snapshot);
  const paths = servicePaths(facts.value, {
    service: 'glue',
    request: { action: 'glue:GetSchemaVersion', principal: { ...(role ? { arn: role } : {}), ...(acct ? { account: acct } : {}) }, resource: glue.arn },
  });
  const resources = [glue.arn, ...pathResources(paths)];
  const what = `Lambda looks the records' schemas up in the Glue registry ${glue.name} (${host}, 443, as the execution role)`;
  const otherRegion = glue.region !== facts.value.region ? ` The registry is in ${glue.region}: VPC endpoints serve only their own region (${facts.value.region}), so only a NAT path reaches it.` : '';
  const lacking = paths.filter((p) => p.status !== 'ok');
  if (lacking.length === 0) return pass(`${what}. ${pathLines(paths)}.${otherRegion}`, { resources });
  return warn(
    `${subnetCount(lacking.length, paths.length)} ${lacking.length === paths.length && paths.length > 1 ? 'can' : 'cannot'} reach AWS Glue for the schema registry`,
    `${what}. In provisioned mode Lambda calls STS and the function from its own network, and its pages do not say whether the pollers call Glue from there or from the ESM's subnets; from the subnets there is no confirmed path: ${pathLines(lacking)}.${otherRegion} If Lambda calls Glue from the subnets, no record can be validated.`,
    servicePathFix(facts.value, 'glue', lacking),
    { resources },
  );
}

// ---------------------------------------------------------------------------------------------
// Confluent (any registry given as a URL)

interface RegistryTarget {
  uri: string;
  host: string;
  port: number;
}

/** https://host[:port] → where Lambda connects: the URL's port, else the scheme's (443 / 80). */
function registryTarget(uri: string): RegistryTarget | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { uri, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The registry's IPv4 addresses: the host itself, or what the snapshot's DNS facts resolved it to. */
function registryAddresses(snapshot: Snapshot, host: string): string[] {
  if (isIpv4(host)) return [host];
  const entries = snapshot.dns?.ok ? snapshot.dns.value : [];
  return [...new Set(entries.filter((e) => e.host?.toLowerCase() === host.toLowerCase()).flatMap((e) => e.addresses).filter(isIpv4))];
}

function urlReachable(snapshot: Snapshot, pos: EsmPosition, target: RegistryTarget): Outcome {
  const { host, port, uri } = target;
  const addresses = registryAddresses(snapshot, host);
  const resolved = addresses.length > 0;
  const isPrivate = resolved && addresses.every(isPrivateAddress);
  if (pos.placement.kind === 'internet') {
    if (isPrivate) return skip(`The registry ${uri} is at a private address and the ESM is not in a VPC; schema-registry.access reports it.`);
    return pass(`The ESM is not in a VPC: Lambda calls ${uri} over the internet from its own network.`);
  }
  const facts = pathFacts(snapshot, pos);
  if (!facts.ok) return facts.outcome;
  const aclFact = needFact(snapshot.network?.networkAcls, 'the network ACLs', 'ec2:DescribeNetworkAcls');
  if (!aclFact.ok) return aclFact.outcome;
  const f = facts.value;
  if (f.subnets.length === 0) return skip('None of the ESM\'s subnets was found; network.subnets reports it.');

  const ids = f.esmGroupIds;
  const esmGroups = f.securityGroups.filter((g) => ids.includes(g.GroupId));
  const cidrs = resolved ? addresses.map((a) => `${a}/32`) : [ANYWHERE];
  const where = resolved ? `${addresses.join(', ')}${isIpv4(host) ? '' : ` (${host}, resolved where esm-doctor ran)`}` : `${host} (not resolved: the snapshot has no address for it, so only rules open to 0.0.0.0/0 count)`;
  const problems: string[] = [];
  const cautions: string[] = [];
  const fine: string[] = [];
  const fixes: string[] = [];
  const summaries: string[] = [];

  // Security groups: the ESM's ENIs open the connection, so their egress rules decide.
  const sg = securityGroupsAllowingEgress(esmGroups, port, { groupIds: [], cidrs });
  if (esmGroups.length === 0) cautions.push(`none of the ESM's security groups (${ids.join(', ') || 'none'}) was returned by DescribeSecurityGroups`);
  else if (sg.allowed) fine.push(`${(sg.byCidr.find((c) => c.rule)?.rule ?? sg.openToAll[0])!.text}`);
  else if (sg.prefixLists.length) cautions.push(`${port} is allowed out only to prefix lists (${sg.prefixLists.map((r) => r.text).join('; ')}), whose entries esm-doctor cannot see`);
  else if (!resolved && sg.onPort.length) cautions.push(`${port} may leave only for ${sg.onPort.map((r) => r.text).join('; ')}; whether that covers ${host} cannot be told without its address`);
  else {
    problems.push(`no outbound rule of ${ids.join(', ')} lets ${port} out to ${resolved ? addresses.join(', ') : 'anywhere'}${sg.onPort.length ? ` (on ${port} there is only: ${sg.onPort.map((r) => r.text).join('; ')})` : ''}`);
    fixes.push(authorizeEgressCommand(ids[0]!, port, { cidr: cidrs[0]! }, f.region));
    summaries.push(resolved ? `Let ${port} out of ${ids[0]!} to the registry (${cidrs[0]!}).` : `Let ${port} out of ${ids[0]!}; the command opens it to 0.0.0.0/0 because the registry's address is unknown here: narrow it to the registry's addresses.`);
  }

  // Network ACLs: the request leaves each ESM subnet and the replies come back on the ephemeral ports.
  const flows = new FlowCollector(aclFact.value, f.vpcId);
  for (const s of f.subnets.filter((x): x is Subnet & { CidrBlock: string } => !!x.CidrBlock)) {
    for (const cidr of cidrs.filter((c) => !cidrCovers(s.CidrBlock, c))) {
      flows.client(s, cidr, { from: port, to: port }, `the ESM reaching the schema registry on ${port}`, 'the registry\'s replies reaching the ESM', !resolved);
    }
  }
  const { blocked, vagueBlocked } = flows.judge();
  const vpcCidrs = vpcCidrsFromRoutes(f.routeTables, f.vpcId);
  if (blocked.length) {
    const groups = groupBlocked(blocked);
    problems.push(groups.map(blockedText).join('; '));
    fixes.push(...naclFixes(groups, vpcCidrs, f.region));
    summaries.push('Add network ACL allow entries numbered below the blocking rule (rule numbers chosen free).');
  } else if (vagueBlocked.length) {
    cautions.push(groupBlocked(vagueBlocked).map(blockedText).join('; '));
  } else if (flows.flows.length) {
    fine.push(`the network ACLs ${flows.aclIds().join(', ')} pass ${port} and the replies`);
  }

  // Routes: a private address in the VPC is local; anything else needs a way out of it.
  cautions.push(...routeCautions(f, addresses, resolved, isPrivate, vpcCidrs, host));

  const resources = [...ids, ...f.subnets.map((s) => s.SubnetId), ...flows.aclIds()];
  const lead = `Lambda fetches schemas from ${uri} (TCP ${port} to ${where}) from the ESM's subnets ${f.subnets.map((s) => s.SubnetId).join(', ')} with ${ids.join(', ')}.`;
  if (problems.length) {
    return fail(
      `The ESM's position cannot reach the schema registry on ${port}`,
      `${lead} ${problems.map(capital).join('. ')}.${cautions.length ? ` Also: ${cautions.join('; ')}.` : ''}`,
      remedy(summaries.join(' '), fixes),
      { resources },
    );
  }
  if (cautions.length) {
    return warn(
      `The path from the ESM to the schema registry could not be confirmed`,
      `${lead} ${capital(cautions.join('; '))}.${fine.length ? ` Allowed: ${fine.join('; ')}.` : ''}`,
      remedy(`Make sure the ESM's subnets can reach ${host} on ${port}: a 0.0.0.0/0 route to a NAT gateway for a registry outside the VPC, and security group and network ACL rules for ${port}.`),
      { resources },
    );
  }
  return pass(`${lead} ${capital(fine.join('; '))}.`, { resources });
}

/** Sentence case, but a sentence that opens with a resource id (acl-…, sg-…) keeps it as AWS spells it. */
function capital(text: string): string {
  return /^[a-z]+-[0-9a-f]/.test(text) ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the route tables say about reaching the registry's addresses, as cautions (none when the path is clear). */
function routeCautions(f: PathFacts, addresses: string[], resolved: boolean, isPrivate: boolean, vpcCidrs: string[], host: string): string[] {
  if (isPrivate) {
    const outside = addresses.filter((a) => !vpcCidrs.some((c) => cidrCovers(c, `${a}/32`)));
    const unrouted = outside.filter((a) =>
      f.subnets.some((s) => {
        const table = effectiveRouteTable(s.SubnetId, f.routeTables, s.VpcId ?? f.vpcId)?.table;
        return !(table?.Routes ?? []).some((r) => r.DestinationCidrBlock && r.DestinationCidrBlock !== ANYWHERE && (r.State ?? 'active') === 'active' && cidrCovers(r.DestinationCidrBlock, `${a}/32`));
      }),
    );
    return unrouted.length ? [`${unrouted.join(', ')} is outside the VPC (${vpcCidrs.join(', ') || 'CIDR unknown'}) and not every ESM subnet's route table has a route for it (peering, transit gateway, VPN)`] : [];
  }
  const noNat = f.subnets.map((s) => internetPathOf(s.SubnetId, f.routeTables, f.natGateways, s.VpcId ?? f.vpcId)).filter((p) => p.kind !== 'nat');
  if (noNat.length === 0) return [];
  const detail = noNat.map((p) => p.detail).join('; ');
  return resolved
    ? [`the registry's public address needs a NAT path from the ESM's subnets, but ${detail}`]
    : [`if ${host} is outside the VPC (a public registry such as Confluent Cloud), the ESM's subnets need a NAT path, but ${detail}`];
}
