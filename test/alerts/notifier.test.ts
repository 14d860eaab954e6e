/**
 * The alert notifier with its real collaborators in memory (the Slack store, the alert store), a
 * recording Slack chat client and a fake clock: what an on-call channel sees for each sequence of
 * ESM State Change events.
 */
import type { KnownBlock } from '@slack/types';
import { MemoryAlertStore } from '../../bot/alerts/alert-store';
import { createAlertNotifier, type AlertNotifierDeps } from '../../bot/alerts/notifier';
import { createChannelRouter } from '../../bot/alerts/router';
import type { EsmStateChange } from '../../bot/model/events';
import { buttonKey, verifyButtonValue } from '../../bot/slack/button';
import { causeOf } from '../../bot/slack/diff';
import { limitViolations } from '../../bot/slack/limits';
import { createLogger } from '../../bot/slack/log';
import { MemoryStore } from '../../bot/slack/store';
import { runJob } from '../../bot/slack/jobs';
import type { SlackReport } from '../../bot/slack/blocks';
import { afterSgFixReport, failingReport } from '../slack/support/reports';
import { ACCOUNT, CLUSTER_ARN, FakeClock, fakeChat, OTHER_CLUSTER_ARN, PROBLEM_SASL, REGION, stateChange, uuidOf } from './support/fakes';

const KEY = buttonKey({ buttonKey: 'k'.repeat(40) });
const A = uuidOf(1);

/** The engine's report for the ESM the change is about (the fixture's, re-targeted). */
function reportFor(target: { uuid: string }, base: () => SlackReport = failingReport): SlackReport {
  const r = base();
  return { ...r, target: { ...r.target, uuid: target.uuid, arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${target.uuid}` } };
}

function setup(overrides: Partial<AlertNotifierDeps> = {}) {
  const clock = new FakeClock();
  const chat = fakeChat(clock);
  const store = new MemoryStore(() => clock.ms);
  const alerts = new MemoryAlertStore(() => clock.ms);
  const diagnose = jest.fn(async (target: { uuid: string }) => reportFor(target));
  const notifier = createAlertNotifier({
    slack: chat.client,
    store,
    alerts,
    diagnose,
    router: createChannelRouter({ defaultChannel: 'C0ALERTS' }),
    buttonKey: KEY,
    now: clock.now,
    sleep: clock.sleep,
    logger: createLogger({ sink: () => undefined }),
    ...overrides,
  });
  return { clock, chat, store, alerts, diagnose, notifier };
}

const at = (minute: number) => new Date(Date.parse('2026-11-20T09:00:00.000Z') + minute * 60_000).toISOString();
const header = (blocks: KnownBlock[]) => (blocks[0] as { text: { text: string } }).text.text;
const allText = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe('alerts', () => {
  it('posts the diagnosis to the default channel, with the alert line, working buttons and the report stored behind it', async () => {
    const { chat, store, notifier } = setup();
    const result = await notifier.handle(stateChange(A, 'failing'), { eventId: 'evt-1' });
    expect(result).toMatchObject({ outcome: 'posted', channel: 'C0ALERTS' });
    const [post] = chat.posts();
    expect(post!.args.channel).toBe('C0ALERTS');
    expect(post!.args.thread_ts).toBeUndefined();
    expect(header(post!.args.blocks)).toBe(":red_circle: Failing: No cluster security group admits port 9098 from the ESM's subnets");
    expect(allText(post!.args.blocks)).toContain('*orders-consumer* ← `orders`');
    expect(allText(post!.args.blocks)).toContain('*Alert* from the esm-doctor watcher');
    expect(limitViolations({ text: post!.args.text, blocks: post!.args.blocks })).toEqual([]);
    const actions = post!.args.blocks.find((b: KnownBlock) => b.type === 'actions');
    expect(verifyButtonValue(KEY, actions.elements[0].value)).toEqual({ uuid: A, region: REGION, account: ACCOUNT });
    expect(await store.getMessage('C0ALERTS', result.ts!)).toMatchObject({ target: { uuid: A }, report: { verdict: 'failing' } });
  });

  it('keeps the alert line when someone presses Re-run on the alert, and says how it ended after recovery', async () => {
    const { chat, store, notifier, clock, diagnose } = setup();
    const { ts } = await notifier.handle(stateChange(A, 'failing', { at: at(0) }), { eventId: 'evt-1' });
    const rerun = (key: string) =>
      runJob(
        { kind: 'recheck', target: { uuid: A, region: REGION, account: ACCOUNT }, channel: 'C0ALERTS', messageTs: ts!, user: 'U0BOB', idempotencyKey: key },
        { slack: chat.client, store, diagnose, buttonKey: KEY, logger: createLogger({ sink: () => undefined }), now: clock.now },
      );
    expect(await rerun('rerun-1')).toBe('updated');
    const edited = chat.updates().at(-1)!;
    expect(allText(edited.args.blocks)).toContain('*Alert* from the esm-doctor watcher');
    expect(allText(edited.args.blocks)).toContain('Re-run by <@U0BOB>');

    clock.advance(20);
    await notifier.handle(stateChange(A, 'recovered', { at: at(20) }), { eventId: 'evt-2' });
    diagnose.mockImplementation(async (target: { uuid: string }) => reportFor(target, afterSgFixReport));
    expect(await rerun('rerun-2')).toBe('updated');
    const later = allText(chat.updates().at(-1)!.args.blocks);
    expect(later).toContain('Recovered after 20 min');
    expect(later).not.toContain('*Alert* from the esm-doctor watcher');
  });

  it('never posts twice for duplicate EventBridge deliveries of one event, even when they arrive together', async () => {
    const { chat, notifier } = setup();
    const change = stateChange(A, 'failing');
    const results = await Promise.all([1, 2, 3].map(() => notifier.handle(change, { eventId: 'evt-1' })));
    expect(results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'duplicate', 'posted']);
    expect((await notifier.handle(change, { eventId: 'evt-1' })).outcome).toBe('duplicate');
    // The watcher re-publishing its outbox gives the same transition a new event id.
    expect((await notifier.handle(change, { eventId: 'evt-2' })).outcome).toBe('duplicate');
    expect(chat.posts()).toHaveLength(1);
  });

  it('edits the alert to "Recovered after N min" on recovery, keeps the history and the last diagnosis, says so in the thread, clears the acknowledgement', async () => {
    const { chat, store, notifier } = setup();
    const opened = await notifier.handle(stateChange(A, 'failing', { at: at(0) }), { eventId: 'e1' });
    await store.acknowledge({ uuid: A, cause: causeOf(failingReport()), by: 'U0ALICE', at: at(1) });
    const closed = await notifier.handle(stateChange(A, 'recovered', { at: at(12) }), { eventId: 'e2' });
    expect(closed).toMatchObject({ outcome: 'closed', ts: opened.ts });
    const update = chat.updates().at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0ALERTS', ts: opened.ts });
    expect(header(update.args.blocks)).toBe(':large_green_circle: Recovered after 12 min: orders-consumer ← orders');
    const text = allText(update.args.blocks);
    expect(text).toContain('*History*');
    expect(text).toContain('Failing: Failing at step 4 of 9');
    expect(text).toContain('Acknowledged by <@U0ALICE>'); // the history keeps who acknowledged it
    expect(text).toContain('The last diagnosis while it was failing');
    expect(text).toContain('network.sg-broker-ingress');
    expect(text).not.toContain('esm_ack'); // nothing left to acknowledge
    expect(limitViolations({ text: update.args.text, blocks: update.args.blocks })).toEqual([]);
    const reply = chat.posts().at(-1)!;
    expect(reply.args).toMatchObject({ channel: 'C0ALERTS', thread_ts: opened.ts });
    expect(reply.args.text).toContain('Recovered after 12 min');
    expect(await store.getAcknowledgement(A)).toBeUndefined();
  });

  it('edits the live alert and replies in its thread when the cause changes; a later failure after recovery is a new alert', async () => {
    const { chat, diagnose, notifier } = setup();
    const first = await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    diagnose.mockImplementationOnce(async (t) => reportFor(t, afterSgFixReport));
    const second = await notifier.handle(stateChange(A, 'failing', { at: at(3), lastProcessingResult: PROBLEM_SASL }));
    expect(second).toMatchObject({ outcome: 'updated', ts: first.ts });
    expect(chat.updates().at(-1)!.args.ts).toBe(first.ts);
    const reply = chat.posts().at(-1)!;
    expect(reply.args.thread_ts).toBe(first.ts);
    expect(reply.args.text).toContain('Cause changed: `network.sg-broker-ingress` → `iam.execution-role`');
    await notifier.handle(stateChange(A, 'recovered', { at: at(10) }));
    const third = await notifier.handle(stateChange(A, 'failing', { at: at(40) }));
    expect(third.outcome).toBe('posted');
    expect(third.ts).not.toBe(first.ts);
  });

  it('does not re-alert an acknowledged ESM while the cause stays the same: the alert is edited silently', async () => {
    const { chat, store, notifier } = setup();
    const first = await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    await store.acknowledge({ uuid: A, cause: causeOf(failingReport()), by: 'U0ALICE', at: at(1), channel: 'C0ALERTS', ts: first.ts! });
    const postsBefore = chat.posts().length;
    const again = await notifier.handle(stateChange(A, 'failing', { at: at(5), lastProcessingResult: 'PROBLEM: Connection error. (again)' }));
    expect(again).toMatchObject({ outcome: 'suppressed', ts: first.ts });
    expect(chat.posts()).toHaveLength(postsBefore);
    expect(allText(chat.updates().at(-1)!.args.blocks)).toContain('Acknowledged by <@U0ALICE>');
  });

  it('does not post at all for an ESM someone acknowledged (from /esm diagnose) for the cause the diagnosis finds', async () => {
    const { chat, store, notifier } = setup();
    await store.acknowledge({ uuid: A, cause: causeOf(failingReport()), by: 'U0BOB', at: at(0) });
    expect(await notifier.handle(stateChange(A, 'failing'))).toMatchObject({ outcome: 'suppressed' });
    expect(chat.calls).toEqual([]);
  });

  it('still alerts an acknowledged ESM when the cause changes', async () => {
    const { chat, store, diagnose, notifier } = setup();
    const first = await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    await store.acknowledge({ uuid: A, cause: causeOf(failingReport()), by: 'U0ALICE', at: at(1) });
    diagnose.mockImplementationOnce(async (t) => reportFor(t, afterSgFixReport));
    expect(await notifier.handle(stateChange(A, 'failing', { at: at(5), lastProcessingResult: PROBLEM_SASL }))).toMatchObject({ outcome: 'updated' });
    expect(chat.posts().at(-1)!.args).toMatchObject({ thread_ts: first.ts });
  });

  it('closes a deleted ESM\'s alert as deleted, and ignores recoveries and deletions of ESMs without a live alert', async () => {
    const { chat, notifier } = setup();
    await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    const deleted: EsmStateChange = { ...stateChange(A, 'changed', { at: at(7) }), current: { state: 'Deleted' } };
    expect((await notifier.handle(deleted)).outcome).toBe('closed');
    expect(header(chat.updates().at(-1)!.args.blocks)).toMatch(/^:wastebasket: Deleted after failing for 7 min/);
    expect((await notifier.handle(stateChange(uuidOf(9), 'recovered'))).outcome).toBe('ignored');
    expect((await notifier.handle(stateChange(uuidOf(9), 'changed'))).outcome).toBe('ignored');
  });

  it('ignores an event older than what the alert already shows (EventBridge does not keep order)', async () => {
    const { chat, notifier } = setup();
    await notifier.handle(stateChange(A, 'failing', { at: at(5) }));
    expect((await notifier.handle(stateChange(A, 'recovered', { at: at(2) }))).outcome).toBe('stale');
    expect(chat.updates()).toHaveLength(0);
  });

  it('posts what Lambda says when the diagnosis itself fails, without the error\'s details', async () => {
    const { chat, diagnose, notifier } = setup();
    diagnose.mockRejectedValueOnce(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized'), { name: 'AccessDeniedException' }));
    expect((await notifier.handle(stateChange(A, 'failing'))).outcome).toBe('posted');
    const text = allText(chat.posts()[0]!.args.blocks);
    expect(text).toContain('PROBLEM: Connection error');
    expect(text).toContain('could not run its checks (AccessDeniedException');
    expect(text).not.toContain('assumed-role');
  });

  it('gives its claims back when Slack fails, so that Lambda\'s retry of the same event posts it (once)', async () => {
    const { chat, notifier } = setup();
    const postMessage = chat.client.chat.postMessage;
    (chat.client.chat as { postMessage: unknown }).postMessage = async () => Promise.reject(Object.assign(new Error('An API error occurred: service_unavailable'), { data: { error: 'service_unavailable' } }));
    await expect(notifier.handle(stateChange(A, 'failing'), { eventId: 'evt-1' })).rejects.toThrow('service_unavailable');
    (chat.client.chat as { postMessage: unknown }).postMessage = postMessage;
    expect((await notifier.handle(stateChange(A, 'failing'), { eventId: 'evt-1' })).outcome).toBe('posted');
    expect((await notifier.handle(stateChange(A, 'failing'), { eventId: 'evt-1' })).outcome).toBe('duplicate');
    expect(chat.posts()).toHaveLength(1);
  });
});

describe('a deleted alert message', () => {
  it('is posted anew when the next failure finds it gone (message_not_found), and the record moves to it: the recovery edits the new one', async () => {
    const { chat, alerts, notifier } = setup();
    const first = await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    chat.failNext('update', 'message_not_found');
    const again = await notifier.handle(stateChange(A, 'failing', { at: at(5), lastProcessingResult: PROBLEM_SASL }));
    expect(again.outcome).toBe('updated');
    expect(again.ts).toBeDefined();
    expect(again.ts).not.toBe(first.ts);
    const reposted = chat.posts().find((p) => p.ts === again.ts)!;
    expect(reposted.args.thread_ts).toBeUndefined();
    expect(header(reposted.args.blocks)).toBe(header(chat.posts()[0]!.args.blocks));
    // No note into the thread of the message that is gone.
    expect(chat.posts().filter((p) => p.args.thread_ts === first.ts)).toHaveLength(0);
    expect((await alerts.getAlert(A))?.ts).toBe(again.ts);
    const closed = await notifier.handle(stateChange(A, 'recovered', { at: at(20) }));
    expect(closed).toMatchObject({ outcome: 'closed', ts: again.ts });
    expect(chat.updates().at(-1)!.args.ts).toBe(again.ts);
  });

  it('does not block the recovery: a recovery of a deleted alert posts the closed message anew, and the next failure alerts', async () => {
    const { chat, notifier } = setup();
    const first = await notifier.handle(stateChange(A, 'failing', { at: at(0) }));
    chat.failNext('update', 'message_not_found');
    const closed = await notifier.handle(stateChange(A, 'recovered', { at: at(10) }));
    expect(closed.outcome).toBe('closed');
    expect(closed.ts).not.toBe(first.ts);
    expect(header(chat.posts().find((p) => p.ts === closed.ts)!.args.blocks)).toMatch(/Recovered after 10 min/);
    const next = await notifier.handle(stateChange(A, 'failing', { at: at(30) }));
    expect(next.outcome).toBe('posted');
  });
});

describe('routing', () => {
  it('posts to the default channel, with a note, when the routed channel refuses (the bot is not in it)', async () => {
    const { chat, notifier } = setup({ router: () => 'C0ORDERS', fallbackChannel: 'C0ALERTS' });
    const postMessage = chat.client.chat.postMessage.bind(chat.client.chat);
    (chat.client.chat as { postMessage: unknown }).postMessage = async (args: { channel: string }) =>
      args.channel === 'C0ORDERS' ? Promise.reject(Object.assign(new Error('An API error occurred: not_in_channel'), { data: { error: 'not_in_channel' } })) : postMessage(args as never);
    const result = await notifier.handle(stateChange(A, 'failing'));
    expect(result).toMatchObject({ outcome: 'posted', channel: 'C0ALERTS' });
    expect(allText(chat.posts()[0]!.args.blocks)).toContain('routed to <#C0ORDERS>, where I cannot post (`not_in_channel`)');
    // Its recovery edits it where it is.
    await notifier.handle(stateChange(A, 'recovered', { at: at(4) }));
    expect(chat.updates().at(-1)!.args).toMatchObject({ channel: 'C0ALERTS', ts: result.ts });
  });

  it('sends an ESM to the channel its function\'s esm-doctor:channel tag names, else the longest matching prefix, else the default', async () => {
    const tags: Record<string, Record<string, string>> = {
      [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:payments-ingest`]: { 'esm-doctor:channel': 'C0PAYMENTS', team: 'payments' },
      [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-bad-tag`]: { 'esm-doctor:channel': '#orders' },
    };
    const problems: string[] = [];
    const router = createChannelRouter({
      defaultChannel: 'C0ALERTS',
      prefixes: { 'orders-': 'C0ORDERS', 'orders-eu-': 'C0ORDERSEU' },
      readTags: async (change) => tags[change.functionArn],
      onProblem: (p) => problems.push(p),
    });
    const route = (functionName: string) => router.channelFor(stateChange(A, 'failing', { functionName }));
    expect(await route('payments-ingest')).toBe('C0PAYMENTS');
    expect(await route('orders-eu-consumer')).toBe('C0ORDERSEU');
    expect(await route('orders-consumer')).toBe('C0ORDERS');
    expect(await route('clickstream')).toBe('C0ALERTS');
    expect(await route('orders-bad-tag')).toBe('C0ORDERS');
    expect(problems).toEqual(['tag esm-doctor:channel is "#orders", not a channel id']);
  });
});

describe('storms', () => {
  const failing = (n: number, minute = 0, cluster = CLUSTER_ARN) => stateChange(uuidOf(n), 'failing', { at: at(minute), cluster });

  it('posts one parent message for a cluster when 8 of its ESMs fail in one watcher run, each ESM\'s report in its thread, posts ≥ 1.1 s apart', async () => {
    const { chat, notifier } = setup();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => notifier.handle(failing(i + 1), { eventId: `e${i}` })));
    const posts = chat.posts();
    const parents = posts.filter((p) => !p.args.thread_ts);
    expect(parents).toHaveLength(1);
    expect(header(parents[0]!.args.blocks)).toMatch(/ESMs of orders-prod are failing/);
    expect(results.map((r) => r.outcome)).toEqual(Array(8).fill('threaded'));
    const replies = posts.filter((p) => p.args.thread_ts);
    expect(replies).toHaveLength(8);
    expect(replies.every((r) => r.args.thread_ts === parents[0]!.ts)).toBe(true);
    const times = posts.map((p) => p.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1100);
    // The parent is kept up to date with the members.
    expect(header(chat.updates().at(-1)!.args.blocks)).toBe(':rotating_light: 8 of 8 ESMs of orders-prod are failing');
  });

  it('alerts the first four failures of a cluster on their own, starts the storm with the fifth within 5 minutes, and closes the parent when all recovered', async () => {
    const { chat, clock, notifier } = setup();
    for (let i = 1; i <= 4; i++) {
      clock.ms = Date.parse(at(i - 1));
      expect((await notifier.handle(failing(i, i - 1))).outcome).toBe('posted');
    }
    // Another cluster's failure is not part of it.
    expect((await notifier.handle(failing(20, 3, OTHER_CLUSTER_ARN))).outcome).toBe('posted');
    clock.ms = Date.parse(at(4));
    const fifth = await notifier.handle(failing(5, 4));
    expect(fifth.outcome).toBe('threaded');
    const parent = chat.posts().filter((p) => !p.args.thread_ts).at(-1)!;
    expect(header(parent.args.blocks)).toBe(':rotating_light: 5 of 5 ESMs of orders-prod are failing');
    expect(allText(parent.args.blocks)).not.toContain(uuidOf(20));
    for (let i = 1; i <= 5; i++) {
      clock.ms = Date.parse(at(20 + i));
      expect((await notifier.handle(stateChange(uuidOf(i), 'recovered', { at: at(20 + i) }))).outcome).toBe('closed');
    }
    expect(header(chat.updates().at(-1)!.args.blocks)).toMatch(/^:large_green_circle: All 5 ESMs of orders-prod recovered after/);
  });

  it('counts only failures within the window: five failures over an hour are five alerts', async () => {
    const { chat, clock, notifier } = setup();
    for (let i = 1; i <= 5; i++) {
      clock.ms = Date.parse(at((i - 1) * 15));
      await notifier.handle(failing(i, (i - 1) * 15));
    }
    expect(chat.posts().filter((p) => p.args.thread_ts)).toHaveLength(0);
    expect(chat.posts()).toHaveLength(5);
  });
});
