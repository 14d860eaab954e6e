/**
 * The watcher's stall round end to end: the real watcher, transitions and publisher over a fake
 * Lambda, a fake CloudWatch (GetMetricData) and a fake EventBridge. A poison batch makes one
 * mapping's OffsetLag climb while Lambda keeps saying OK: the watcher publishes `stalled`, once,
 * and `recovered` once the lag has come down and the hold has passed.
 */
import { createLogger } from '../../bot/slack/log';
import { eventBridgePublisher } from '../../bot/alerts/publisher';
import { decide, healthOf } from '../../bot/alerts/transitions';
import { MemoryWatchStore } from '../../bot/alerts/watch-store';
import { createWatcher, type WatcherDeps } from '../../bot/alerts/watcher';
import type { Observation } from '../../bot/alerts/observe';
import { ACCOUNT, FakeClock, FakeEventBridge, FakeLambda, kafkaEsm, PROBLEM_CONNECTION, REGION, uuidOf } from './support/fakes';
import { FakeCloudWatch } from './support/fake-cloudwatch';

const silent = createLogger({ sink: () => undefined });
const A = uuidOf(1);
const B = uuidOf(2);
const FN_A = `orders-consumer-${A.slice(-3)}`;

/** Lag of function A: flat until `poisonAt`, then +200 a minute (with noise) until `fixedAt`, then worked off within minutes. */
function lagOf(poisonAt: number, fixedAt: number) {
  return (metric: string, dims: Record<string, string>, at: Date): number | undefined => {
    if (metric !== 'OffsetLag') return undefined;
    const m = at.getTime() / 60_000;
    const wobble = ((m * 7919) % 13) * 10;
    if (dims.FunctionName !== FN_A || m < poisonAt) return 300 + wobble;
    if (m < fixedAt) return 300 + (m - poisonAt) * 200 + wobble;
    return Math.max(50, 300 + (fixedAt - poisonAt) * 200 - (m - fixedAt) * 2_000) + wobble;
  };
}

function setup(cloudwatch: FakeCloudWatch, options: Partial<WatcherDeps> = {}) {
  const lambda = new FakeLambda();
  const events = new FakeEventBridge();
  const clock = new FakeClock();
  const watcher = createWatcher({
    store: new MemoryWatchStore(),
    publisher: eventBridgePublisher(events, 'esm-doctor', { sleep: async () => undefined }),
    accounts: [{ key: ACCOUNT, account: ACCOUNT }],
    regions: [REGION],
    lambdaFor: () => lambda,
    metricsFor: () => cloudwatch,
    now: clock.now,
    logger: silent,
    ...options,
  });
  const tick = async () => {
    const run = await watcher.runAll();
    clock.advance(1);
    return run;
  };
  return { lambda, events, clock, tick };
}

describe('watcher: stalls', () => {
  it('publishes stalled when a poison batch makes the lag climb while Lambda says OK, and recovered once it delivers again', async () => {
    const start = Date.parse('2026-11-20T09:00:00Z') / 60_000;
    const cw = new FakeCloudWatch(lagOf(start + 2, start + 30));
    const { lambda, events, tick } = setup(cw);
    lambda.set(kafkaEsm(A), kafkaEsm(B));
    const runs = [];
    for (let i = 0; i < 45; i++) runs.push(await tick());
    const changes = events.changes().filter((c) => c.uuid === A);
    expect(changes.map((c) => c.health)).toEqual(['changed', 'stalled', 'recovered']);
    expect(changes[1]).toMatchObject({ current: { state: 'Enabled', lastProcessingResult: 'OK' } });
    // B's lag is flat: it never stalls.
    expect(events.changes().filter((c) => c.uuid === B).map((c) => c.health)).toEqual(['changed']);
    // One GetMetricData call per run for two functions.
    expect(runs.every((r) => r.scopes[0]!.metricCalls === 1)).toBe(true);
    expect(cw.queries).toBe(45 * 2);
    // Stalled from a run in the climb; recovered after the lag came down and the 5-minute hold passed.
    const stalledAt = Date.parse(changes[1]!.observedAt) / 60_000 - start;
    const recoveredAt = Date.parse(changes[2]!.observedAt) / 60_000 - start;
    expect(stalledAt).toBeGreaterThan(2);
    expect(stalledAt).toBeLessThan(20);
    expect(recoveredAt).toBeGreaterThanOrEqual(30);
  });

  it('a PROBLEM during a stall is the same alert updated as failing; unreadable metrics leave a stall standing', async () => {
    const start = Date.parse('2026-11-20T09:00:00Z') / 60_000;
    const cw = new FakeCloudWatch(lagOf(start - 30, start + 1_000));
    const { lambda, events, tick } = setup(cw);
    lambda.set(kafkaEsm(A));
    await tick();
    expect(events.changes().map((c) => c.health)).toEqual(['stalled']);
    cw.fail = Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' });
    for (let i = 0; i < 10; i++) await tick();
    expect(events.changes().map((c) => c.health)).toEqual(['stalled']);
    lambda.update(A, { lastProcessingResult: PROBLEM_CONNECTION });
    await tick();
    expect(events.changes().map((c) => c.health)).toEqual(['stalled', 'failing']);
  });

  it('a disabled mapping is not read or judged for stalls', async () => {
    const cw = new FakeCloudWatch(() => 1);
    const { lambda, events, tick } = setup(cw);
    lambda.set(kafkaEsm(A, { state: 'Disabled' }));
    const run = await tick();
    expect(cw.queries).toBe(0);
    expect(run.scopes[0]!.metricCalls).toBe(0);
    expect(events.changes().map((c) => c.health)).toEqual(['changed']);
  });

  it('an ESM stuck in Creating or Updating for more than 15 minutes is failing; it recovers once Enabled', async () => {
    const cw = new FakeCloudWatch(() => undefined);
    const { lambda, events, clock, tick } = setup(cw, { holdMs: 0 });
    const created = new Date(clock.ms);
    lambda.set({ ...kafkaEsm(A, { state: 'Creating', lastProcessingResult: null }), LastModified: created });
    for (let i = 0; i < 15; i++) await tick(); // 09:00 … 09:14: within 15 minutes, still just Creating
    expect(events.changes().map((c) => c.health)).toEqual(['changed']);
    await tick(); // 09:15
    await tick(); // 09:16: more than 15 minutes in Creating
    expect(events.changes().map((c) => c.health)).toEqual(['changed', 'failing']);
    expect(events.changes()[1]).toMatchObject({ current: { state: 'Creating' }, observedAt: '2026-11-20T09:16:00.000Z' });
    lambda.set({ ...kafkaEsm(A), LastModified: new Date(clock.ms) });
    await tick();
    expect(events.changes().map((c) => c.health)).toEqual(['changed', 'failing', 'recovered']);
  });

  it('healthOf: failing beats stalled; no metrics keep a stall; delivering clears it', () => {
    const o = (progress?: Observation['progress'], lastProcessingResult = 'OK'): Observation => ({
      uuid: A, esmArn: 'arn', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', eventSource: 'c', region: REGION, account: ACCOUNT,
      observed: { state: 'Enabled', lastProcessingResult },
      ...(progress ? { progress } : {}),
    });
    expect(healthOf(o('stalled', PROBLEM_CONNECTION))).toBe('failing');
    expect(healthOf(o('stalled'))).toBe('stalled');
    expect(healthOf(o(undefined), 'stalled')).toBe('stalled');
    expect(healthOf(o('delivering'), 'stalled')).toBe('healthy');
    expect(healthOf(o(undefined))).toBe('healthy');
    const d = decide(undefined, o('stalled'), { now: new Date('2026-11-20T09:00:00Z'), holdMs: 300_000 });
    expect(d.event?.health).toBe('stalled');
    expect(d.next?.health).toBe('stalled');
  });
});
