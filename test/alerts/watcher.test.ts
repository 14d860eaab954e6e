/**
 * The watcher over a fake Lambda (ListEventSourceMappings pages of 100, GetEventSourceMapping), the
 * in-memory watch store and the real PutEvents publisher over a fake EventBridge: which events a
 * sequence of observations produces, minute by minute.
 */
import { createLogger } from '../../bot/slack/log';
import { eventBridgePublisher } from '../../bot/alerts/publisher';
import { decide } from '../../bot/alerts/transitions';
import { esmOfCall, WatcherTrigger } from '../../bot/alerts/triggers';
import { MemoryWatchStore, scopeKey } from '../../bot/alerts/watch-store';
import { createWatcher, WatcherFailed, type WatcherDeps } from '../../bot/alerts/watcher';
import {
  ACCOUNT,
  CLUSTER_ARN,
  FakeClock,
  FakeEventBridge,
  FakeLambda,
  kafkaEsm,
  PROBLEM_CONNECTION,
  PROBLEM_SASL,
  REGION,
  sqsEsm,
  uuidOf,
} from './support/fakes';

const silent = createLogger({ sink: () => undefined });
const A = uuidOf(1);
const B = uuidOf(2);

function setup(options: Partial<WatcherDeps> & { lambda?: FakeLambda } = {}) {
  const lambda = options.lambda ?? new FakeLambda();
  const events = new FakeEventBridge();
  const clock = new FakeClock();
  const store = new MemoryWatchStore();
  const watcher = createWatcher({
    store,
    publisher: eventBridgePublisher(events, 'esm-doctor', { sleep: async () => undefined }),
    accounts: [{ key: ACCOUNT, account: ACCOUNT }],
    regions: [REGION],
    lambdaFor: () => lambda,
    now: clock.now,
    logger: silent,
    ...options,
  });
  /** Runs the watcher at the current minute, then moves the clock on by one minute. */
  const tick = async () => {
    const run = await watcher.runAll();
    clock.advance(1);
    return run;
  };
  return { lambda, events, clock, store, watcher, tick };
}

describe('watcher transitions', () => {
  it('publishes a new healthy ESM as changed, its first PROBLEM at once as failing, and the recovery only once it has held for 5 minutes', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A));
    await tick(); // 09:00 new, healthy
    lambda.update(A, { lastProcessingResult: PROBLEM_CONNECTION });
    await tick(); // 09:01 failing
    lambda.update(A, { lastProcessingResult: 'OK' });
    for (let i = 0; i < 5; i++) await tick(); // 09:02 … 09:06 healthy, held
    expect(events.changes().map((c) => c.health)).toEqual(['changed', 'failing']);
    await tick(); // 09:07: healthy since 09:02 for 5 minutes
    const changes = events.changes();
    expect(changes.map((c) => c.health)).toEqual(['changed', 'failing', 'recovered']);
    expect(changes[0]).toMatchObject({ uuid: A, health: 'changed', current: { state: 'Enabled', lastProcessingResult: 'OK' } });
    expect(changes[0]).not.toHaveProperty('previous');
    expect(changes[1]).toMatchObject({
      health: 'failing',
      previous: { state: 'Enabled', lastProcessingResult: 'OK' },
      current: { state: 'Enabled', lastProcessingResult: PROBLEM_CONNECTION },
      observedAt: '2026-11-20T09:01:00.000Z',
      eventSource: CLUSTER_ARN,
      account: ACCOUNT,
      region: REGION,
      esmArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${A}`,
    });
    // "Recovered after N min" counts the outage (09:01 → 09:02), not the hold.
    expect(changes[2]).toMatchObject({ health: 'recovered', previous: { lastProcessingResult: PROBLEM_CONNECTION }, observedAt: '2026-11-20T09:02:00.000Z' });
  });

  it('turns a flapping ESM (fail/ok/fail/ok/fail within minutes) into one failing event and one recovery', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A));
    await tick();
    for (const lpr of [PROBLEM_CONNECTION, 'OK', PROBLEM_CONNECTION, 'OK', PROBLEM_CONNECTION, 'OK']) {
      lambda.update(A, { lastProcessingResult: lpr });
      await tick();
    }
    expect(events.changes().map((c) => c.health)).toEqual(['changed', 'failing']);
    for (let i = 0; i < 5; i++) await tick();
    expect(events.changes().map((c) => c.health)).toEqual(['changed', 'failing', 'recovered']);
  });

  it('publishes a new Lambda message while failing as another failing event (a new cause), with the previous message', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A, { lastProcessingResult: PROBLEM_CONNECTION }));
    await tick();
    lambda.update(A, { lastProcessingResult: PROBLEM_SASL });
    await tick();
    await tick();
    const changes = events.changes();
    expect(changes.map((c) => c.health)).toEqual(['failing', 'failing']);
    expect(changes[0]!.previous).toBeUndefined();
    expect(changes[1]).toMatchObject({ previous: { lastProcessingResult: PROBLEM_CONNECTION }, current: { lastProcessingResult: PROBLEM_SASL } });
  });

  it('treats Disabled by Lambda with an error code as failing, and Disabled by a user as a change', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A), kafkaEsm(B));
    await tick();
    lambda.update(A, { state: 'Disabled', stateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' });
    lambda.update(B, { state: 'Disabled', stateTransitionReason: 'USER_INITIATED' });
    await tick();
    const later = events.changes().slice(2);
    expect(later.find((c) => c.uuid === A)).toMatchObject({ health: 'failing', current: { state: 'Disabled', stateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' } });
    expect(later.find((c) => c.uuid === B)).toMatchObject({ health: 'changed', current: { state: 'Disabled' } });
  });

  it('does not publish "OK" ↔ "No records processed" (traffic, not news)', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A));
    await tick();
    lambda.update(A, { lastProcessingResult: 'No records processed' });
    await tick();
    lambda.update(A, { lastProcessingResult: 'OK' });
    await tick();
    expect(events.changes()).toHaveLength(1);
  });

  it('publishes an ESM failing at first sight as failing without a previous state', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A, { lastProcessingResult: PROBLEM_SASL }));
    await tick();
    expect(events.changes()).toEqual([expect.objectContaining({ uuid: A, health: 'failing', current: { state: 'Enabled', lastProcessingResult: PROBLEM_SASL, stateTransitionReason: 'USER_INITIATED' } })]);
    expect(events.changes()[0]).not.toHaveProperty('previous');
  });

  it('publishes a deleted ESM once (changed, state Deleted, with its last state) and forgets it', async () => {
    const { lambda, events, store, tick } = setup();
    lambda.set(kafkaEsm(A, { lastProcessingResult: PROBLEM_CONNECTION }), kafkaEsm(B));
    await tick();
    lambda.remove(A);
    await tick();
    await tick();
    const deleted = events.changes().filter((c) => c.current.state === 'Deleted');
    expect(deleted).toEqual([expect.objectContaining({ uuid: A, health: 'changed', previous: expect.objectContaining({ lastProcessingResult: PROBLEM_CONNECTION }) })]);
    expect((await store.load(scopeKey(ACCOUNT, REGION))).map((r) => r.uuid)).toEqual([B]);
  });

  it('reports a mapping in state Deleting as deleted at once', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(kafkaEsm(A));
    await tick();
    lambda.update(A, { state: 'Deleting' });
    await tick();
    expect(events.changes().at(-1)).toMatchObject({ uuid: A, current: { state: 'Deleted' } });
  });

  it('ignores SQS, Kinesis and DynamoDB mappings', async () => {
    const { lambda, events, tick } = setup();
    lambda.set(sqsEsm(A), kafkaEsm(B, { selfManaged: ['kafka-1.internal:9096', 'kafka-2.internal:9096'] }));
    const run = await tick();
    expect(run.scopes[0]!.listed).toBe(1);
    expect(events.changes()).toEqual([expect.objectContaining({ uuid: B, eventSource: 'kafka-1.internal:9096,kafka-2.internal:9096' })]);
  });

  it('reads 250 ESMs in 3 pages and writes nothing while nothing changes', async () => {
    const { lambda, events, store, tick } = setup();
    lambda.set(...Array.from({ length: 250 }, (_, i) => kafkaEsm(uuidOf(i + 1))));
    const first = await tick();
    expect(first.scopes[0]).toMatchObject({ listed: 250, pages: 3, transitions: 250, published: 250 });
    expect(events.calls.every((c) => c.length <= 10)).toBe(true);
    const write = jest.spyOn(store, 'write');
    const second = await tick();
    expect(second.scopes[0]).toMatchObject({ listed: 250, pages: 3, transitions: 0, published: 0 });
    expect(write).not.toHaveBeenCalled();
  });

  it('publishes a transition once when two runs overlap', async () => {
    const { lambda, events, watcher } = setup({ lambda: new FakeLambda(5) });
    lambda.set(kafkaEsm(A), kafkaEsm(B, { lastProcessingResult: PROBLEM_SASL }));
    const [one, two] = await Promise.all([watcher.runAll(), watcher.runAll()]);
    expect(events.changes().map((c) => c.uuid).sort()).toEqual([A, B]);
    expect(one.published + two.published).toBe(2);
    expect(one.scopes[0]!.conflicts + two.scopes[0]!.conflicts).toBe(2);
  });

  it('keeps an event PutEvents keeps refusing in the outbox, and the next run after the grace period publishes it: none lost, none twice', async () => {
    const { lambda, events, store, tick } = setup();
    lambda.set(kafkaEsm(A, { lastProcessingResult: PROBLEM_CONNECTION }));
    events.entryFault = () => 'InternalFailure';
    const first = await tick();
    expect(first).toMatchObject({ published: 0, unpublished: 1 });
    const [record] = await store.load(scopeKey(ACCOUNT, REGION));
    expect(record!.pending).toHaveLength(1);
    events.entryFault = undefined;
    await tick(); // 1 minute later: still within the 2-minute grace; the writer might be publishing it
    expect(events.changes()).toHaveLength(0);
    await tick(); // past the grace: re-published
    await tick();
    expect(events.changes()).toEqual([expect.objectContaining({ uuid: A, health: 'failing', observedAt: '2026-11-20T09:00:00.000Z' })]);
    expect((await store.load(scopeKey(ACCOUNT, REGION)))[0]!.pending).toEqual([]);
  });

  it('finishes the other accounts when one cannot be listed, then fails the run (so the error shows)', async () => {
    const ok = new FakeLambda().set(kafkaEsm(A));
    const denied = { send: async () => Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })) };
    const { events, watcher } = setup({
      accounts: [{ key: ACCOUNT, account: ACCOUNT }, { key: '210987654321', account: '210987654321' }],
      lambdaFor: (account) => (account === ACCOUNT ? ok : denied),
    });
    const failure = await watcher.runAll().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WatcherFailed);
    const run = (failure as WatcherFailed).run;
    expect(run.scopes.find((s) => s.scope.startsWith('210987654321'))).toMatchObject({ error: 'AccessDeniedException' });
    expect(events.changes().map((c) => c.uuid)).toEqual([A]);
  });
});

describe('the CloudTrail trigger', () => {
  const call = (eventName: string, uuid: string, extra: Record<string, unknown> = {}) => ({
    version: '0',
    id: 'a4a0d2a5-0b5e-4a1d-9d5c-0f6f3c1f2b10',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.lambda',
    account: ACCOUNT,
    time: '2026-11-20T09:00:30Z',
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      eventTime: '2026-11-20T09:00:30Z',
      eventSource: 'lambda.amazonaws.com',
      eventName,
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      requestParameters: eventName.startsWith('Create') ? { functionName: 'orders-consumer', topics: ['orders'] } : { uUID: uuid },
      responseElements: eventName.startsWith('Delete') ? { uUID: uuid, state: 'Deleting' } : { uUID: uuid, state: 'Creating' },
      ...extra,
    },
  });

  it('reads the ESM a CreateEventSourceMapping20150331 call names and publishes it at once, with one GetEventSourceMapping', async () => {
    const { lambda, events, watcher } = setup();
    lambda.set(kafkaEsm(A, { lastProcessingResult: PROBLEM_CONNECTION }));
    const trigger = WatcherTrigger.parse(call('CreateEventSourceMapping20150331', A));
    expect(trigger.source).toBe('aws.lambda');
    const target = esmOfCall(trigger as Extract<typeof trigger, { source: 'aws.lambda' }>);
    expect(target).toEqual({ uuid: A, region: REGION, account: ACCOUNT, eventName: 'CreateEventSourceMapping20150331' });
    const run = await watcher.runOne(target!);
    expect(run.published).toBe(1);
    expect(lambda.calls).toEqual({ list: 0, get: 1 });
    expect(events.changes()).toEqual([expect.objectContaining({ uuid: A, health: 'failing' })]);
  });

  it('publishes the deletion a DeleteEventSourceMapping call reports', async () => {
    const { lambda, events, watcher, tick } = setup();
    lambda.set(kafkaEsm(A));
    await tick();
    lambda.remove(A);
    const target = esmOfCall(WatcherTrigger.parse(call('DeleteEventSourceMapping20150331', A)) as never)!;
    await watcher.runOne(target);
    expect(events.changes().at(-1)).toMatchObject({ uuid: A, current: { state: 'Deleted' } });
  });

  it('ignores failed calls, other API calls, unwatched accounts and regions', async () => {
    const { watcher } = setup();
    expect(esmOfCall(WatcherTrigger.parse(call('UpdateEventSourceMapping20150331', A, { errorCode: 'ResourceConflictException' })) as never)).toBeUndefined();
    expect(WatcherTrigger.safeParse(call('GetEventSourceMapping20150331', A)).success).toBe(false);
    expect((await watcher.runOne({ uuid: A, region: REGION, account: '999999999999', eventName: 'x' })).ignored).toMatch(/not watched/);
    expect((await watcher.runOne({ uuid: A, region: 'ap-south-2', account: ACCOUNT, eventName: 'x' })).ignored).toMatch(/region ap-south-2/);
  });

  it('does not mistake an ESM created while a full listing ran for a deleted one', async () => {
    const { lambda, events, store, clock, watcher } = setup();
    lambda.set(kafkaEsm(A));
    await watcher.runAll();
    clock.advance(1);
    // The CloudTrail run records B at 09:01; a listing that began at 09:01 without B must not delete it.
    lambda.set(kafkaEsm(B));
    await watcher.runOne({ uuid: B, region: REGION, account: ACCOUNT, eventName: 'CreateEventSourceMapping20150331' });
    lambda.remove(B);
    lambda.set(kafkaEsm(A));
    await watcher.runAll();
    expect(events.changes().filter((c) => c.current.state === 'Deleted')).toEqual([]);
    expect((await store.load(scopeKey(ACCOUNT, REGION))).map((r) => r.uuid).sort()).toEqual([A, B]);
  });
});

describe('decide (pure)', () => {
  const now = new Date('2026-11-20T09:00:00Z');
  const obs = (lastProcessingResult: string) => ({
    uuid: A,
    esmArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${A}`,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-consumer`,
    eventSource: CLUSTER_ARN,
    region: REGION,
    account: ACCOUNT,
    observed: { state: 'Enabled', lastProcessingResult },
  });

  it('publishes a recovery at once when the hold is 0', () => {
    const first = decide(undefined, obs(PROBLEM_CONNECTION), { now, holdMs: 0 }).next!;
    const d = decide({ ...first, pending: [] }, obs('OK'), { now, holdMs: 0 });
    expect(d.event).toMatchObject({ health: 'recovered' });
  });

  it('writes nothing for an unchanged healthy ESM', () => {
    const first = decide(undefined, obs('OK'), { now, holdMs: 300_000 }).next!;
    expect(decide({ ...first, pending: [] }, obs('OK'), { now, holdMs: 300_000 })).toEqual({});
  });
});
