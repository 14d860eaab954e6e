import { checks, destinationReachable } from '../../../bot/checks/destination';
import type { Snapshot } from '../../../bot/model/snapshot';
import { ACCOUNT, REGION, ROLE_ARN, SUBNETS, VPC_ID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { policiesOf, simulateRole, withGrant } from '../../../scenarios/roles';
import { PRIVATE_RTB, endpoints, interfaceEndpoint, onTheInternet, provisioned, withEndpointsInsteadOfNat, withoutNatRoute } from './network-fixtures';

const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-consumer-failures`;
const BUCKET = 'arn:aws:s3:::orders-consumer-failures';
const SQS_ENDPOINT = 'vpce-0a1b2c3d4e5f60004';

/** What a correct role grants on each kind of destination (Lambda docs, "Adding a destination": SQS, SNS, S3). */
const DESTINATION_GRANTS: Record<string, (arn: string) => Array<[string, string]>> = {
  sqs: (arn) => [['sqs:SendMessage', arn]],
  sns: (arn) => [['sns:Publish', arn]],
  s3: (arn) => [['s3:PutObject', `${arn}/*`], ['s3:ListBucket', arn]],
};

/** Set the on-failure destination and grant the role what it needs on it, as a correct setup would. */
function withDestination(s: Snapshot, destination: string): Snapshot {
  s.esm.DestinationConfig = { OnFailure: { Destination: destination } };
  // A kafka:// destination is written with the ESM's own Kafka access: no extra grant.
  const grants = DESTINATION_GRANTS[destination.split(':')[2]!]?.(destination) ?? [];
  const policies = grants.reduce((p, [action, resource]) => withGrant(p, action, resource), policiesOf(s));
  s.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(s, policies) };
  return s;
}

function s3Gateway(routeTableIds: string[]) {
  return { ...interfaceEndpoint('s3'), VpcEndpointType: 'Gateway', SubnetIds: [], Groups: [], DnsEntries: [], PrivateDnsEnabled: false, RouteTableIds: routeTableIds };
}

it('exports destination.reachable at step 9', () => {
  expect(checks.map((c) => [c.id, c.step])).toEqual([['destination.reachable', 9]]);
});

describe('destination.reachable', () => {
  it('skips when no on-failure destination is configured', () => {
    expect(destinationReachable.run(mskIamHealthy()).status).toBe('skip');
  });

  it('passes an SQS destination in on-demand mode through the NAT gateway', () => {
    const o = destinationReachable.run(withDestination(mskIamHealthy(), QUEUE));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('a NAT gateway works as well');
    expect(o.detail).toContain(`may sqs:SendMessage`);
  });

  it('fails an SQS destination in on-demand mode with neither an sqs endpoint nor NAT', () => {
    const s = withDestination(withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']), QUEUE);
    const o = destinationReachable.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('None of the 3 ESM subnets can reach the on-failure SQS queue');
    expect(o.detail).toContain(`no interface endpoint for com.amazonaws.${REGION}.sqs in ${VPC_ID}`);
    expect(o.fix).toContain(`aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name com.amazonaws.${REGION}.sqs --vpc-id ${VPC_ID} --subnet-ids ${SUBNETS.join(' ')}`);
    expect(o.resources).toEqual(expect.arrayContaining([QUEUE, ...SUBNETS]));
  });

  it('passes an SQS destination reached through an sqs interface endpoint', () => {
    const s = withDestination(withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda', 'sqs']), QUEUE);
    const o = destinationReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`interface endpoint ${SQS_ENDPOINT}`);
  });

  it('warns in provisioned mode when there is no sqs endpoint, since the docs do not say the mode removes the need', () => {
    const o = destinationReachable.run(withDestination(provisioned(mskIamHealthy()), QUEUE));
    expect(o.status).toBe('warn');
    expect(o.detail).toContain('without saying whether provisioned mode still needs it');
  });

  it('passes an S3 destination with a gateway endpoint routed from the ESM subnets\' table', () => {
    const s = withDestination(withoutNatRoute(mskIamHealthy()), BUCKET);
    endpoints(s).push(s3Gateway([PRIVATE_RTB]));
    const o = destinationReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`gateway endpoint vpce-0a1b2c3d4e5f60006 is routed from ${PRIVATE_RTB}`);
  });

  it('fails an S3 destination whose gateway endpoint is routed only from other tables, proposing the gateway endpoint for this one', () => {
    const s = withDestination(withoutNatRoute(mskIamHealthy()), BUCKET);
    endpoints(s).push(s3Gateway(['rtb-0bb2public0000002']));
    const o = destinationReachable.run(s);
    expect(o.status).toBe('fail');
    expect(o.fix).toContain(`aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --service-name com.amazonaws.${REGION}.s3 --vpc-id ${VPC_ID} --route-table-ids ${PRIVATE_RTB}`);
  });

  it('fails when the role is denied sqs:SendMessage, quoting the statement to add', () => {
    const s = withDestination(mskIamHealthy(), QUEUE);
    // The role as it is, without a grant on the queue.
    s.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: simulateRole(s, policiesOf(s)) };
    const o = destinationReachable.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('The execution role may not write to the on-failure destination');
    expect(o.detail).toContain(`denies sqs:SendMessage on ${QUEUE}`);
    expect(o.remedy?.commands).toEqual([
      `aws iam put-role-policy --role-name orders-consumer-role --policy-name esm-on-failure-destination --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"${QUEUE}"}]}' --region eu-west-1`,
    ]);
    expect(o.remedy?.documents?.[0]?.json).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE }] });
    expect(o.resources).toEqual(expect.arrayContaining([ROLE_ARN, QUEUE]));
  });

  it('errors when the role\'s permissions could not be simulated', () => {
    const s = withDestination(mskIamHealthy(), QUEUE);
    s.permissions = { ok: false, source: 'iam:SimulatePrincipalPolicy', error: { code: 'AccessDenied', message: 'not authorized to perform iam:SimulatePrincipalPolicy', action: 'iam:SimulatePrincipalPolicy' } };
    const o = destinationReachable.run(s);
    expect(o.status).toBe('error');
    expect(o.fix).toContain('iam:SimulatePrincipalPolicy');
  });

  it('passes a kafka:// destination in provisioned mode: no endpoint involved', () => {
    const o = destinationReachable.run(withDestination(provisioned(mskIamHealthy()), 'kafka://orders-failures'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('Kafka topic orders-failures on the same cluster');
  });

  it('warns on a kafka:// destination in on-demand mode, which supports it only in provisioned mode', () => {
    const o = destinationReachable.run(withDestination(mskIamHealthy(), 'kafka://orders-failures'));
    expect(o.status).toBe('warn');
  });

  it('passes a self-managed ESM on the internet with an SQS destination (no VPC in between)', () => {
    const o = destinationReachable.run(withDestination(onTheInternet(selfManagedScramHealthy()), QUEUE));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('not in a VPC');
  });
});
