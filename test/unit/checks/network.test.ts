import { nacl, selfManagedVpc, sgBrokerIngress, sgEgress, subnets as subnetsCheck, checks } from '../../../bot/checks/network';
import type { Snapshot } from '../../../bot/model/snapshot';
import { ACCOUNT, CLUSTER_SG, SM_SECRET_ARN, SM_SG, SM_SUBNETS, SUBNETS, VPC_ID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { ACL_ID, acls, denied, endpoints, group, groups, interfaceEndpoint, endpointSecurityGroup, net, onTheInternet, provisioned, subnets, withEndpointsInsteadOfNat } from './network-fixtures';

const SELF_9098 = `aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port 9098 --source-group ${CLUSTER_SG}`;

function tcp(port: number, peer: { group?: string; cidr?: string; prefixList?: string }) {
  return {
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    UserIdGroupPairs: peer.group ? [{ GroupId: peer.group, UserId: ACCOUNT }] : [],
    IpRanges: peer.cidr ? [{ CidrIp: peer.cidr }] : [],
    Ipv6Ranges: [],
    PrefixListIds: peer.prefixList ? [{ PrefixListId: peer.prefixList }] : [],
  };
}

function withScramSecret(s: Snapshot): Snapshot {
  s.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:AmazonMSK_orders-Ab12Cd` }];
  return s;
}

it('exports the five step-4 checks under their catalogue ids', () => {
  expect(checks.map((c) => [c.id, c.step])).toEqual([
    ['network.sg-broker-ingress', 4],
    ['network.sg-egress', 4],
    ['network.nacl', 4],
    ['network.subnets', 4],
    ['network.self-managed-vpc', 4],
  ]);
});

describe('network.sg-broker-ingress', () => {
  it('passes when the cluster SG admits 9098 from itself', () => {
    const o = sgBrokerIngress.run(mskIamHealthy());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`${CLUSTER_SG} allows tcp 9098 from ${CLUSTER_SG}`);
  });

  it('fails when the cluster SG has no self-referencing rule, with the exact authorize command', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toContain('9098');
    expect(o.resources).toEqual([CLUSTER_SG, ...SUBNETS]);
    expect(o.detail).toContain(`No inbound rule of ${CLUSTER_SG} covers 9098`);
    expect(o.fix).toContain(SELF_9098);
  });

  it('fails when the cluster SG admits 9098 only from 10.1.0.0/24 and the ESM subnet is 10.20.0.0/20', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9098, { cidr: '10.1.0.0/24' })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${CLUSTER_SG} allows tcp 9098 from 10.1.0.0/24`);
    expect(o.detail).toContain(`${SUBNETS[0]} (10.20.0.0/20)`);
    expect(o.fix).toContain(SELF_9098);
  });

  it('fails naming the one subnet a 10.20.0.0/19 rule leaves out', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9098, { cidr: '10.20.0.0/19' })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`Not covered: ${SUBNETS[2]} (10.20.32.0/20)`);
  });

  it('passes when a VPC-wide CIDR covers every ESM subnet', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9098, { cidr: '10.20.0.0/16' })];
    expect(sgBrokerIngress.run(s).status).toBe('pass');
  });

  it('passes with a note when 9098 is open to 0.0.0.0/0, broader than needed', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9098, { cidr: '0.0.0.0/0' })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toMatch(/broader than the ESM needs/);
  });

  it('fails when the self rule is on 9092 but Lambda chooses IAM on 9098, and says the port is wrong', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9092, { group: CLUSTER_SG })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('wrong port for this auth mode');
    expect(o.detail).toContain(`${CLUSTER_SG} allows tcp 9092 from ${CLUSTER_SG}`);
  });

  it('checks 9096 when the ESM has a SASL/SCRAM secret, even if 9098 is open', () => {
    const s = withScramSecret(mskIamHealthy());
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('fail');
    expect(o.fix).toContain(`--protocol tcp --port 9096 --source-group ${CLUSTER_SG}`);
  });

  it('warns instead of failing when only a prefix list could admit the subnets', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissions = [tcp(9098, { prefixList: 'pl-0a1b2c3d4e5f60718' })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toContain('pl-0a1b2c3d4e5f60718');
  });

  it('errors naming ec2:DescribeSecurityGroups when the groups could not be read', () => {
    const s = mskIamHealthy();
    net(s).securityGroups = denied('ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroups');
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('ec2:DescribeSecurityGroups');
  });

  it('errors naming kafka:DescribeClusterV2 when the cluster could not be read', () => {
    const s = mskIamHealthy();
    s.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'ForbiddenException', message: 'not authorized', action: 'kafka:DescribeClusterV2' } };
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('kafka:DescribeClusterV2');
  });

  it('passes for self-managed when the ESM SG admits 9096 from itself, stating the assumption about the brokers', () => {
    const o = sgBrokerIngress.run(selfManagedScramHealthy());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`If the brokers carry ${SM_SG} too`);
  });

  it('warns for self-managed when the ESM SG guards 9096 only from 10.1.0.0/24', () => {
    const s = selfManagedScramHealthy();
    group(s, SM_SG).IpPermissions = [tcp(9096, { cidr: '10.1.0.0/24' })];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('warn');
    expect(o.remedy?.commands).toEqual([`aws ec2 authorize-security-group-ingress --group-id ${SM_SG} --protocol tcp --port 9096 --source-group ${SM_SG} --region eu-west-1`]);
  });

  it('skips for self-managed when the ESM SG has no rule on the broker port, explaining what the brokers\' SG needs', () => {
    const s = selfManagedScramHealthy();
    group(s, SM_SG).IpPermissions = [];
    const o = sgBrokerIngress.run(s);
    expect(o.status).toBe('skip');
    expect(o.detail).toContain(`must admit 9096 from ${SM_SG}`);
  });

  it('skips a self-managed ESM on the internet', () => {
    expect(sgBrokerIngress.run(onTheInternet(selfManagedScramHealthy())).status).toBe('skip');
  });
});

describe('network.sg-egress', () => {
  it('passes with the baseline allow-all egress', () => {
    expect(sgEgress.run(mskIamHealthy()).status).toBe('pass');
  });

  it('fails when egress allows only 443, with the egress command for 9098 to the cluster SG', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissionsEgress = [tcp(443, { cidr: '0.0.0.0/0' })];
    const o = sgEgress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('lets 9098 out to the brokers');
    expect(o.fix).toContain(`aws ec2 authorize-security-group-egress --group-id ${CLUSTER_SG} --ip-permissions 'IpProtocol=tcp,FromPort=9098,ToPort=9098,UserIdGroupPairs=[{GroupId=${CLUSTER_SG}}]'`);
    expect(o.resources).toEqual([CLUSTER_SG]);
  });

  it('fails in on-demand mode when egress is only the self rule and nothing leaves on 443', () => {
    const s = mskIamHealthy();
    group(s, CLUSTER_SG).IpPermissionsEgress = [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: CLUSTER_SG }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }];
    const o = sgEgress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('on-demand mode');
    expect(o.fix).toContain(`--group-id ${CLUSTER_SG} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]'`);
  });

  it('passes the same self-only egress in provisioned mode, where 443 is not needed', () => {
    const s = provisioned(mskIamHealthy());
    group(s, CLUSTER_SG).IpPermissionsEgress = [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: CLUSTER_SG }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }];
    const o = sgEgress.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('provisioned mode');
  });

  it('passes when 443 goes only to the endpoints\' SG and the endpoints exist', () => {
    const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts', 'lambda']);
    group(s, CLUSTER_SG).IpPermissionsEgress = [tcp(9098, { group: CLUSTER_SG }), tcp(443, { group: 'sg-0e9d8c7b6a5f4e3d2' })];
    const o = sgEgress.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('443 to the VPC endpoints');
  });

  it('fails for self-managed when nothing lets 9096 out to the resolved broker addresses', () => {
    const s = selfManagedScramHealthy();
    group(s, SM_SG).IpPermissionsEgress = [tcp(443, { cidr: '0.0.0.0/0' })];
    const o = sgEgress.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('10.20.1.15/32');
    expect(o.fix).toContain(`--group-id ${SM_SG} --ip-permissions 'IpProtocol=tcp,FromPort=9096,ToPort=9096,IpRanges=[{CidrIp=10.20.1.15/32}]'`);
  });

  it('skips a self-managed ESM on the internet', () => {
    expect(sgEgress.run(onTheInternet(selfManagedScramHealthy())).status).toBe('skip');
  });
});

describe('network.nacl', () => {
  it('passes with the default allow-all ACL', () => {
    const o = nacl.run(mskIamHealthy());
    expect(o.status).toBe('pass');
    expect(o.resources).toContain(ACL_ID);
  });

  it('fails when the ACL denies the ephemeral return ports inbound, with a create-network-acl-entry below the deny', () => {
    const s = mskIamHealthy();
    acls(s)[0]!.Entries!.push({ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
    const o = nacl.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toContain(ACL_ID);
    expect(o.detail).toContain(`${ACL_ID} (on ${SUBNETS.join(', ')}): inbound tcp 1024-65535 from`);
    expect(o.detail).toContain('is denied by rule 90 (inbound) denies tcp 1024-65535 from 0.0.0.0/0');
    expect(o.detail).toContain('the brokers\' replies reaching the ESM');
    // one entry covers the broker replies, the 9098 inside that range and the NAT replies
    expect(o.remedy?.summary).toContain('Add allow entries numbered below the blocking rule');
    expect(o.remedy?.commands).toEqual([`aws ec2 create-network-acl-entry --network-acl-id ${ACL_ID} --ingress --rule-number 10 --protocol tcp --port-range From=1024,To=65535 --cidr-block 0.0.0.0/0 --rule-action allow --region eu-west-1`]);
    expect(o.resources).toEqual([ACL_ID, ...SUBNETS]);
  });

  it('passes with a note when a hardening rule denies 3389 from 0.0.0.0/0, inside the reply range', () => {
    const s = mskIamHealthy();
    acls(s)[0]!.Entries!.push({ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 3389, To: 3389 } });
    const o = nacl.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`${ACL_ID} blocks 3389 (rule 50) inside the inbound reply range 1024-65535`);
  });

  it('fails when a custom ACL allows only 32768-65535 for the replies', () => {
    const s = mskIamHealthy();
    acls(s)[0]!.Entries = [
      { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 9098, To: 9098 } },
      { RuleNumber: 110, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 32768, To: 65535 } },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
    ];
    const o = nacl.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('partly denied');
    expect(o.fix).toContain('--ingress --rule-number 120 --protocol tcp --port-range From=1024,To=65535');
  });

  it('fails when the broker subnets\' ACL denies 9098 inbound from the other client subnets', () => {
    const s = mskIamHealthy();
    acls(s)[0]!.Entries!.push({ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 9098, To: 9098 } });
    const o = nacl.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('inbound tcp 9098 from 10.20.0.0/20, 10.20.16.0/20, 10.20.32.0/20 is denied by rule 50');
    expect(o.detail).toContain('brokers accepting the ESM on 9098');
    expect(o.fix).toContain('--ingress --rule-number 10 --protocol tcp --port-range From=9098,To=9098 --cidr-block 10.20.0.0/16 --rule-action allow');
  });

  it('fails in on-demand mode when 443 outbound is denied, and passes the same ACL in provisioned mode', () => {
    const deny443 = (s: Snapshot) => {
      acls(s)[0]!.Entries!.push({ RuleNumber: 80, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } });
      return s;
    };
    const o = nacl.run(deny443(mskIamHealthy()));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('outbound tcp 443 to 0.0.0.0/0 is denied by rule 80');
    expect(o.fix).toContain('--egress --rule-number 10 --protocol tcp --port-range From=443,To=443 --cidr-block 0.0.0.0/0');
    expect(nacl.run(deny443(provisioned(mskIamHealthy()))).status).toBe('pass');
  });

  it('fails for self-managed when the ESM subnet may not send 9096 to the broker in the other subnet', () => {
    const s = selfManagedScramHealthy();
    acls(s)[0]!.Entries!.push({ RuleNumber: 70, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '10.20.16.0/20', PortRange: { From: 9096, To: 9096 } });
    const o = nacl.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${ACL_ID} (on ${SM_SUBNETS[0]}): outbound tcp 9096 to 10.20.17.22/32 is denied by rule 70`);
    expect(o.fix).toContain('--egress --rule-number 10 --protocol tcp --port-range From=9096,To=9096 --cidr-block 10.20.17.22/32');
  });

  it('errors naming ec2:DescribeNetworkAcls when the ACLs could not be read', () => {
    const s = mskIamHealthy();
    net(s).networkAcls = denied('ec2:DescribeNetworkAcls', 'ec2:DescribeNetworkAcls');
    const o = nacl.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('ec2:DescribeNetworkAcls');
  });

  it('skips a self-managed ESM on the internet', () => {
    expect(nacl.run(onTheInternet(selfManagedScramHealthy())).status).toBe('skip');
  });
});

describe('network.subnets', () => {
  it('passes with three healthy subnets', () => {
    const o = subnetsCheck.run(mskIamHealthy());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('3 subnets in vpc-0c1d2e3f4a5b6c7d8');
  });

  it('fails when a subnet has 0 free IP addresses', () => {
    const s = mskIamHealthy();
    subnets(s)[1]!.AvailableIpAddressCount = 0;
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${SUBNETS[1]} (10.20.16.0/20) has no free IP address left`);
    expect(o.resources).toEqual(SUBNETS);
  });

  it('warns when a subnet has fewer than 10 free IP addresses', () => {
    const s = mskIamHealthy();
    subnets(s)[2]!.AvailableIpAddressCount = 7;
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toContain('only 7 free IP addresses');
  });

  it('fails for a subnet in use1-az3', () => {
    const s = mskIamHealthy();
    Object.assign(subnets(s)[0]!, { AvailabilityZone: 'us-east-1c', AvailabilityZoneId: 'use1-az3' });
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${SUBNETS[0]} is in us-east-1c (AZ id use1-az3)`);
  });

  it('fails when a configured subnet is missing from DescribeSubnets', () => {
    const s = mskIamHealthy();
    net(s).subnets = { ok: true, source: 'ec2:DescribeSubnets', value: subnets(s).slice(0, 2) };
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe(`Subnet ${SUBNETS[2]} does not exist`);
    expect(o.resources).toEqual([SUBNETS[2]]);
  });

  it('fails when DescribeSubnets answers InvalidSubnetID.NotFound', () => {
    const s = selfManagedScramHealthy();
    net(s).subnets = { ok: false, source: 'ec2:DescribeSubnets', error: { code: 'InvalidSubnetID.NotFound', message: `The subnet ID '${SM_SUBNETS[1]}' does not exist`, action: 'ec2:DescribeSubnets' } };
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('fail');
    expect(o.resources).toEqual([SM_SUBNETS[1]]);
    expect(o.fix).toContain(`aws lambda update-event-source-mapping --uuid ${s.esm.UUID}`);
    expect(o.fix).toContain(`"URI":"subnet:${SM_SUBNETS[0]}"`);
    expect(o.fix).toContain(`"URI":"${SM_SECRET_ARN}"`);
  });

  it('fails when the subnets are in different VPCs', () => {
    const s = mskIamHealthy();
    subnets(s)[2]!.VpcId = 'vpc-0f9e8d7c6b5a43210';
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${SUBNETS[2]} in vpc-0f9e8d7c6b5a43210`);
  });

  it('errors naming ec2:DescribeSubnets when access is denied', () => {
    const s = mskIamHealthy();
    net(s).subnets = denied('ec2:DescribeSubnets', 'ec2:DescribeSubnets');
    const o = subnetsCheck.run(s);
    expect(o.status).toBe('error');
    expect(o.fix).toContain('ec2:DescribeSubnets');
  });

  it('skips a self-managed ESM on the internet', () => {
    expect(subnetsCheck.run(onTheInternet(selfManagedScramHealthy())).status).toBe('skip');
  });
});

describe('network.self-managed-vpc', () => {
  it('skips an MSK ESM', () => {
    expect(selfManagedVpc.run(mskIamHealthy()).status).toBe('skip');
  });

  it('passes with subnets and a security group in one VPC', () => {
    const o = selfManagedVpc.run(selfManagedScramHealthy());
    expect(o.status).toBe('pass');
    expect(o.resources).toEqual([...SM_SUBNETS, SM_SG]);
  });

  it('passes on the internet, saying the brokers must be publicly reachable', () => {
    const o = selfManagedVpc.run(onTheInternet(selfManagedScramHealthy()));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('over the internet');
    expect(o.detail).toContain('publicly reachable');
  });

  it('fails with VPC_SUBNET but no VPC_SECURITY_GROUP', () => {
    const s = selfManagedScramHealthy();
    s.esm.SourceAccessConfigurations = s.esm.SourceAccessConfigurations!.filter((c) => c.Type !== 'VPC_SECURITY_GROUP');
    const o = selfManagedVpc.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('The ESM has VPC_SUBNET but no VPC_SECURITY_GROUP');
    // Which group to add is the reader's choice: the remedy says what to add, with no placeholder command.
    expect(o.remedy).toEqual({ summary: expect.stringContaining('VPC_SECURITY_GROUP entries') });
  });

  it('fails with VPC_SECURITY_GROUP but no VPC_SUBNET', () => {
    const s = selfManagedScramHealthy();
    s.esm.SourceAccessConfigurations = s.esm.SourceAccessConfigurations!.filter((c) => c.Type !== 'VPC_SUBNET');
    const o = selfManagedVpc.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('The ESM has VPC_SECURITY_GROUP but no VPC_SUBNET');
    expect(o.resources).toEqual([SM_SG]);
  });

  it('fails when the subnets are in different VPCs', () => {
    const s = selfManagedScramHealthy();
    subnets(s)[1]!.VpcId = 'vpc-0f9e8d7c6b5a43210';
    const o = selfManagedVpc.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${SM_SUBNETS[1]} in vpc-0f9e8d7c6b5a43210`);
  });

  it('fails when the security group belongs to another VPC', () => {
    const s = selfManagedScramHealthy();
    group(s, SM_SG).VpcId = 'vpc-0f9e8d7c6b5a43210';
    const o = selfManagedVpc.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`${SM_SG} is in vpc-0f9e8d7c6b5a43210`);
  });

  it('errors naming ec2:DescribeSubnets when the subnets could not be read', () => {
    const s = selfManagedScramHealthy();
    net(s).subnets = denied('ec2:DescribeSubnets', 'ec2:DescribeSubnets');
    expect(selfManagedVpc.run(s).status).toBe('error');
  });
});

// keep the fixture helpers honest
it('builds endpoint fixtures in the baseline VPC', () => {
  const s = withEndpointsInsteadOfNat(mskIamHealthy(), ['sts']);
  expect(endpoints(s)[0]).toMatchObject({ VpcId: VPC_ID, ServiceName: 'com.amazonaws.eu-west-1.sts' });
  expect(groups(s).map((g) => g.GroupId)).toContain(endpointSecurityGroup().GroupId);
  expect(interfaceEndpoint('lambda').VpcEndpointId).toBe('vpce-0a1b2c3d4e5f60002');
});
