/**
 * Issue 11, item 10: a cross-account ESM (EventSourceArn = a managed VPC connection) takes its network
 * position from the connection (DescribeVpcConnection: VpcId, Subnets, SecurityGroups). The network and
 * egress checks evaluate from there; what lives in the cluster's account stays an honest skip.
 */
import { egressLambda, egressSts } from '../../../bot/checks/egress';
import { mskBootstrap, mskCluster } from '../../../bot/checks/msk';
import { authMode } from '../../../bot/checks/auth';
import { nacl, sgBrokerIngress, sgEgress, subnets as subnetsCheck } from '../../../bot/checks/network';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { esmPlacement, MULTI_VPC_BROKER_PORTS } from '../../../bot/model/esm';
import type { Snapshot } from '../../../bot/model/snapshot';
import { REGION, SUBNETS } from '../../../scenarios/base';
import { CONNECTION_SG, crossAccount } from '../../../scenarios';
import { acls, group, routeTables } from './network-fixtures';

function connection(s: Snapshot) {
  const f = s.vpcConnection!;
  if (!f.ok) throw new Error('connection unreadable');
  return f.value;
}

describe('the position of a cross-account ESM', () => {
  it('is the VPC connection\'s subnets and security groups', () => {
    const s = crossAccount();
    expect(esmPlacement(s.esm, undefined, connection(s))).toEqual({
      kind: 'msk-vpc-connection',
      subnetIds: SUBNETS,
      securityGroupIds: [CONNECTION_SG],
      from: expect.stringContaining('VPC connection'),
    });
  });

  it('is unknown while the connection is unread', () => {
    expect(esmPlacement(crossAccount().esm, undefined, undefined)).toBeUndefined();
  });

  it('has the documented multi-VPC broker port range', () => {
    expect(MULTI_VPC_BROKER_PORTS).toEqual({ from: 14001, to: 14100 });
  });
});

describe('network checks from the VPC connection', () => {
  it('network.sg-egress passes when the connection group lets everything out', () => {
    const o = sgEgress.run(crossAccount());
    expect(o.status).toBe('pass');
  });

  it('network.sg-egress fails when the connection group lets only 443 out, with a rule for 14001-14100', () => {
    const s = crossAccount();
    group(s, CONNECTION_SG).IpPermissionsEgress = [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }];
    const o = sgEgress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('14001-14100');
    expect(o.remedy?.commands).toEqual([
      `aws ec2 authorize-security-group-egress --group-id ${CONNECTION_SG} --ip-permissions 'IpProtocol=tcp,FromPort=14001,ToPort=14100,UserIdGroupPairs=[{GroupId=${CONNECTION_SG}}]' --region ${REGION}`,
    ]);
  });

  it('network.sg-broker-ingress passes on a self-referencing 14001-14100 rule and says the cluster\'s own groups are not readable', () => {
    const o = sgBrokerIngress.run(crossAccount());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('14001-14100');
    expect(o.detail).toMatch(/other account/);
  });

  it('network.sg-broker-ingress warns when the rule covers only 14001-14003 (enough for three brokers, unknown here)', () => {
    const s = crossAccount();
    group(s, CONNECTION_SG).IpPermissions![0]!.ToPort = 14003;
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toContain('14001-14003');
  });

  it('network.sg-broker-ingress fails when the connection group admits nothing on 14001-14100', () => {
    const s = crossAccount();
    group(s, CONNECTION_SG).IpPermissions = [
      { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CONNECTION_SG }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
    ];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.remedy?.commands).toEqual([
      `aws ec2 authorize-security-group-ingress --group-id ${CONNECTION_SG} --protocol tcp --port 14001-14100 --source-group ${CONNECTION_SG} --region ${REGION}`,
    ]);
  });

  it('network.nacl fails when the subnets\' ACL denies 14001-14100 between the connection subnets', () => {
    const s = crossAccount();
    const acl = acls(s)[0]!;
    acl.Entries = [
      { RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 14001, To: 14100 } },
      ...(acl.Entries ?? []),
    ];
    const o = nacl.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('14001-14100');
  });

  it('network.subnets checks the connection\'s subnets', () => {
    expect(subnetsCheck.run(crossAccount()).status).toBe('pass');
  });

  it('egress.sts and egress.lambda pass through the NAT gateway and fail without a default route', () => {
    expect(egressSts.run(crossAccount()).status).toBe('pass');
    const s = crossAccount();
    const rt = routeTables(s).find((t) => t.RouteTableId === 'rtb-0aa1private000001')!;
    rt.Routes = rt.Routes!.filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0');
    expect(egressSts.run(s).status).toBe('fail');
    expect(egressLambda.run(s).status).toBe('fail');
  });

  it('the network checks report the unread connection as an error naming kafka:DescribeVpcConnection', () => {
    const s = crossAccount();
    s.vpcConnection = { ok: false, source: 'kafka:DescribeVpcConnection', error: { code: 'ForbiddenException', message: 'not authorized', action: 'kafka:DescribeVpcConnection' } };
    const o = sgEgress.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('kafka:DescribeVpcConnection');
  });
});

describe('what lives in the cluster\'s account', () => {
  it.each([
    ['msk.cluster', mskCluster],
    ['msk.bootstrap', mskBootstrap],
    ['auth.mode', authMode],
  ] as const)('%s is a skip that says the cluster is another account\'s', (_id, check) => {
    const o = check.run(crossAccount());
    expect(o.status).toBe('skip');
    expect(`${o.title} ${o.detail}`).toMatch(/another account/);
  });

  it('the whole report is healthy, not unknown', () => {
    const r = diagnoseSnapshot(crossAccount());
    expect(r.findings.filter((f) => f.status === 'error')).toEqual([]);
    expect(r.verdict).toBe('healthy');
  });
});
