/**
 * The pre-alert end to end in memory: an EventBridge-shaped CloudTrail event → impact (engine
 * injected) → pre-alert in the routed channel; then the watcher's `failing` event for the same ESM
 * goes through the real alert notifier and lands in the pre-alert's thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryAlertStore } from '../../../bot/alerts/alert-store';
import { createAlertNotifier } from '../../../bot/alerts/notifier';
import { createChannelRouter } from '../../../bot/alerts/router';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { parseCall } from '../../../bot/impact/events';
import { createPreAlerter, planPreAlerts } from '../../../bot/impact/prealert';
import { judge, type ImpactResult } from '../../../bot/impact/run';
import { buttonKey, verifyButtonValue } from '../../../bot/slack/button';
import { limitViolations } from '../../../bot/slack/limits';
import { createLogger } from '../../../bot/slack/log';
import { MemoryStore } from '../../../bot/slack/store';
import { SCENARIOS } from '../../../scenarios/index';
import { FakeClock, fakeChat, stateChange } from '../../alerts/support/fakes';

const KEY = buttonKey({ buttonKey: 'k'.repeat(40) });
const snapshot = (id: string) => SCENARIOS.find((s) => s.id === id)!.snapshot();
const event = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/cloudtrail/revoke-security-group-ingress.json'), 'utf8')) as { id: string };

/** What impact answers for the revoke: the ESM's report now, judged against what the call touched. */
function impactOf(scenario: string): ImpactResult {
  const call = parseCall(event);
  const report = diagnoseSnapshot(snapshot(scenario));
  const touched = new Set(call.resources.map((r) => r.key));
  return {
    event: { name: call.name, time: call.time, principal: call.principal, resources: call.resources.map((r) => r.id), region: call.region, account: call.account! },
    esms: [{ uuid: report.target.uuid, arn: report.target.arn, functionArn: report.esm!.functionArn, verdict: report.verdict, ...judge(report, touched), report }],
  };
}

function setup() {
  const clock = new FakeClock();
  const chat = fakeChat(clock);
  const store = new MemoryStore(() => clock.ms);
  const alerts = new MemoryAlertStore(() => clock.ms);
  const router = createChannelRouter({ defaultChannel: 'C0ALERTS' });
  const pre = createPreAlerter({ slack: chat.client, store, alerts, router, buttonKey: KEY, now: clock.now });
  const notifier = createAlertNotifier({
    slack: chat.client,
    store,
    alerts,
    diagnose: async () => diagnoseSnapshot(snapshot('msk-sg-missing-self-rule')),
    router,
    buttonKey: KEY,
    now: clock.now,
    sleep: clock.sleep,
    logger: createLogger({ sink: () => undefined }),
  });
  return { chat, store, alerts, pre, notifier };
}

describe('pre-alert', () => {
  it('posts who changed what, when, and the cause, with working buttons; the failure alert that follows joins its thread', async () => {
    const { chat, store, pre, notifier } = setup();
    const result = impactOf('msk-sg-missing-self-rule');
    const [posted] = await pre.run(result, event.id);
    expect(posted).toMatchObject({ outcome: 'posted', channel: 'C0ALERTS' });
    const [post] = chat.posts();
    const text = JSON.stringify(post!.args.blocks);
    expect(text).toContain('*Pre-alert*');
    expect(text).toContain('`RevokeSecurityGroupIngress` on `sg-0a1b2c3d4e5f60718` by `arn:aws:sts::123456789012:assumed-role/platform-admin/jane`');
    expect(text).toContain('`network.sg-broker-ingress`');
    expect(text).toContain('authorize-security-group-ingress');
    expect(limitViolations({ text: post!.args.text, blocks: post!.args.blocks })).toEqual([]);
    const actions = post!.args.blocks.find((b: { type: string }) => b.type === 'actions');
    expect(verifyButtonValue(KEY, actions.elements[0].value)).toMatchObject({ uuid: result.esms[0]!.uuid });
    expect(await store.getMessage('C0ALERTS', posted!.ts!)).toMatchObject({ report: { verdict: 'failing' } });

    // Twelve minutes later Lambda notices and the watcher publishes `failing`.
    const failing = await notifier.handle(stateChange(result.esms[0]!.uuid, 'failing', { at: '2026-12-06T10:00:02.000Z' }), { eventId: 'evt-failing' });
    expect(failing).toMatchObject({ outcome: 'updated', channel: 'C0ALERTS', ts: posted!.ts });
    const topLevel = chat.posts().filter((p) => !p.args.thread_ts);
    expect(topLevel).toHaveLength(1);
    expect(chat.posts().filter((p) => p.args.thread_ts === posted!.ts)).toHaveLength(1);
    expect(chat.updates().at(-1)!.args.ts).toBe(posted!.ts);
  });

  it('posts nothing for a change that breaks nothing', async () => {
    const { chat, pre } = setup();
    expect(planPreAlerts(impactOf('msk-iam-healthy'), event.id)).toEqual([]);
    expect(await pre.run(impactOf('msk-iam-healthy'), event.id)).toEqual([]);
    expect(chat.posts()).toHaveLength(0);
  });

  it('posts nothing for an ESM that fails for another reason than the change', async () => {
    const result = impactOf('msk-role-missing-kafka-cluster');
    expect(result.esms[0]!.verdict).toBe('failing');
    expect(planPreAlerts(result, event.id)).toEqual([]);
  });

  it('posts once however often EventBridge delivers the event', async () => {
    const { chat, pre } = setup();
    const result = impactOf('msk-sg-missing-self-rule');
    await pre.run(result, event.id);
    expect(await pre.run(result, event.id)).toEqual([{ uuid: result.esms[0]!.uuid, outcome: 'duplicate' }]);
    expect(chat.posts()).toHaveLength(1);
  });

  it('replies in the thread of an alert that is already live instead of opening a second one', async () => {
    const { chat, pre, notifier } = setup();
    const result = impactOf('msk-sg-missing-self-rule');
    const alert = await notifier.handle(stateChange(result.esms[0]!.uuid, 'failing', { at: '2026-12-06T09:00:00.000Z' }), { eventId: 'evt-0' });
    const [out] = await pre.run(result, event.id);
    expect(out).toMatchObject({ outcome: 'threaded', ts: expect.any(String) });
    expect(chat.posts().filter((p) => !p.args.thread_ts)).toHaveLength(1);
    expect(chat.posts().at(-1)!.args.thread_ts).toBe(alert.ts);
  });
});
