/**
 * One contract, two stores: in memory (local runs) and DynamoDB (AWS), the latter against moto.
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { MemoryStore, TTL, type FixRequest, type SlackStore } from '../../bot/slack/store';
import { sealPlan } from '../../bot/model/fix-plan';
import { DynamoStore, TTL_ATTRIBUTE } from '../../bot/slack/store-dynamodb';
import { motoGate, type Moto } from '../support/moto';
import { ESM_UUID, failingReport } from './support/reports';

type Clock = { now: number };

const PLAN = sealPlan({
  kind: 'esm-enable',
  check: 'esm.state',
  esm: { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' },
  steps: [
    {
      call: { service: 'lambda', operation: 'UpdateEventSourceMapping', params: { UUID: ESM_UUID, Enabled: true } },
      effect: 'Enables the mapping',
      undo: { service: 'lambda', operation: 'UpdateEventSourceMapping', params: { UUID: ESM_UUID, Enabled: false } },
      command: `aws lambda update-event-source-mapping --uuid ${ESM_UUID} --enabled --region eu-west-1`,
      undoCommand: `aws lambda update-event-source-mapping --uuid ${ESM_UUID} --no-enabled --region eu-west-1`,
    },
  ],
});

function contract(name: string, make: (clock: Clock) => Promise<SlackStore | undefined>, test: jest.It = it) {
  describe(name, () => {
    const clock: Clock = { now: Date.parse('2026-11-20T09:14:00Z') };
    let store: SlackStore | undefined;
    beforeEach(async () => {
      clock.now = Date.parse('2026-11-20T09:14:00Z');
      store = await make(clock);
    });
    const run = (title: string, body: (s: SlackStore) => Promise<void>) =>
      test(title, async () => {
        if (!store) throw new Error(`${name}: no store was made`);
        await body(store);
      });

    run('keeps the last report of a message, keyed by channel and ts', async (s) => {
      const report = failingReport();
      const target = { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' };
      await s.putMessage({ channel: 'C0INCIDENT', ts: '1763630000.000101', target, report });
      expect(await s.getMessage('C0INCIDENT', '1763630000.000101')).toEqual({ channel: 'C0INCIDENT', ts: '1763630000.000101', target, report });
      expect(await s.getMessage('C0INCIDENT', '1763630000.000102')).toBeUndefined();
      const rerun = { by: 'U0BOB', at: '2026-11-20T09:20:00.000Z' };
      await s.putMessage({ channel: 'C0INCIDENT', ts: '1763630000.000101', target, report, rerun });
      expect((await s.getMessage('C0INCIDENT', '1763630000.000101'))?.rerun).toEqual(rerun);
    });

    run('forgets a message after its TTL even before DynamoDB deletes it', async (s) => {
      const target = { uuid: ESM_UUID, region: 'eu-west-1' };
      await s.putMessage({ channel: 'C0INCIDENT', ts: '1.000001', target, report: failingReport() });
      clock.now += (TTL.messageSeconds + 1) * 1000;
      expect(await s.getMessage('C0INCIDENT', '1.000001')).toBeUndefined();
    });

    run('records one acknowledgement per ESM and cause, and says who has it', async (s) => {
      const first = { uuid: ESM_UUID, cause: 'network.sg-broker-ingress', by: 'U0ALICE', at: '2026-11-20T09:15:00.000Z', channel: 'C0INCIDENT', ts: '1.000001' };
      expect(await s.acknowledge(first)).toEqual({ recorded: true, ack: first });
      expect(await s.acknowledge({ ...first, by: 'U0BOB' })).toEqual({ recorded: false, existing: first });
      expect(await s.isAcknowledged(ESM_UUID, 'network.sg-broker-ingress')).toBe(true);
      expect(await s.isAcknowledged(ESM_UUID, 'iam.execution-role')).toBe(false);
    });

    run('takes a new acknowledgement when the cause changes, and none after recovery', async (s) => {
      await s.acknowledge({ uuid: ESM_UUID, cause: 'network.sg-broker-ingress', by: 'U0ALICE', at: 'a' });
      expect(await s.acknowledge({ uuid: ESM_UUID, cause: 'iam.execution-role', by: 'U0BOB', at: 'b' })).toMatchObject({ recorded: true });
      expect(await s.isAcknowledged(ESM_UUID, 'network.sg-broker-ingress')).toBe(false);
      await s.clearAcknowledgement(ESM_UUID);
      expect(await s.getAcknowledgement(ESM_UUID)).toBeUndefined();
      expect(await s.isAcknowledged(ESM_UUID, 'iam.execution-role')).toBe(false);
    });

    run('claims a key once, and again only after the claim expires', async (s) => {
      expect(await s.claim('job#cmd#trig-1', 60)).toBe(true);
      expect(await s.claim('job#cmd#trig-1', 60)).toBe(false);
      expect(await s.claim('job#cmd#trig-2', 60)).toBe(true);
      clock.now += 61_000;
      expect(await s.claim('job#cmd#trig-1', 60)).toBe(true);
    });

    run('gives two concurrent claims of one key one winner', async (s) => {
      const results = await Promise.all(Array.from({ length: 5 }, () => s.claim('job#race')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    const fixRequest = (id: string, over: Partial<FixRequest> = {}): FixRequest => ({
      hash: PLAN.hash,
      id,
      state: 'pending',
      plan: PLAN,
      target: { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' },
      channel: 'C0INCIDENT',
      ts: '1763630000.000101',
      requestedBy: 'U0ALICE',
      requestedAt: new Date(clock.now).toISOString(),
      expiresAt: new Date(clock.now + 15 * 60_000).toISOString(),
      ...over,
    });

    run('keeps one live fix request per plan; a new one once it expired or finished', async (s) => {
      const first = fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f01');
      expect(await s.createFixRequest(first)).toEqual({ created: true, request: first });
      expect(await s.getFixRequest(PLAN.hash)).toEqual(first);
      const second = fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f02', { requestedBy: 'U0BOB' });
      expect(await s.createFixRequest(second)).toEqual({ created: false, existing: first });
      clock.now += 15 * 60_000 + 1000;
      const third = fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f03');
      expect(await s.createFixRequest(third)).toMatchObject({ created: true });
      expect(await s.updateFixRequest(PLAN.hash, third.id, ['pending'], { state: 'cancelled', closedBy: 'U0ALICE' })).toMatchObject({ state: 'cancelled', closedBy: 'U0ALICE' });
      expect(await s.createFixRequest(fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f04'))).toMatchObject({ created: true });
    });

    run('moves a fix request only from the expected state and only for its own id, once under a race', async (s) => {
      const r = fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f05');
      await s.createFixRequest(r);
      expect(await s.updateFixRequest(PLAN.hash, 'another-id', ['pending'], { state: 'approved' })).toBeUndefined();
      expect(await s.updateFixRequest(PLAN.hash, r.id, ['approved'], { state: 'applying' })).toBeUndefined();
      const approvals = await Promise.all(['U0BOB', 'U0CAROL', 'U0BOB'].map((by) => s.updateFixRequest(PLAN.hash, r.id, ['pending'], { state: 'approved', approvedBy: by })));
      expect(approvals.filter(Boolean)).toHaveLength(1);
      const claimed = await s.updateFixRequest(PLAN.hash, r.id, ['approved'], { state: 'applying' });
      expect(claimed).toMatchObject({ state: 'applying', plan: PLAN, expiresAt: r.expiresAt });
      expect(await s.createFixRequest(fixRequest('6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f06'))).toMatchObject({ created: false });
      expect(await s.updateFixRequest(PLAN.hash, r.id, ['approved'], { state: 'applying' })).toBeUndefined();
    });
  });
}

contract('MemoryStore', async (clock) => new MemoryStore(() => clock.now));

describe('DynamoStore (moto)', () => {
  const gate = motoGate('DynamoStore tests');
  let moto: Moto | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  let table = 0;
  beforeAll(async () => {
    if (gate.missing) return;
    moto = await gate.start();
    const client = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }, 60000);
  afterAll(async () => {
    await moto?.stop();
  });

  async function freshTable(): Promise<string> {
    const name = `esm-doctor-${++table}`;
    await doc!.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await doc!.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
    return name;
  }

  contract('DynamoStore', async (clock) => (doc ? new DynamoStore({ table: await freshTable(), client: doc, now: () => clock.now }) : undefined), gate.it);

  gate.it('writes the TTL attribute, and the report as one JSON attribute', async () => {
    if (!doc) throw new Error('moto is not running');
    const name = await freshTable();
    const now = Date.parse('2026-11-20T09:14:00Z');
    const store = new DynamoStore({ table: name, client: doc, now: () => now });
    await store.putMessage({ channel: 'C0INCIDENT', ts: '1.000001', target: { uuid: ESM_UUID, region: 'eu-west-1' }, report: failingReport() });
    const item = (await doc.send(new GetCommand({ TableName: name, Key: { pk: 'msg#C0INCIDENT#1.000001', sk: 'report' } }))).Item!;
    expect(item[TTL_ATTRIBUTE]).toBe(Math.floor(now / 1000) + TTL.messageSeconds);
    expect(JSON.parse(item.report).pollerMode).toBe('on-demand');
  });
});
