/**
 * "Changed before the failure" in the Slack message (bot/slack/blocks/changes.ts): placed after the
 * cause and its remedy, newest change first, the principal escaped for mrkdwn, long lists cut with a
 * count, the note alone when the lookup could not run, and nothing at all when it was not made.
 */
import { renderReport, type RenderOptions } from '../../bot/slack/blocks';
import { buttonKey, signButtonValue } from '../../bot/slack/button';
import type { Change } from '../../bot/model/report';
import { CLUSTER_SG, ESM_UUID, REGION, failingReport } from './support/reports';

const KEY = buttonKey({ buttonKey: 'k'.repeat(32) });
const OPTIONS: RenderOptions = { buttonValue: signButtonValue(KEY, { uuid: ESM_UUID, region: REGION, account: '123456789012' }) };

const sections = (report: ReturnType<typeof failingReport>) =>
  renderReport(report, OPTIONS).blocks.map((b) => (b.type === 'section' ? (b as { text: { text: string } }).text.text : `[${b.type}]`));

function change(minutesBefore: number, extra: Partial<Change> = {}): Change {
  const at = Date.parse(failingReport().startedAt) - minutesBefore * 60_000;
  return { time: new Date(at).toISOString(), event: 'RevokeSecurityGroupIngress', resource: CLUSTER_SG, principal: 'arn:aws:sts::123456789012:assumed-role/platform-admin/jane', source: 'cloudtrail', ...extra };
}

it('shows the changes after the cause and its remedy, before the other findings', () => {
  const report = { ...failingReport(), changes: [change(12), change(95, { event: 'AuthorizeSecurityGroupIngress' })] };
  const texts = sections(report);
  const at = texts.findIndex((t) => t.startsWith('*Changed before the failure*'));
  expect(at).toBeGreaterThan(texts.findIndex((t) => t.startsWith('*Most likely cause')));
  expect(texts[at]!.split('\n')).toEqual([
    '*Changed before the failure*',
    `:pencil2: Changed 12 min before the failure: RevokeSecurityGroupIngress on ${CLUSTER_SG} by arn:aws:sts::123456789012:assumed-role/platform-admin/jane`,
    `:pencil2: Changed 1 h 35 min before the failure: AuthorizeSecurityGroupIngress on ${CLUSTER_SG} by arn:aws:sts::123456789012:assumed-role/platform-admin/jane`,
  ]);
});

it('escapes what CloudTrail recorded (a principal is text, never markup) and counts what it leaves out', () => {
  const many = Array.from({ length: 7 }, (_, i) => change(10 + i, { principal: i === 0 ? 'AWS Internal <ops> & co' : 'arn:aws:iam::123456789012:user/ci' }));
  const text = sections({ ...failingReport(), changes: many }).find((t) => t.startsWith('*Changed before the failure*'))!;
  expect(text).toContain('by AWS Internal &lt;ops&gt; &amp; co');
  expect(text).not.toContain('<ops>');
  expect(text).toContain('… and 2 earlier changes (CloudTrail event history)');
});

it('says why when the lookup could not run, and adds nothing when no lookup was made', () => {
  const denied = { ...failingReport(), changesNote: 'Recent changes not shown: cloudtrail:LookupEvents answered AccessDeniedException (grant cloudtrail:LookupEvents to see what changed).' };
  expect(sections(denied).find((t) => t.startsWith('*Changed before the failure*'))!.split('\n')[1]).toBe(`:pencil2: ${denied.changesNote}`);
  expect(sections(failingReport()).some((t) => t.includes('Changed before the failure'))).toBe(false);
});
