/**
 * The watcher's and the alert store's AWS calls against moto (test/support/moto.ts): Kafka ESMs
 * listed with the real SDK from moto_ext, state kept in a real (emulated) DynamoDB table with
 * conditional writes, events published with the real PutEvents and routed by the same rule pattern
 * the stack deploys. Skips, saying why, where python3 or moto is missing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoAlertStore } from '../../bot/alerts/alert-store-dynamodb';
import { eventBridgePublisher } from '../../bot/alerts/publisher';
import { DynamoWatchStore, documentClient } from '../../bot/alerts/watch-store-dynamodb';
import { scopeKey } from '../../bot/alerts/watch-store';
import { createWatcher } from '../../bot/alerts/watcher';
import { createLogger } from '../../bot/slack/log';
import { alertPattern } from '../../infra/stack';
import { motoGate, type Moto } from '../support/moto';
import { awsClients, createExecutionRole, createFunction, SEED_ACCOUNT, SEED_REGION, setEsmStatus, type AwsClients } from '../support/aws-seed';
import { captureBus, clientConfig, createBus, createTable } from './support/moto-aws';
import { FakeClock, PROBLEM_CONNECTION } from './support/fakes';

const gate = motoGate('the moto tests of the alert path');
let moto: Moto | undefined;
let c: AwsClients;

beforeAll(async () => {
  if (gate.missing) return;
  moto = await gate.start();
}, 60_000);

afterAll(async () => {
  c?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  if (!moto) return;
  await moto.reset();
  c = awsClients({ endpoint: moto.endpoint });
});

const it_ = (name: string, fn: () => Promise<void>, timeout = 60_000) => gate.it(name, fn, timeout);

/** A function and n self-managed Kafka ESMs on it (one topic each), all Enabled / OK. */
async function seedEsms(n: number): Promise<string[]> {
  const { roleArn } = await createExecutionRole(c, { name: 'clickstream-ingest-role' });
  await createFunction(c, { name: 'clickstream-ingest', roleArn });
  const uuids: string[] = [];
  for (let i = 0; i < n; i++) {
    const esm = await c.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'clickstream-ingest',
        SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.clickstream.internal:9096', 'kafka-2.clickstream.internal:9096'] } },
        Topics: [`clicks-${i}`],
        StartingPosition: 'TRIM_HORIZON',
      }),
    );
    await setEsmStatus(moto!.endpoint, esm.UUID!, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK' });
    uuids.push(esm.UUID!);
  }
  return uuids;
}

function watcherAgainstMoto(clock: FakeClock) {
  const endpoint = moto!.endpoint;
  const store = new DynamoWatchStore({ table: 'esm-doctor', client: documentClient(new DynamoDBClient(clientConfig(endpoint))) });
  const lambda = new LambdaClient(clientConfig(endpoint));
  const watcher = createWatcher({
    store,
    publisher: eventBridgePublisher(new EventBridgeClient(clientConfig(endpoint)), 'esm-doctor'),
    accounts: [{ key: SEED_ACCOUNT, account: SEED_ACCOUNT }],
    regions: [SEED_REGION],
    lambdaFor: () => lambda,
    now: clock.now,
    logger: createLogger({ sink: () => undefined }),
  });
  return { watcher, store };
}

describe('the watcher against moto', () => {
  it_('lists Kafka ESMs, keeps state in DynamoDB and publishes with PutEvents; the alert rule pattern routes failing and recovered, not a new healthy ESM', async () => {
    await createTable(moto!.endpoint, 'esm-doctor');
    await createBus(moto!.endpoint, 'esm-doctor');
    const alerts = await captureBus(moto!.endpoint, 'esm-doctor', 'alerts', alertPattern());
    const everything = await captureBus(moto!.endpoint, 'esm-doctor', 'everything', { source: ['esm-doctor'] });
    const [a, b] = await seedEsms(2);
    const clock = new FakeClock();
    const { watcher, store } = watcherAgainstMoto(clock);

    const first = await watcher.runAll();
    expect(first.scopes[0]).toMatchObject({ listed: 2, pages: 1, transitions: 2, published: 2, unpublished: 0 });
    expect((await everything.drain()).map((e) => [e.detail.uuid, e.detail.health]).sort()).toEqual([[a, 'changed'], [b, 'changed']].sort());
    expect(await alerts.drain()).toEqual([]);

    await setEsmStatus(moto!.endpoint, a!, { LastProcessingResult: PROBLEM_CONNECTION });
    clock.advance(1);
    await watcher.runAll();
    const failing = await alerts.drain();
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({
      source: 'esm-doctor',
      'detail-type': 'ESM State Change',
      detail: { uuid: a, health: 'failing', eventSource: 'kafka-1.clickstream.internal:9096,kafka-2.clickstream.internal:9096', account: SEED_ACCOUNT, current: { lastProcessingResult: PROBLEM_CONNECTION } },
    });
    const records = await store.load(scopeKey(SEED_ACCOUNT, SEED_REGION));
    expect(records.find((r) => r.uuid === a)).toMatchObject({ health: 'failing', pending: [], version: 4 }) // written, settled, written, settled;

    await setEsmStatus(moto!.endpoint, a!, { LastProcessingResult: 'OK' });
    clock.advance(1);
    await watcher.runAll(); // healthy: the hold starts
    clock.advance(5);
    await watcher.runAll(); // held 5 minutes
    expect((await alerts.drain()).map((e) => e.detail.health)).toEqual(['recovered']);
  });

  it_('publishes each transition once when two runs overlap (conditional writes in DynamoDB)', async () => {
    await createTable(moto!.endpoint, 'esm-doctor');
    await createBus(moto!.endpoint, 'esm-doctor');
    const everything = await captureBus(moto!.endpoint, 'esm-doctor', 'everything', { source: ['esm-doctor'] });
    const uuids = await seedEsms(3);
    for (const u of uuids) await setEsmStatus(moto!.endpoint, u, { LastProcessingResult: PROBLEM_CONNECTION });
    const clock = new FakeClock();
    const one = watcherAgainstMoto(clock).watcher;
    const two = watcherAgainstMoto(clock).watcher;
    const runs = await Promise.all([one.runAll(), two.runAll(), one.runAll()]);
    expect(runs.reduce((n, r) => n + r.published, 0)).toBe(3);
    expect((await everything.drain()).map((e) => e.detail.uuid).sort()).toEqual([...uuids].sort());
  });

  it_('reports a deleted ESM and removes its record', async () => {
    await createTable(moto!.endpoint, 'esm-doctor');
    await createBus(moto!.endpoint, 'esm-doctor');
    const alerts = await captureBus(moto!.endpoint, 'esm-doctor', 'alerts', alertPattern());
    const [a] = await seedEsms(1);
    const clock = new FakeClock();
    const { watcher, store } = watcherAgainstMoto(clock);
    await watcher.runAll();
    const { DeleteEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
    await c.lambda.send(new DeleteEventSourceMappingCommand({ UUID: a }));
    clock.advance(1);
    await watcher.runAll();
    expect((await alerts.drain()).map((e) => [e.detail.uuid, e.detail.health, e.detail.current.state])).toEqual([[a, 'changed', 'Deleted']]);
    expect(await store.load(scopeKey(SEED_ACCOUNT, SEED_REGION))).toEqual([]);
  });
});

describe('the alert store against moto', () => {
  it_('claims once, releases, opens an alert once under concurrency, and spaces send slots 1.1 s apart', async () => {
    await createTable(moto!.endpoint, 'esm-doctor');
    const clock = new FakeClock();
    const store = new DynamoAlertStore({ table: 'esm-doctor', client: documentClient(new DynamoDBClient(clientConfig(moto!.endpoint))), now: () => clock.ms });
    const claims = await Promise.all([1, 2, 3].map(() => store.claim('event#e1', 3600)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.release('event#e1');
    expect(await store.claim('event#e1', 3600)).toBe(true);

    const record = { uuid: 'u1', status: 'opening' as const, channel: 'C0ALERTS', openedAt: clock.now().toISOString(), lastObservedAt: clock.now().toISOString(), history: [{ at: clock.now().toISOString(), text: 'Failing' }], version: 1, updatedAt: clock.now().toISOString() };
    const opens = await Promise.all([1, 2, 3].map(() => store.putAlert(record, undefined)));
    expect(opens.filter(Boolean)).toHaveLength(1);
    expect(await store.putAlert({ ...record, status: 'open', ts: '1.2', version: 2 }, 1)).toBe(true);
    expect(await store.putAlert({ ...record, status: 'closed', version: 2 }, 1)).toBe(false);
    expect(await store.getAlert('u1')).toMatchObject({ status: 'open', ts: '1.2', history: [{ text: 'Failing' }] });

    // The send lane: concurrent callers get distinct tickets, served one at a time; a call starts
    // only once the previous one's end + spacing has come; a dead holder is skipped after its lease.
    const lane = 'post#C0ALERTS';
    const tickets = await Promise.all(Array.from({ length: 5 }, () => store.takeTicket(lane, clock.ms, 3000)));
    expect(tickets.map((t) => t.ticket).sort()).toEqual([1, 2, 3, 4, 5]);
    const starts = await Promise.all([1, 2, 3].map((t) => store.startTurn(lane, t, clock.ms, 12_000)));
    expect(starts).toEqual([true, false, false]);
    await store.finishTurn(lane, 1, clock.ms + 1100, 3000);
    expect(await store.readLane(lane)).toEqual({ serving: 2, next: clock.ms + 1100, leaseUntil: clock.ms + 4100 });
    expect(await store.startTurn(lane, 2, clock.ms + 1099, 12_000)).toBe(false);
    expect(await store.skipTurn(lane, 2, clock.ms + 4100, clock.ms + 5200, 3000)).toBe(false);
    expect(await store.skipTurn(lane, 2, clock.ms + 4101, clock.ms + 5201, 3000)).toBe(true);
    expect(await store.startTurn(lane, 2, clock.ms + 5201, 12_000)).toBe(false);
    expect(await store.startTurn(lane, 3, clock.ms + 5201, 12_000)).toBe(true);
    await store.pauseTurn(lane, 3, clock.ms + 9000, 12_000);
    expect(await store.readLane(lane)).toMatchObject({ serving: 3, next: clock.ms + 9000 });

    await store.putStormMember('k', { uuid: 'u1', at: '2026-11-20T09:00:00.000Z', open: true, label: 'orders-consumer' });
    await store.putStormMember('k', { uuid: 'u2', at: '2026-11-20T09:01:00.000Z', open: false, label: 'orders-audit', closedAt: '2026-11-20T09:03:00.000Z' });
    expect((await store.stormMembers('k')).map((m) => m.uuid).sort()).toEqual(['u1', 'u2']);
    expect(await store.putStormParent('k', { channel: 'C0ALERTS', cluster: 'x', openedAt: '2026-11-20T09:00:00.000Z', version: 1 }, undefined)).toBe(true);
    expect(await store.putStormParent('k', { channel: 'C0ALERTS', cluster: 'x', openedAt: '2026-11-20T09:00:00.000Z', version: 1 }, undefined)).toBe(false);
  });
});
