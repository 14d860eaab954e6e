import { esmSource, isProvisionedMode } from '../../model/esm';
import { requiredPermissions, type Requirement } from '../../model/permissions';
import type { EvaluationResult, Snapshot } from '../../model/snapshot';
import { couldNotRead, fail, pass, skip, warn, type Outcome, defineCheck } from '../check';
import { endpointServiceName } from '../lib/net/endpoints';
import type { PolicyRequest } from '../lib/policy';
import { esmPosition, pathFacts, servicePathFix, servicePaths, type PathFacts, type SubnetServicePath } from '../lib/esm-network';
import { AWS_DOCS } from '../lib/aws-docs';
import { pathLines, pathResources, subnetCount } from '../egress';
import { roleArnOf, roleNameOf } from '../../model/role';
import type { Remedy } from '../../model/report';
import { remedyText } from '../../model/remedy';
import type { PolicyDocument } from '../lib/policy';
import { createGatewayEndpoint, putRolePolicy, updateEsm } from '../lib/commands';
import { mergeRemedies, remedy } from '../lib/remedy';
import { regionOf } from '../lib/resources';

const SERVICES: Record<string, { label: string; action: string; resource: (arn: string) => string }> = {
  sqs: { label: 'SQS queue', action: 'sqs:SendMessage', resource: (arn) => arn },
  sns: { label: 'SNS topic', action: 'sns:Publish', resource: (arn) => arn },
  s3: { label: 'S3 bucket', action: 's3:PutObject', resource: (arn) => `${arn}/*` },
};

function account(snapshot: Snapshot): string | undefined {
  return snapshot.target.account ?? (snapshot.caller?.ok ? snapshot.caller.value.Account : undefined);
}

function isAllowed(req: Requirement, results: EvaluationResult[]): 'allowed' | 'denied' | 'unknown' {
  const actions = [req.action, ...(req.alternatives ?? [])];
  const hits = results.filter((r) => actions.includes(r.EvalActionName) && (!r.EvalResourceName || r.EvalResourceName === req.resource));
  if (hits.length === 0) return 'unknown';
  return hits.some((r) => r.EvalDecision === 'allowed') ? 'allowed' : 'denied';
}

export function destinationStatement(reqs: Requirement[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: reqs.map((r) => ({ Effect: 'Allow', Action: r.action, Resource: r.resource })),
  };
}

interface Part {
  status: 'fail' | 'error' | 'warn' | 'pass';
  title?: string;
  detail: string;
  fix?: Remedy;
  resources?: string[];
}

function permissionPart(snapshot: Snapshot, destination: string): Part {
  const cluster = snapshot.cluster?.ok ? snapshot.cluster.value : undefined;
  const acct = account(snapshot);
  const reqs = requiredPermissions({ esm: snapshot.esm, ...(cluster ? { cluster } : {}), region: snapshot.target.region, ...(acct ? { account: acct } : {}) }).filter(
    (r) => r.group === 'destination',
  );
  if (reqs.length === 0) return { status: 'pass', detail: '' };
  const f = snapshot.permissions;
  if (!f || !f.ok) {
    const o = couldNotRead('the execution role\'s permissions', f && !f.ok ? f : { source: 'iam:SimulatePrincipalPolicy', error: { code: 'NotCollected', message: 'the snapshot has no simulation results', action: 'iam:SimulatePrincipalPolicy' } });
    return { status: 'error', title: o.title!, detail: o.detail, ...(o.fix ? { fix: { summary: o.fix } } : {}) };
  }
  const denied = reqs.filter((r) => isAllowed(r, f.value) === 'denied');
  const unknown = reqs.filter((r) => isAllowed(r, f.value) === 'unknown');
  const role = roleArnOf(snapshot) ?? 'the execution role';
  if (denied.length) {
    const statement = destinationStatement(denied);
    const name = roleNameOf(snapshot);
    return {
      status: 'fail',
      title: `The execution role may not write to the on-failure destination`,
      detail: `IAM simulation of ${role} denies ${denied.map((r) => `${r.action} on ${r.resource}`).join(', ')}: Lambda ${denied[0]!.why} as this role, so failed batches would be lost.`,
      fix: remedy(
        `Allow ${role} to write to the destination (an inline policy named esm-on-failure-destination).`,
        name ? [putRolePolicy({ roleName: name, policyName: 'esm-on-failure-destination', document: statement, region: regionOf(snapshot) })] : [],
        [{ title: 'Policy to add to the execution role', json: statement }],
      ),
      resources: [role, destination],
    };
  }
  if (unknown.length) {
    return { status: 'warn', title: 'The role\'s permission on the destination was not simulated', detail: `The IAM simulation has no answer for ${unknown.map((r) => `${r.action} on ${r.resource}`).join(', ')}.`, resources: [destination] };
  }
  return { status: 'pass', detail: `${role} may ${reqs.map((r) => r.action).join(' and ')} on it.` };
}

function s3GatewayFix(facts: PathFacts, blocked: SubnetServicePath[]): Remedy {
  const tables = [...new Set(blocked.map((p) => p.internet.routeTableId).filter((t): t is string => !!t))];
  const summary = 'Create an S3 gateway endpoint routed from the ESM\'s subnets (free, no security groups involved).';
  if (!facts.vpcId || tables.length === 0) return remedy(`${summary} esm-doctor does not know the VPC or the subnets' route tables: name them in ec2 create-vpc-endpoint --vpc-endpoint-type Gateway.`);
  return remedy(summary, [createGatewayEndpoint({ vpcId: facts.vpcId, serviceName: endpointServiceName(facts.region, 's3'), routeTableIds: tables, region: facts.region })]);
}

/** An outcome from the shared helpers (an unreadable fact) as one part of this check's answer. */
function partOf(o: Outcome): Part {
  const status: Part['status'] = o.status === 'skip' ? 'pass' : o.status;
  return { status, ...(o.title ? { title: o.title } : {}), detail: o.detail, ...(o.remedy ? { fix: o.remedy } : o.fix ? { fix: { summary: o.fix } } : {}) };
}

function networkPart(snapshot: Snapshot, service: string, destination: string): Part {
  const pos = esmPosition(snapshot);
  if (!pos.ok) return partOf(pos.outcome);
  const spec = SERVICES[service]!;
  if (pos.value.placement.kind === 'internet') {
    return { status: 'pass', detail: `The ESM is not in a VPC, so Lambda reaches the ${spec.label} from its own network.` };
  }
  const facts = pathFacts(snapshot, pos.value);
  if (!facts.ok) return partOf(facts.outcome);
  const arn = roleArnOf(snapshot);
  const acct = account(snapshot);
  const request: PolicyRequest = {
    action: spec.action,
    principal: { ...(arn ? { arn } : {}), ...(acct ? { account: acct } : {}) },
    resource: spec.resource(destination),
  };
  const paths = servicePaths(facts.value, { service, request, gatewayAllowed: service === 's3' });
  const viaEndpoint = (p: SubnetServicePath) => p.status === 'ok' && (!!p.privateDnsEndpoint || !!p.gatewayEndpointId);
  const resources = pathResources(paths);
  const name = endpointServiceName(facts.value.region, service);
  const destRegion = destination.split(':')[3];
  const regionNote = destRegion && destRegion !== facts.value.region ? ` The destination is in ${destRegion}, but VPC endpoints only serve their own region (${facts.value.region}): only a NAT path can reach it.` : '';
  const fixFor = (ps: SubnetServicePath[]) => (service === 's3' && !ps.some((p) => p.gatewayEndpointId) ? s3GatewayFix(facts.value, ps) : servicePathFix(facts.value, service, ps));

  if (paths.every(viaEndpoint)) {
    return { status: 'pass', detail: `Every ESM subnet reaches ${name} through an endpoint: ${pathLines(paths)}.`, resources };
  }
  const lacking = paths.filter((p) => !viaEndpoint(p));
  if (isProvisionedMode(snapshot.esm)) {
    return {
      status: 'warn',
      title: `No usable ${service} endpoint for the on-failure destination`,
      detail: `The docs ask for a VPC endpoint of the destination's service in the cluster's VPC, without saying whether provisioned mode still needs it; esm-doctor finds none usable from ${lacking.map((p) => p.subnet.SubnetId).join(', ')}: ${pathLines(lacking)}.${regionNote}`,
      fix: fixFor(lacking),
      resources,
    };
  }
  const blocked = paths.filter((p) => p.status === 'blocked');
  if (blocked.length) {
    return {
      status: 'fail',
      title: `${subnetCount(blocked.length, paths.length)} ${blocked.length === paths.length && paths.length > 1 ? 'can' : 'cannot'} reach the on-failure ${spec.label}`,
      detail: `The ESM runs in on-demand mode, so Lambda delivers failed batches to ${name} from the ESM's ENIs, which need an endpoint of that service (or a NAT route): ${pathLines(blocked)}.${regionNote}`,
      fix: fixFor(blocked),
      resources,
    };
  }
  const unsure = paths.filter((p) => p.status !== 'ok');
  if (unsure.length) {
    return { status: 'warn', title: 'The path to the on-failure destination could not be confirmed', detail: `${pathLines(unsure)}.${regionNote}`, fix: fixFor(unsure), resources };
  }
  return { status: 'pass', detail: `The ESM's subnets reach ${name} (the docs prefer an endpoint; a NAT gateway works as well): ${pathLines(paths)}.${regionNote}`, resources };
}

const ORDER: Record<Part['status'], number> = { fail: 0, error: 1, warn: 2, pass: 3 };

export const destinationReachable = defineCheck({
  id: 'destination.reachable',
  step: 9,
  title: 'The on-failure destination is reachable and writable',
  docs: AWS_DOCS.onFailure,
  explains: ['destination', 'vpc-service-access', 'connection-error'],
  run(snapshot): Outcome {
    const destination = snapshot.esm.DestinationConfig?.OnFailure?.Destination;
    if (!destination) return skip('The ESM has no on-failure destination: batches that keep failing are retried until they expire, then dropped.');
    if (!esmSource(snapshot.esm)) return skip('This is not a Kafka event source mapping.');
    if (destination.startsWith('kafka://')) {
      const topic = destination.slice('kafka://'.length);
      if (!isProvisionedMode(snapshot.esm)) {
        return warn('A Kafka topic destination needs provisioned mode', `The destination ${destination} is a Kafka topic, which Lambda supports only for ESMs in provisioned mode; this ESM is on-demand.`, remedy('Turn on provisioned mode (1 to 3 pollers; size them to the load).', [updateEsm({ uuid: snapshot.esm.UUID, provisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 }, region: regionOf(snapshot) })]));
      }
      if (snapshot.esm.Topics?.includes(topic)) {
        return warn('The on-failure topic is the source topic', `${destination} is the topic the ESM reads: failed records would be written back to it and read again.`, 'Use a separate topic for failed records.');
      }
      return pass(`The destination is the Kafka topic ${topic} on the same cluster: Lambda writes it over the broker connection it already has, so no VPC endpoint and no extra IAM permission for another service are involved.`);
    }
    const service = destination.split(':')[2] ?? '';
    if (!SERVICES[service]) return skip(`The destination ${destination} is not an SQS, SNS or S3 ARN nor a kafka:// topic; esm-doctor does not know how Lambda reaches it.`);

    const netPart = networkPart(snapshot, service, destination);
    const permPart = permissionPart(snapshot, destination);
    const parts = [netPart, permPart].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
    const worst = parts[0]!;
    const detail = [netPart.detail, permPart.detail].filter(Boolean).join(' ');
    const fix = mergeRemedies(parts.filter((p) => p.status !== 'pass').map((p) => p.fix));
    const resources = [...new Set([destination, ...parts.flatMap((p) => p.resources ?? [])])];
    if (worst.status === 'fail') return fail(worst.title!, detail, fix ?? '', { resources });
    if (worst.status === 'error') return { status: 'error', title: worst.title!, detail, resources, ...(fix ? { fix: remedyText(fix) } : {}) };
    if (worst.status === 'warn') return warn(worst.title!, detail, fix, { resources });
    return pass(`On-failure destination ${destination}: ${detail}`, { resources });
  },
});
