/**
 * lib/net/flows.ts (a conversation as NACL flows, judged once, grouped, fixed), lib/net/vpc.ts (which
 * table or ACL applies to a subnet) and lib/aws-egress.ts (where the ESM's AWS calls go).
 */
import { FlowCollector, blockedText, groupBlocked, naclFixes } from '../../../../bot/checks/lib/net/flows';
import { appliesToSubnet } from '../../../../bot/checks/lib/net/vpc';
import { endpointCidrs } from '../../../../bot/checks/lib/net/endpoints';
import { awsEndpointTargets, awsServicesCalled } from '../../../../bot/checks/lib/aws-egress';
import type { NetworkAcl, Snapshot, Subnet } from '../../../../bot/model/snapshot';
import { REGION, SUBNETS, VPC_ID, mskIamHealthy, selfManagedScramHealthy } from '../../../../scenarios/base';
import { ENDPOINT_SG, endpoints, interfaceEndpoint, subnets } from '../network-fixtures';

const A: Subnet = { SubnetId: 'subnet-0a11aa11aa11aa111', VpcId: VPC_ID, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'eu-west-1a' };
const B: Subnet = { SubnetId: 'subnet-0b22bb22bb22bb222', VpcId: VPC_ID, CidrBlock: '10.20.2.0/24', AvailabilityZone: 'eu-west-1b' };

function acl(id: string, extra: NetworkAcl['Entries'] = [], associations: string[] = [], isDefault = false): NetworkAcl {
  return {
    NetworkAclId: id,
    VpcId: VPC_ID,
    IsDefault: isDefault,
    Associations: associations.map((s, i) => ({ SubnetId: s, NetworkAclId: id, NetworkAclAssociationId: `aclassoc-0${i}` })),
    Entries: [
      ...extra!,
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
    ],
  };
}

describe('FlowCollector', () => {
  it('makes a conversation two flows at the client (request out, replies in) and two at the server', () => {
    const flows = new FlowCollector([acl('acl-0d1', [], [], true)], VPC_ID);
    flows.client(A, B.CidrBlock!, { from: 9098, to: 9098 }, 'request', 'replies');
    flows.server(B, A.CidrBlock!, { from: 9098, to: 9098 }, 'accept', 'replies out');
    expect(flows.flows.map((f) => [f.subnet.SubnetId, f.query.direction, `${f.query.ports.from}-${f.query.ports.to}`, f.query.cidr])).toEqual([
      [A.SubnetId, 'egress', '9098-9098', '10.20.2.0/24'],
      [A.SubnetId, 'ingress', '1024-65535', '10.20.2.0/24'],
      [B.SubnetId, 'ingress', '9098-9098', '10.20.1.0/24'],
      [B.SubnetId, 'egress', '1024-65535', '10.20.1.0/24'],
    ]);
    expect(flows.judge()).toEqual({ blocked: [], vagueBlocked: [] });
    expect(flows.aclIds()).toEqual(['acl-0d1']);
  });

  it('notes a subnet whose VPC has no ACL in the snapshot instead of inventing a flow', () => {
    const flows = new FlowCollector([], VPC_ID);
    flows.client(A, '0.0.0.0/0', { from: 443, to: 443 }, 'out', 'back');
    expect(flows.flows).toHaveLength(0);
    expect(flows.notes[0]).toContain(`no network ACL is associated with ${A.SubnetId}`);
  });

  it('blocks the replies that a low deny rule drops, names the rule and proposes an allow numbered below it', () => {
    const blocking = acl('acl-0e2', [{ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } }], [A.SubnetId]);
    const flows = new FlowCollector([blocking], VPC_ID);
    flows.client(A, B.CidrBlock!, { from: 9098, to: 9098 }, 'the ESM reaching brokers', 'the brokers\' replies');
    const { blocked, vagueBlocked } = flows.judge();
    expect(vagueBlocked).toEqual([]);
    const groups = groupBlocked(blocked);
    expect(groups).toHaveLength(1);
    expect(blockedText(groups[0]!)).toContain('is denied by rule 90 (inbound) denies tcp 1024-65535 from 0.0.0.0/0');
    const [command] = naclFixes(groups, ['10.20.0.0/16'], REGION);
    expect(command).toContain('--network-acl-id acl-0e2');
    expect(command).toContain('--ingress');
    expect(command).toMatch(/--rule-number ([1-8]\d|\d)\b/);
  });

  it('turns a partial answer for a vague far side into a caution and a few blocked reply ports into a note', () => {
    const partial = acl('acl-0f3', [{ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '10.0.0.0/8', PortRange: { From: 9092, To: 9092 } }], [A.SubnetId]);
    const flows = new FlowCollector([partial], VPC_ID);
    flows.client(A, '0.0.0.0/0', { from: 9092, to: 9092 }, 'somewhere', 'replies', true);
    expect(flows.judge().vagueBlocked).toHaveLength(1);

    const hardened = acl('acl-0f4', [{ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 3389, To: 3389 } }], [A.SubnetId]);
    const replies = new FlowCollector([hardened], VPC_ID);
    replies.client(A, B.CidrBlock!, { from: 9098, to: 9098 }, 'out', 'replies');
    expect(replies.judge()).toEqual({ blocked: [], vagueBlocked: [] });
    expect(replies.notes.join(' ')).toContain('acl-0f4 blocks 3389 (rule 50) inside the inbound reply range 1024-65535');
  });
});

describe('appliesToSubnet', () => {
  it('takes the associated object, else the VPC\'s fallback, and ignores other VPCs', () => {
    const def = acl('acl-0def', [], [], true);
    const own = acl('acl-0own', [], [A.SubnetId]);
    const foreign = { ...acl('acl-0far', [], [B.SubnetId]), VpcId: 'vpc-0ffff0000ffff0000' };
    expect(appliesToSubnet([def, own, foreign], A.SubnetId, VPC_ID, (a) => a.IsDefault === true)).toEqual({ item: own, explicit: true });
    expect(appliesToSubnet([def, own, foreign], B.SubnetId, VPC_ID, (a) => a.IsDefault === true)).toEqual({ item: def, explicit: false });
    expect(appliesToSubnet([own], B.SubnetId, VPC_ID, (a) => a.IsDefault === true)).toBeUndefined();
  });
});

describe('where the ESM\'s AWS calls go', () => {
  it('calls Secrets Manager only when the ESM uses a secret', () => {
    expect(awsServicesCalled(mskIamHealthy())).toEqual(['sts', 'lambda']);
    expect(awsServicesCalled(selfManagedScramHealthy())).toEqual(['sts', 'lambda', 'secretsmanager']);
  });

  it('lists the interface endpoints of the services called, with their groups and subnet blocks', () => {
    const s: Snapshot = mskIamHealthy();
    endpoints(s).push(interfaceEndpoint('sts'), interfaceEndpoint('secretsmanager'), interfaceEndpoint('lambda', { SubnetIds: [SUBNETS[0]!] }));
    const targets = awsEndpointTargets(s, VPC_ID);
    expect(targets.map((t) => t.endpoint.ServiceName)).toEqual([`com.amazonaws.${REGION}.sts`, `com.amazonaws.${REGION}.lambda`]);
    expect(targets[0]!.groupIds).toEqual([ENDPOINT_SG]);
    expect(targets[0]!.cidrs).toEqual(subnets(s).map((x) => x.CidrBlock));
    expect(targets[1]!.cidrs).toEqual([subnets(s)[0]!.CidrBlock]);
  });

  it('places an endpoint with an unknown subnet anywhere in the VPC', () => {
    const ep = interfaceEndpoint('sts', { SubnetIds: [SUBNETS[0]!, 'subnet-0999999999999999a'] });
    expect(endpointCidrs(ep, [A], ['10.20.0.0/16'])).toEqual(['10.20.0.0/16']);
    expect(endpointCidrs(interfaceEndpoint('sts', { SubnetIds: [SUBNETS[0]!] }), [A], ['10.20.0.0/16'])).toEqual([A.CidrBlock]);
  });
});
