/**
 * Issue 11, item 8: the schema registry is reachable from the ESM's network position. A Glue registry
 * is an AWS API (glue.<region>.amazonaws.com: a NAT path or a com.amazonaws.<region>.glue interface
 * endpoint); a Confluent registry is a host:port the ESM's security groups and network ACLs must let
 * it reach.
 */
import { schemaRegistryReachable } from '../../../bot/checks/schema-registry';
import type { Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_SG, REGION, SUBNETS, VPC_ID, selfManagedScramHealthy } from '../../../scenarios/base';
import { SCENARIOS } from '../../../scenarios';
import { FULL_ACCESS_POLICY, acls, endpoints, group, routeTables } from './network-fixtures';

function scenario(id: string): Snapshot {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s.snapshot();
}

function withoutDefaultRoute(s: Snapshot): Snapshot {
  const rt = routeTables(s).find((t) => t.RouteTableId === 'rtb-0aa1private000001')!;
  rt.Routes = rt.Routes!.filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0');
  return s;
}

function withRegistry(s: Snapshot, uri: string): Snapshot {
  s.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: s.esm.UUID, SchemaRegistryConfig: { SchemaRegistryURI: uri, EventRecordFormat: 'JSON' } };
  return s;
}

describe('schema-registry.reachable: Glue registry', () => {
  it('passes when the ESM subnets route to a NAT gateway', () => {
    const o = schemaRegistryReachable.run(scenario('msk-glue-registry-healthy'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`glue.${REGION}.amazonaws.com`);
  });

  it('warns when no subnet has a NAT route or a glue endpoint, with the endpoint to create', () => {
    const s = withoutDefaultRoute(scenario('msk-glue-registry-healthy'));
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('warn');
    expect(o.remedy?.commands?.join('\n')).toContain(`--service-name com.amazonaws.${REGION}.glue`);
  });

  it('passes through a com.amazonaws.<region>.glue interface endpoint with private DNS, without NAT', () => {
    const s = withoutDefaultRoute(scenario('msk-glue-registry-healthy'));
    endpoints(s).push({
      VpcEndpointId: 'vpce-0glue1a2b3c4d5e6f',
      VpcEndpointType: 'Interface',
      VpcId: VPC_ID,
      ServiceName: `com.amazonaws.${REGION}.glue`,
      State: 'available',
      PolicyDocument: FULL_ACCESS_POLICY,
      PrivateDnsEnabled: true,
      SubnetIds: SUBNETS,
      Groups: [{ GroupId: CLUSTER_SG, GroupName: 'orders-prod-msk' }],
      RouteTableIds: [],
    });
    group(s, CLUSTER_SG).IpPermissions!.push({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] });
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('vpce-0glue1a2b3c4d5e6f');
  });

  it('passes for an ESM on the internet: Lambda calls Glue from its own network', () => {
    const s = selfManagedScramHealthy();
    s.esm.SourceAccessConfigurations = s.esm.SourceAccessConfigurations!.filter((c) => c.Type !== 'VPC_SUBNET' && c.Type !== 'VPC_SECURITY_GROUP');
    s.network = undefined;
    s.esm.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 3 };
    s.esm.SelfManagedKafkaEventSourceConfig = { SchemaRegistryConfig: { SchemaRegistryURI: `arn:aws:glue:${REGION}:123456789012:registry/clicks` } };
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toMatch(/own network/);
  });
});

describe('schema-registry.reachable: Confluent registry', () => {
  it('passes when the ESM groups and ACLs let 8081 out to the registry address', () => {
    const o = schemaRegistryReachable.run(scenario('msk-confluent-registry-healthy'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('10.20.64.15');
    expect(o.detail).toContain('8081');
  });

  it('fails when the ESM group lets only 9098 and 443 out, with the egress rule to the registry', () => {
    const o = schemaRegistryReachable.run(scenario('msk-confluent-registry-blocked'));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('8081');
    expect(o.remedy?.commands).toEqual([
      `aws ec2 authorize-security-group-egress --group-id ${CLUSTER_SG} --ip-permissions 'IpProtocol=tcp,FromPort=8081,ToPort=8081,IpRanges=[{CidrIp=10.20.64.15/32}]' --region ${REGION}`,
    ]);
  });

  it('fails when a network ACL denies 8081 out of the ESM subnets', () => {
    const s = scenario('msk-confluent-registry-healthy');
    const acl = acls(s)[0]!;
    acl.Entries = [{ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '10.20.64.0/20', PortRange: { From: 8000, To: 8999 } }, ...(acl.Entries ?? [])];
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('acl-');
  });

  it('says the host was not resolved and judges the port against rules open to anywhere', () => {
    const s = withRegistry(scenario('msk-confluent-registry-healthy'), 'https://schema-registry.orders.internal:8081');
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toMatch(/not resolved/);
    // Only 443 allowed out: 8081 cannot leave for anywhere.
    const tight = withRegistry(scenario('msk-confluent-registry-blocked'), 'https://schema-registry.orders.internal:8081');
    const blocked = schemaRegistryReachable.run(tight);
    expect(blocked.status).toBe('fail');
    expect(blocked.detail).toMatch(/not resolved/);
  });

  it('uses 443 for an https URL without a port, which the 443 rule lets out', () => {
    const s = withRegistry(scenario('msk-confluent-registry-blocked'), 'https://psrc-abc12.eu-west-1.aws.confluent.cloud');
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('443');
  });

  it('warns when a public registry would need a NAT route the subnets do not have', () => {
    const s = withoutDefaultRoute(withRegistry(scenario('msk-confluent-registry-healthy'), 'https://52.16.10.20:8081'));
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('warn');
    expect(o.detail).toMatch(/NAT/);
  });
});

describe('schema-registry.reachable: does not apply', () => {
  it('skips an ESM without a schema registry', () => {
    expect(schemaRegistryReachable.run(scenario('msk-iam-healthy')).status).toBe('skip');
  });

  it('skips an on-demand ESM (schema-registry.access reports that a registry needs provisioned mode)', () => {
    const s = scenario('msk-confluent-registry-healthy');
    delete s.esm.ProvisionedPollerConfig;
    expect(schemaRegistryReachable.run(s).status).toBe('skip');
  });

  it('is an error naming the call when the security groups could not be read', () => {
    const s = scenario('msk-confluent-registry-healthy');
    s.network!.securityGroups = { ok: false, source: 'ec2:DescribeSecurityGroups', error: { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', action: 'ec2:DescribeSecurityGroups' } };
    const o = schemaRegistryReachable.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('ec2:DescribeSecurityGroups');
  });
});
