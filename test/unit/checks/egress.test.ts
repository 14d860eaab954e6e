import { checks, egressLambda, egressSecretsManager, egressSts } from '../../../bot/checks/egress';
import type { Snapshot } from '../../../bot/model/snapshot';
import { ACCOUNT, CLUSTER_SG, IGW_ID, NAT_ID, SM_ROLE_ARN, SM_SECRET_ARN, SM_SG, SUBNETS, VPC_ID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import {
  ENDPOINT_SG,
  MAIN_RTB,
  PRIVATE_RTB,
  denied,
  endpointSecurityGroup,
  endpoints,
  group,
  groups,
  interfaceEndpoint,
  net,
  onTheInternet,
  provisioned,
  table,
  withEndpointsInsteadOfNat,
  withoutNatRoute,
} from './network-fixtures';

const STS_ENDPOINT = 'vpce-0a1b2c3d4e5f60001';
const LAMBDA_ENDPOINT = 'vpce-0a1b2c3d4e5f60002';

function igwOnly(s: Snapshot): Snapshot {
  table(s, PRIVATE_RTB).Routes![1] = { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW_ID, Origin: 'CreateRoute', State: 'active' };
  return s;
}

function natState(s: Snapshot, State: string): Snapshot {
  const f = net(s).natGateways!;
  if (f.ok) f.value[0]!.State = State;
  return s;
}

it('exports egress.sts (1), egress.secretsmanager (2) and egress.lambda (9)', () => {
  expect(checks.map((c) => [c.id, c.step])).toEqual([
    ['egress.sts', 1],
    ['egress.secretsmanager', 2],
    ['egress.lambda', 9],
  ]);
});

describe('egress.sts', () => {
  it('passes when every ESM subnet routes 0.0.0.0/0 to an available NAT gateway', () => {
    const o = egressSts.run(mskIamHealthy());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`${PRIVATE_RTB} sends 0.0.0.0/0 to ${NAT_ID} (available)`);
  });

  it('fails when the subnets route only to an internet gateway, offering the endpoint and the NAT route', () => {
    const o = egressSts.run(igwOnly(mskIamHealthy()));
    expect(o.status).toBe('fail');
    expect(o.title).toBe('None of the 3 ESM subnets can reach STS');
    expect(o.detail).toContain(`the internet gateway ${IGW_ID}; that only serves interfaces with a public IP`);
    expect(o.resources).toEqual(expect.arrayContaining([...SUBNETS, PRIVATE_RTB]));
    expect(o.fix).toContain(
      `aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name com.amazonaws.eu-west-1.sts --vpc-id ${VPC_ID} --subnet-ids ${SUBNETS.join(' ')} --security-group-ids ${CLUSTER_SG} --private-dns-enabled`,
    );
    expect(o.fix).toContain(`aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port 443 --source-group ${CLUSTER_SG}`);
    // the table already has a 0.0.0.0/0 route, so create-route would fail: replace it
    expect(o.fix).toContain(`aws ec2 replace-route --route-table-id ${PRIVATE_RTB} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id ${NAT_ID}`);
  });

  it('falls back to the main route table for a subnet without an association, and fails when it has no default route', () => {
    const s = mskIamHealthy();
    const t = table(s, PRIVATE_RTB);
    t.Associations = t.Associations!.filter((a) => a.SubnetId !== SUBNETS[2]);
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('1 of 3 ESM subnets cannot reach STS');
    expect(o.detail).toContain(`${SUBNETS[2]} (eu-west-1c): ${MAIN_RTB} (the VPC's main table: the subnet has no explicit association) has no 0.0.0.0/0 route`);
    expect(o.fix).toContain(`aws ec2 create-route --route-table-id ${MAIN_RTB} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id ${NAT_ID}`);
    expect(o.fix).toContain('main table');
  });

  it('passes through the main table when that is where the NAT route is', () => {
    const s = mskIamHealthy();
    table(s, PRIVATE_RTB).Associations = [];
    table(s, MAIN_RTB).Routes!.push({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: NAT_ID, Origin: 'CreateRoute', State: 'active' });
    const o = egressSts.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`${MAIN_RTB} (the VPC's main table`);
  });

  it('fails when the NAT gateway is deleted', () => {
    const o = egressSts.run(natState(mskIamHealthy(), 'deleted'));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${NAT_ID}, whose state is "deleted", not "available"`);
    expect(o.resources).toContain(NAT_ID);
  });

  // NAT gateway docs: a private NAT gateway has no Elastic IP and cannot reach the internet; its
  // traffic goes to other VPCs or on premises only. STS behind it is unreachable: a fail, not a warn.
  it('fails when the default route goes to a private NAT gateway', () => {
    const s = mskIamHealthy();
    const f = net(s).natGateways!;
    if (f.ok) f.value[0]!.ConnectivityType = 'private';
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${NAT_ID}, a private NAT gateway`);
    expect(egressLambda.run(s).status).toBe('fail');
  });

  it('fails when the default route is a blackhole (its NAT gateway was deleted)', () => {
    const s = natState(mskIamHealthy(), 'deleted');
    table(s, PRIVATE_RTB).Routes![1]!.State = 'blackhole';
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('blackhole');
  });

  it('passes with healthy interface endpoints and no NAT', () => {
    const o = egressSts.run(withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`interface endpoint ${STS_ENDPOINT} (private DNS on)`);
  });

  it('fails when the sts endpoint has private DNS disabled, with the modify-vpc-endpoint command', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    endpoints(s)[0]!.PrivateDnsEnabled = false;
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${STS_ENDPOINT} has private DNS disabled`);
    expect(o.fix).toContain(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${STS_ENDPOINT} --private-dns-enabled`);
    expect(o.resources).toContain(STS_ENDPOINT);
  });

  it('warns (not fails) when the sts endpoint has interfaces only in other AZs: the regional name still answers across AZs', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    endpoints(s)[0] = interfaceEndpoint('sts', { SubnetIds: [SUBNETS[0]!] });
    const o = egressSts.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toContain(`${STS_ENDPOINT} has interfaces only in eu-west-1a, none in eu-west-1b`);
    expect(o.fix).toContain(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${STS_ENDPOINT} --add-subnet-ids ${SUBNETS[1]}`);
  });

  it('fails when the endpoint SG does not admit 443 from the cluster SG', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    group(s, ENDPOINT_SG).IpPermissions = [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.1.0.0/24' }], UserIdGroupPairs: [], Ipv6Ranges: [], PrefixListIds: [] }];
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`the security groups of ${STS_ENDPOINT} (${ENDPOINT_SG}) do not admit 443 from ${CLUSTER_SG}`);
    expect(o.fix).toContain(`aws ec2 authorize-security-group-ingress --group-id ${ENDPOINT_SG} --protocol tcp --port 443 --source-group ${CLUSTER_SG}`);
  });

  it('fails when the endpoint policy is restricted to an organization', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    endpoints(s)[0]!.PolicyDocument = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AllowOrgOnly', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }],
    });
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('lambda.amazonaws.com is a service principal and belongs to none');
    expect(o.fix).toContain(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${STS_ENDPOINT} --policy-document`);
    expect(o.fix).toContain('"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"');
  });

  it('fails when the sts endpoint with private DNS is broken even though a NAT route exists: the name resolves to the endpoint', () => {
    const s = mskIamHealthy();
    endpoints(s).push(interfaceEndpoint('sts'));
    groups(s).push(endpointSecurityGroup('sg-0c0c0c0c0c0c0c0c0'));
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`the NAT route through ${NAT_ID} is bypassed`);
  });

  it('warns when 0.0.0.0/0 goes to a transit gateway, whose far side esm-doctor cannot see', () => {
    const s = mskIamHealthy();
    table(s, PRIVATE_RTB).Routes![1] = { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0a1b2c3d4e5f60718', Origin: 'CreateRoute', State: 'active' };
    const o = egressSts.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toContain('tgw-0a1b2c3d4e5f60718');
  });

  it('fails when the NAT route exists but the cluster SG lets nothing out on 443', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissionsEgress = [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }];
    const o = egressSts.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('allow no 443 egress to the internet');
  });

  it('skips in provisioned mode, which needs no NAT or endpoint', () => {
    const o = egressSts.run(provisioned(igwOnly(mskIamHealthy())));
    expect(o.status).toBe('skip');
    expect(o.detail).toContain('provisioned mode');
  });

  it('skips a self-managed ESM on the internet', () => {
    expect(egressSts.run(onTheInternet(selfManagedScramHealthy())).status).toBe('skip');
  });

  it('errors naming ec2:DescribeRouteTables when the route tables could not be read', () => {
    const s = mskIamHealthy();
    net(s).routeTables = denied('ec2:DescribeRouteTables', 'ec2:DescribeRouteTables');
    const o = egressSts.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('ec2:DescribeRouteTables');
  });

  it('errors naming ec2:DescribeNatGateways when the NAT gateways could not be read', () => {
    const s = mskIamHealthy();
    net(s).natGateways = denied('ec2:DescribeNatGateways', 'ec2:DescribeNatGateways');
    expect(egressSts.run(s).status).toBe('error');
  });
});

describe('egress.secretsmanager', () => {
  it('skips an ESM that uses no secret', () => {
    const o = egressSecretsManager.run(igwOnly(mskIamHealthy()));
    expect(o.status).toBe('skip');
    expect(o.detail).toContain('no secret');
  });

  it('passes for the self-managed SCRAM baseline through the NAT gateway', () => {
    expect(egressSecretsManager.run(selfManagedScramHealthy()).status).toBe('pass');
  });

  it('fails when there are sts and lambda endpoints but none for Secrets Manager, while sts passes', () => {
    const s = withEndpointsInsteadOfNat(selfManagedScramHealthy(), ['sts', 'lambda'], SM_SG);
    const o = egressSecretsManager.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('None of the 2 ESM subnets can reach Secrets Manager');
    expect(o.detail).toContain(`no interface endpoint for com.amazonaws.eu-west-1.secretsmanager in ${VPC_ID}`);
    expect(o.fix).toContain(`--service-name com.amazonaws.eu-west-1.secretsmanager --vpc-id ${VPC_ID} --subnet-ids subnet-0a11aa11aa11aa111 subnet-0b22bb22bb22bb222 --security-group-ids ${SM_SG} --private-dns-enabled`);
    expect(egressSts.run(s).status).toBe('pass');
  });

  it('passes with an endpoint policy scoped to the execution role and the secret', () => {
    const s = withEndpointsInsteadOfNat(selfManagedScramHealthy(), ['sts', 'lambda', 'secretsmanager'], SM_SG);
    endpoints(s)[2]!.PolicyDocument = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: SM_ROLE_ARN }, Action: 'secretsmanager:GetSecretValue', Resource: SM_SECRET_ARN }],
    });
    expect(egressSecretsManager.run(s).status).toBe('pass');
  });

  it('fails when the endpoint policy lets only another role read secrets', () => {
    const s = withEndpointsInsteadOfNat(selfManagedScramHealthy(), ['sts', 'lambda', 'secretsmanager'], SM_SG);
    endpoints(s)[2]!.PolicyDocument = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci-deployer` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });
    const o = egressSecretsManager.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`no statement allows secretsmanager:GetSecretValue to ${SM_ROLE_ARN}`);
  });

  it('skips in provisioned mode', () => {
    expect(egressSecretsManager.run(provisioned(selfManagedScramHealthy())).status).toBe('skip');
  });
});

describe('egress.lambda', () => {
  it('passes with the NAT baseline', () => {
    expect(egressLambda.run(mskIamHealthy()).status).toBe('pass');
  });

  it('fails when the lambda endpoint policy denies lambda:InvokeFunction', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    endpoints(s)[1]!.PolicyDocument = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Sid: 'NoInvokes', Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: '*' },
      ],
    });
    const o = egressLambda.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`the policy of ${LAMBDA_ENDPOINT} blocks lambda:InvokeFunction: statement "NoInvokes" denies`);
    expect(o.resources).toContain(LAMBDA_ENDPOINT);
  });

  it('fails when only an sts endpoint exists and there is no NAT', () => {
    const o = egressLambda.run(withEndpointsInsteadOfNat(mskIamHealthy(), ['sts']));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('no interface endpoint for com.amazonaws.eu-west-1.lambda');
  });

  it('skips in provisioned mode even without NAT or endpoints', () => {
    expect(egressLambda.run(provisioned(withoutNatRoute(mskIamHealthy()))).status).toBe('skip');
  });
});
