import { securityGroupsAdmitting, securityGroupsAllowingEgress } from '../../../../../bot/checks/lib/net/security-groups';
import type { SecurityGroup, Subnet } from '../../../../../bot/model/snapshot';
import { ACCOUNT, CLUSTER_SG, VPC_ID, mskIamHealthy } from '../../../../../scenarios/base';
import { subnets } from '../../network-fixtures';

const ESM_SUBNETS: Subnet[] = subnets(mskIamHealthy());
const SUBNET_C = ESM_SUBNETS[2]!;

function sg(id: string, ingress: SecurityGroup['IpPermissions'], egress: SecurityGroup['IpPermissionsEgress'] = []): SecurityGroup {
  return { GroupId: id, GroupName: id, VpcId: VPC_ID, IpPermissions: ingress, IpPermissionsEgress: egress };
}

describe('securityGroupsAdmitting', () => {
  const esm = { groupIds: [CLUSTER_SG], cidrs: ESM_SUBNETS.map((s) => s.CidrBlock!) };

  it('admits the ESM through a self-referencing rule on the port', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG, UserId: ACCOUNT }] }])], 9098, esm);
    expect(ev.allowed).toBe(true);
    expect(ev.byGroup[0]!.text).toBe(`${CLUSTER_SG} allows tcp 9098 from ${CLUSTER_SG}`);
  });

  it('admits through a reference to another group the ESM carries', () => {
    const other = 'sg-0b2c3d4e5f6a70819';
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: other }] }])], 9098, { ...esm, groupIds: [CLUSTER_SG, other] });
    expect(ev.allowed).toBe(true);
  });

  it('honours protocol -1, protocol "6" and port ranges', () => {
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(true);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: '6', FromPort: 9092, ToPort: 9098, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(true);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9096, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(false);
    expect(securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'udp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: CLUSTER_SG }] }])], 9098, esm).allowed).toBe(false);
  });

  it('does not admit the ESM when 9098 is open only to 10.1.0.0/24 and the ESM subnets are 10.20.x', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.1.0.0/24' }] }])], 9098, esm);
    expect(ev.allowed).toBe(false);
    expect(ev.byCidr.filter((c) => !c.rule).map((c) => c.cidr)).toEqual(['10.20.0.0/20', '10.20.16.0/20', '10.20.32.0/20']);
    expect(ev.onPort[0]!.text).toContain('10.1.0.0/24');
  });

  it('needs every ESM subnet covered: a /19 leaves the third subnet out', () => {
    const ev = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.0.0/19' }] }])], 9098, esm);
    expect(ev.allowed).toBe(false);
    expect(ev.byCidr.find((c) => !c.rule)!.cidr).toBe(SUBNET_C.CidrBlock);
  });

  it('lets several CIDR rules together cover the subnets', () => {
    const ev = securityGroupsAdmitting(
      [sg(CLUSTER_SG, [
        { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.0.0/19' }] },
        { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.20.32.0/20' }] },
      ])],
      9098,
      esm,
    );
    expect(ev.allowed).toBe(true);
  });

  it('reports 0.0.0.0/0 rules and prefix-list rules it cannot judge', () => {
    const open = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])], 9098, esm);
    expect(open.allowed).toBe(true);
    expect(open.openToAll).toHaveLength(1);
    const pl = securityGroupsAdmitting([sg(CLUSTER_SG, [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d4e5f60718' }] }])], 9098, esm);
    expect(pl.allowed).toBe(false);
    expect(pl.prefixLists[0]!.text).toContain('pl-0a1b2c3d4e5f60718');
  });

  it('reads egress rules for securityGroupsAllowingEgress, not ingress', () => {
    const g = sg(CLUSTER_SG, [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
    expect(securityGroupsAllowingEgress([g], 9098, esm).allowed).toBe(false);
    expect(securityGroupsAllowingEgress([g], 443, { groupIds: [], cidrs: ['0.0.0.0/0'] }).allowed).toBe(true);
  });
});
