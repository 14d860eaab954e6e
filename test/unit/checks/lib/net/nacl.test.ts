import { collapseCidrs } from '../../../../../bot/checks/lib/net/cidr';
import { createNaclEntryCommand, freeRuleNumberBefore, naclAllows, naclBlockedPortCount, naclPortSegments, networkAclOf } from '../../../../../bot/checks/lib/net/nacl';
import type { NetworkAcl } from '../../../../../bot/model/snapshot';
import { SUBNETS, VPC_ID, mskIamHealthy } from '../../../../../scenarios/base';
import { acls } from '../../network-fixtures';

describe('network ACLs', () => {
  const base = (): NetworkAcl => acls(mskIamHealthy())[0]!;
  const ephemeralIn = { direction: 'ingress' as const, ports: { from: 1024, to: 65535 }, cidr: '10.20.16.0/20' };

  it('finds the subnet\'s ACL, else the default', () => {
    const acl = base();
    expect(networkAclOf(SUBNETS[0]!, [acl])).toMatchObject({ association: 'explicit' });
    expect(networkAclOf('subnet-0f77ff77ff77ff777', [acl])).toMatchObject({ association: 'default' });
  });

  it('allows everything with the default ACL', () => {
    expect(naclAllows(base(), ephemeralIn).verdict).toBe('allow');
  });

  it('denies the ephemeral return ports when a lower rule denies them', () => {
    const acl = base();
    acl.Entries!.push({ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
    const v = naclAllows(acl, ephemeralIn);
    expect(v).toMatchObject({ verdict: 'deny', entry: { RuleNumber: 90 } });
  });

  it('lets the first matching rule win: an allow at 80 beats a deny at 90', () => {
    const acl = base();
    acl.Entries!.push(
      { RuleNumber: 80, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 1024, To: 65535 } },
      { RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } },
    );
    expect(naclAllows(acl, ephemeralIn).verdict).toBe('allow');
  });

  it('reports partial when only 32768-65535 of the ephemeral range is allowed', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      VpcId: VPC_ID,
      IsDefault: false,
      Entries: [
        { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.20.0.0/16', PortRange: { From: 32768, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclAllows(acl, ephemeralIn)).toMatchObject({ verdict: 'partial' });
  });

  it('ignores UDP rules and rules of the other direction', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      Entries: [
        { RuleNumber: 100, Protocol: '17', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 0, To: 65535 } },
        { RuleNumber: 110, Protocol: '6', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 0, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclAllows(acl, ephemeralIn)).toMatchObject({ verdict: 'deny', entry: { RuleNumber: 32767 } });
  });

  it('measures how much of a range is blocked: a 3389 deny is one port of the reply range', () => {
    const acl = base();
    acl.Entries!.push({ RuleNumber: 50, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 3389, To: 3389 } });
    expect(naclAllows(acl, ephemeralIn).verdict).toBe('partial');
    expect(naclBlockedPortCount(acl, ephemeralIn)).toBe(1);
    expect(naclPortSegments(acl, ephemeralIn).map((x) => [x.ports.from, x.ports.to, x.verdict])).toEqual([
      [1024, 3388, 'allow'],
      [3389, 3389, 'deny'],
      [3390, 65535, 'allow'],
    ]);
  });

  it('counts the whole lower half blocked when only 32768-65535 is allowed', () => {
    const acl: NetworkAcl = {
      NetworkAclId: 'acl-0b2c3d4e5f6a70819',
      Entries: [
        { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 32768, To: 65535 } },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      ],
    };
    expect(naclBlockedPortCount(acl, ephemeralIn)).toBe(32768 - 1024);
  });

  it('collapses proposed CIDRs to 0.0.0.0/0 or the VPC block', () => {
    expect(collapseCidrs(['10.20.0.0/20', '10.20.16.0/20'], ['10.20.0.0/16'])).toEqual(['10.20.0.0/16']);
    expect(collapseCidrs(['10.20.0.0/20', '0.0.0.0/0'], ['10.20.0.0/16'])).toEqual(['0.0.0.0/0']);
    expect(collapseCidrs(['10.20.1.15/32', '10.20.0.0/20'])).toEqual(['10.20.0.0/20']);
  });

  it('never promises the same rule number twice', () => {
    const acl = base();
    const taken = new Set<number>();
    const a = createNaclEntryCommand(acl, ephemeralIn, 32767, taken, 'eu-west-1');
    const b = createNaclEntryCommand(acl, { ...ephemeralIn, cidr: '10.20.32.0/20' }, 32767, taken, 'eu-west-1');
    expect(a).toContain('--rule-number 110');
    expect(b).toContain('--rule-number 109');
  });

  it('picks a free rule number below the blocking one and writes the command', () => {
    const acl = base();
    expect(freeRuleNumberBefore(acl, false, 32767)).toBe(110);
    acl.Entries!.push({ RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
    expect(freeRuleNumberBefore(acl, false, 90)).toBe(10);
    expect(createNaclEntryCommand(acl, ephemeralIn, 90, new Set(), 'eu-west-1')).toBe(
      'aws ec2 create-network-acl-entry --network-acl-id acl-0a1b2c3d4e5f60718 --ingress --rule-number 10 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.20.16.0/20 --rule-action allow --region eu-west-1',
    );
  });
});
