import { SCENARIOS } from '../../../scenarios/index';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { before, changeLine, culprits, parseWindow, toChanges } from '../../../bot/impact/changes';
import { renderText } from '../../../bot/render/text';
import { renderMarkdown } from '../../../bot/render/markdown';
import type { TrailEvent } from '../../../bot/collect/cloudtrail';
import type { Fact } from '../../../bot/model/snapshot';

const report = () => diagnoseSnapshot(SCENARIOS.find((s) => s.id === 'msk-sg-missing-self-rule')!.snapshot());

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/platform-admin/jane';
/** LookupEvents' Events[] entry, as the API returns it (CloudTrailEvent is the whole event as JSON text). */
const revoke: TrailEvent = {
  EventId: '3f1c9a52-6a0e-4f55-9d0e-1b2c3d4e5f60',
  EventName: 'RevokeSecurityGroupIngress',
  ReadOnly: 'false',
  AccessKeyId: 'ASIAEXAMPLE',
  EventTime: '2026-12-06T09:48:02.000Z',
  EventSource: 'ec2.amazonaws.com',
  Username: 'jane',
  Resources: [{ ResourceType: 'AWS::EC2::SecurityGroup', ResourceName: 'sg-0a1b2c3d4e5f60718' }],
  CloudTrailEvent: JSON.stringify({ eventVersion: '1.09', userIdentity: { type: 'AssumedRole', arn: PRINCIPAL }, eventName: 'RevokeSecurityGroupIngress' }),
};
const describe_: TrailEvent = { ...revoke, EventId: 'b', EventName: 'DescribeSecurityGroups', ReadOnly: 'true' };
const ok = (value: TrailEvent[]): Fact<TrailEvent[]> => ({ ok: true, source: 'cloudtrail:LookupEvents', value });
const denied: Fact<TrailEvent[]> = { ok: false, source: 'cloudtrail:LookupEvents', error: { code: 'AccessDeniedException', message: 'no', action: 'cloudtrail:LookupEvents' } };
const throttled: Fact<TrailEvent[]> = { ok: false, source: 'cloudtrail:LookupEvents', error: { code: 'ThrottlingException', message: 'Rate exceeded', action: 'cloudtrail:LookupEvents' } };

describe('Report.changes', () => {
  it('looks up the cause\'s resources first, leaves out the ESM itself, and stops at a handful', () => {
    const names = culprits(report());
    expect(names[0]).toBe('sg-0a1b2c3d4e5f60718');
    expect(names.some((n) => n.includes('event-source-mapping'))).toBe(false);
    expect(names.length).toBeLessThanOrEqual(4);
  });

  it('looks a role up by its name, the way event history indexes it', () => {
    const r = diagnoseSnapshot(SCENARIOS.find((s) => s.id === 'msk-role-missing-kafka-cluster')!.snapshot());
    expect(culprits(r)[0]).toBe('orders-consumer-role');
  });

  it('keeps write calls only, once each, newest first, with the principal from the event', () => {
    const older = { ...revoke, EventId: 'c', EventName: 'AuthorizeSecurityGroupIngress', EventTime: '2026-12-05T10:00:00.000Z' };
    const out = toChanges([
      { resource: 'sg-0a1b2c3d4e5f60718', fact: ok([older, describe_, revoke]) },
      { resource: 'subnet-0a11aa11aa11aa111', fact: ok([revoke]) },
    ]);
    expect(out.note).toBeUndefined();
    expect(out.changes).toEqual([
      { time: '2026-12-06T09:48:02.000Z', event: 'RevokeSecurityGroupIngress', resource: 'sg-0a1b2c3d4e5f60718', principal: PRINCIPAL, source: 'cloudtrail' },
      { time: '2026-12-05T10:00:00.000Z', event: 'AuthorizeSecurityGroupIngress', resource: 'sg-0a1b2c3d4e5f60718', principal: PRINCIPAL, source: 'cloudtrail' },
    ]);
  });

  it('has no section and a note naming the permission when LookupEvents is denied', () => {
    const out = toChanges([{ resource: 'sg-1', fact: denied }]);
    expect(out.changes).toBeUndefined();
    expect(out.note).toMatch(/not shown: cloudtrail:LookupEvents answered AccessDeniedException \(grant cloudtrail:LookupEvents/);
  });

  it('keeps what it found and notes the gap when one lookup was throttled', () => {
    const out = toChanges([{ resource: 'sg-0a1b2c3d4e5f60718', fact: ok([revoke]) }, { resource: 'subnet-1', fact: throttled }]);
    expect(out.changes).toHaveLength(1);
    expect(out.note).toMatch(/may be incomplete: cloudtrail:LookupEvents was throttled/);
  });

  it('says how long before the failure, in the on-call engineer\'s words', () => {
    expect(before('2026-12-06T09:48:02Z', '2026-12-06T10:00:02Z')).toBe('12 min');
    expect(before('2026-12-06T07:00:00Z', '2026-12-06T10:05:00Z')).toBe('3 h 5 min');
    expect(changeLine({ time: '2026-12-06T09:48:02Z', event: 'RevokeSecurityGroupIngress', resource: 'sg-0a1b2c3d4e5f60718', principal: PRINCIPAL, source: 'cloudtrail' }, '2026-12-06T10:00:02Z')).toBe(
      `Changed 12 min before the failure: RevokeSecurityGroupIngress on sg-0a1b2c3d4e5f60718 by ${PRINCIPAL}`,
    );
  });

  it('is rendered in text and markdown, and a denied lookup only as a note', () => {
    const base = report();
    const withChange = { ...base, startedAt: '2026-12-06T10:00:02Z', changes: [{ time: '2026-12-06T09:48:02Z', event: 'RevokeSecurityGroupIngress', resource: 'sg-0a1b2c3d4e5f60718', principal: PRINCIPAL, source: 'cloudtrail' as const }] };
    expect(renderText(withChange)).toContain(`Changed before the failure\n  Changed 12 min before the failure: RevokeSecurityGroupIngress on sg-0a1b2c3d4e5f60718 by ${PRINCIPAL}`);
    expect(renderMarkdown(withChange)).toContain('## Changed before the failure\n\n- Changed 12 min before the failure: RevokeSecurityGroupIngress');
    const noted = renderText({ ...base, changesNote: 'Recent changes not shown: cloudtrail:LookupEvents answered AccessDeniedException.' });
    expect(noted).toContain('Recent changes not shown');
    expect(noted).not.toContain('Changed 12 min');
    expect(renderText(base)).not.toContain('Changed before the failure');
  });

  it('parses --changes-window', () => {
    expect(parseWindow('24h')).toBe(86_400_000);
    expect(parseWindow('90m')).toBe(5_400_000);
    expect(parseWindow('7d')).toBe(604_800_000);
    expect(parseWindow('91d')).toBeUndefined();
    expect(parseWindow('soon')).toBeUndefined();
  });
});
