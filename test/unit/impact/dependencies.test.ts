import { SCENARIOS } from '../../../scenarios/index';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { dependenciesOf, dependentsOf, indexDependencies } from '../../../bot/impact/dependencies';
import { judge } from '../../../bot/impact/run';
import { keysOf } from '../../../bot/impact/resources';
import type { Snapshot } from '../../../bot/model/snapshot';

const scenario = (id: string): Snapshot => SCENARIOS.find((s) => s.id === id)!.snapshot();

describe('what a diagnosis depends on', () => {
  const deps = dependenciesOf(scenario('msk-iam-healthy'));

  it('names the cluster, its SG and subnets, the subnets\' route table, NAT gateway and NACL, the role and the function', () => {
    expect(deps.keys).toEqual(
      expect.arrayContaining([
        'sg-0a1b2c3d4e5f60718',
        'subnet-0a11aa11aa11aa111',
        'rtb-0aa1private000001',
        'rtbassoc-0aa10',
        'nat-0e55ee55ee55ee555',
        'acl-0a1b2c3d4e5f60718',
        'role/orders-consumer-role',
        'function/orders-consumer',
        'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3',
      ]),
    );
  });

  it('places a cross-account ESM by its VPC connection: the connection\'s group and subnets, their route table and NAT gateway', () => {
    const keys = dependenciesOf(scenario('msk-cross-account-available')).keys;
    expect(keys).toEqual(expect.arrayContaining(['sg-0c4d5e6f7a8b9c0d1', 'subnet-0a11aa11aa11aa111', 'rtb-0aa1private000001', 'nat-0e55ee55ee55ee555', 'acl-0a1b2c3d4e5f60718']));
    const withoutConnection = { ...scenario('msk-cross-account-available'), vpcConnection: undefined };
    expect(dependenciesOf(withoutConnection).keys).not.toContain('sg-0c4d5e6f7a8b9c0d1');
  });

  it('names the secret by its name, whichever ARN suffix the ESM wrote', () => {
    expect(dependenciesOf(scenario('msk-scram-secret-missing')).keys).toContain('secret/AmazonMSK_orders-consumer');
  });

  it('leaves out a route table no ESM subnet uses', () => {
    const s = scenario('msk-iam-healthy');
    const tables = s.network!.routeTables!;
    if (!tables.ok) throw new Error('fixture');
    const other = { RouteTableId: 'rtb-0ffffffffffffffff', Associations: [{ SubnetId: 'subnet-0dddddddddddddddd', RouteTableAssociationId: 'rtbassoc-0fff' }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0fffffffffffffff0' }] };
    const withOther = { ...s, network: { ...s.network!, routeTables: { ...tables, value: [...tables.value, other] } } };
    const keys = dependenciesOf(withOther).keys;
    expect(keys).not.toContain('rtb-0ffffffffffffffff');
    expect(keys).not.toContain('nat-0fffffffffffffff0');
  });

  it('finds the dependents of a resource given as an id, an ARN or a bare name', () => {
    const a = dependenciesOf(scenario('msk-iam-healthy'));
    const b = { ...dependenciesOf(scenario('self-managed-scram-healthy')) };
    const index = indexDependencies([a, b]);
    expect(dependentsOf(index, keysOf('sg-0a1b2c3d4e5f60718')).map((d) => d.uuid)).toEqual([a.uuid]);
    expect(dependentsOf(index, keysOf('arn:aws:iam::123456789012:role/service-role/orders-consumer-role')).map((d) => d.uuid)).toContain(a.uuid);
    expect(dependentsOf(index, keysOf('orders-consumer-role')).map((d) => d.uuid)).toContain(a.uuid);
    expect(dependentsOf(index, keysOf('sg-0000000000000dead'))).toEqual([]);
  });
});

describe('broken by the change', () => {
  it('is broken when a failing check names the resource the call touched, with that check as the cause', () => {
    const report = diagnoseSnapshot(scenario('msk-sg-missing-self-rule'));
    expect(judge(report, new Set(['sg-0a1b2c3d4e5f60718']))).toEqual({ broken: true, cause: 'network.sg-broker-ingress', findings: ['network.sg-broker-ingress'] });
  });

  it('is not broken by a change to a resource no failing check names, even when the ESM fails for another reason', () => {
    const report = diagnoseSnapshot(scenario('msk-sg-missing-self-rule'));
    expect(judge(report, new Set(['role/orders-consumer-role']))).toEqual({ broken: false, findings: [] });
  });

  it('matches a role change (roleName in the event) to iam.execution-role (role ARN in the finding)', () => {
    const report = diagnoseSnapshot(scenario('msk-role-missing-kafka-cluster'));
    expect(judge(report, new Set(keysOf('orders-consumer-role').slice(0, 1)))).toMatchObject({ broken: true, cause: 'iam.execution-role' });
  });

  it('is not broken when the ESM is healthy', () => {
    expect(judge(diagnoseSnapshot(scenario('msk-iam-healthy')), new Set(['sg-0a1b2c3d4e5f60718'])).broken).toBe(false);
  });
});
