/**
 * The organization-wide fan-out: one watcher invocation per account-region scope (a per-scope
 * EventBridge Scheduler schedule, infra/stack.ts). Each invocation reads its scope only, never a
 * scope it was not configured with, and fails (so the schedule's retry and the alarm see it) when
 * its scope could not be read.
 */
import { eventBridgePublisher } from '../../bot/alerts/publisher';
import { MemoryWatchStore, scopeKey } from '../../bot/alerts/watch-store';
import { createWatcher, WatcherFailed, type Watcher } from '../../bot/alerts/watcher';
import { createLogger } from '../../bot/slack/log';
import { FakeClock, FakeEventBridge, FakeLambda, kafkaEsm, PROBLEM_CONNECTION, uuidOf } from './support/fakes';

const HUB = '111111111111';
const MEMBER = '222222222222';
const REGIONS = ['eu-west-1', 'us-east-1'];
const silent = createLogger({ sink: () => undefined });

function setup() {
  const lambdas = new Map<string, FakeLambda>();
  for (const account of [HUB, MEMBER]) for (const region of REGIONS) lambdas.set(`${account}#${region}`, new FakeLambda());
  const events = new FakeEventBridge();
  const store = new MemoryWatchStore();
  const asked: string[] = [];
  const watcher = createWatcher({
    store,
    publisher: eventBridgePublisher(events, 'esm-doctor', { sleep: async () => undefined }),
    accounts: [{ key: HUB, account: HUB }, { key: MEMBER, account: MEMBER }],
    regions: REGIONS,
    lambdaFor: (account, region) => {
      asked.push(`${account}#${region}`);
      return lambdas.get(`${account}#${region}`)!;
    },
    now: new FakeClock().now,
    logger: silent,
  });
  return { lambdas, events, store, asked, watcher };
}

describe('watcher.runScope (one invocation per account-region)', () => {
  it('reads only its own scope and publishes only its transitions', async () => {
    const { lambdas, events, store, asked, watcher } = setup();
    lambdas.get(`${MEMBER}#us-east-1`)!.set(kafkaEsm(uuidOf(1), { lastProcessingResult: PROBLEM_CONNECTION }));
    lambdas.get(`${HUB}#eu-west-1`)!.set(kafkaEsm(uuidOf(2), { lastProcessingResult: PROBLEM_CONNECTION }));

    const run = await watcher.runScope(MEMBER, 'us-east-1');

    expect(asked).toEqual([`${MEMBER}#us-east-1`]);
    expect(run.scopes.map((s) => [s.scope, s.listed])).toEqual([[scopeKey(MEMBER, 'us-east-1'), 1]]);
    expect(run.published).toBe(1);
    expect(events.changes().map((c) => c.uuid)).toEqual([uuidOf(1)]);
    expect(await store.load(scopeKey(HUB, 'eu-west-1'))).toEqual([]);
  });

  it('writes nothing on a minute where nothing changed', async () => {
    const { lambdas, store, watcher } = setup();
    lambdas.get(`${HUB}#eu-west-1`)!.set(...Array.from({ length: 250 }, (_, i) => kafkaEsm(uuidOf(i + 1))));
    await watcher.runScope(HUB, 'eu-west-1');
    const writes = jest.spyOn(store, 'write');
    const run = await watcher.runScope(HUB, 'eu-west-1');
    expect(run.scopes[0]).toMatchObject({ listed: 250, pages: 3, transitions: 0 });
    expect(writes).not.toHaveBeenCalled();
  });

  it('ignores a scope it was not configured with, without reading anything', async () => {
    const { asked, watcher } = setup();
    expect(await watcher.runScope('333333333333', 'eu-west-1')).toMatchObject({ scopes: [], ignored: 'account 333333333333 is not watched' });
    expect(await watcher.runScope(HUB, 'ap-south-1')).toMatchObject({ scopes: [], ignored: 'region ap-south-1 is not watched' });
    expect(asked).toEqual([]);
  });

  it('throws WatcherFailed when its scope cannot be read, so the invocation counts as failed', async () => {
    const { lambdas, watcher } = setup();
    const lambda = lambdas.get(`${MEMBER}#eu-west-1`)!;
    jest.spyOn(lambda, 'send').mockRejectedValue(Object.assign(new Error('User is not authorized to perform: lambda:ListEventSourceMappings'), { name: 'AccessDeniedException' }));
    await expect(watcher.runScope(MEMBER, 'eu-west-1')).rejects.toBeInstanceOf(WatcherFailed);
  });
});

describe('handlers/watcher routing', () => {
  const fake: jest.Mocked<Watcher> = { runAll: jest.fn(), runOne: jest.fn(), runScope: jest.fn() };
  let handler: (event: unknown) => Promise<unknown>;

  beforeAll(() => {
    jest.doMock('../../bot/alerts/aws', () => ({ watcherFromEnv: () => fake }));
    handler = (require('../../bot/handlers/watcher') as { handler: typeof handler }).handler; // eslint-disable-line @typescript-eslint/no-require-imports
  });

  beforeEach(() => jest.resetAllMocks());

  it('runs the one scope a per-scope schedule names', async () => {
    fake.runScope.mockResolvedValue({ trigger: 'schedule', scopes: [], published: 0, unpublished: 0 });
    await handler({ source: 'esm-doctor.schedule', account: MEMBER, region: 'us-east-1' });
    expect(fake.runScope).toHaveBeenCalledWith(MEMBER, 'us-east-1');
    expect(fake.runAll).not.toHaveBeenCalled();
  });

  it('still runs every scope on the single EventBridge schedule', async () => {
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', id: 'x', time: '2026-12-06T10:00:00Z' });
    expect(fake.runAll).toHaveBeenCalledTimes(1);
    expect(fake.runScope).not.toHaveBeenCalled();
  });

  it('rejects a malformed scope without running anything', async () => {
    const res = await handler({ source: 'esm-doctor.schedule', account: 'arn:aws:iam::222222222222:role/x', region: 'us-east-1' });
    expect(res).toMatchObject({ rejected: expect.any(String) });
    expect(fake.runScope).not.toHaveBeenCalled();
    expect(fake.runAll).not.toHaveBeenCalled();
  });
});
