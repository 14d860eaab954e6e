/**
 * One contract, two stores: in memory (local runs) and DynamoDB (AWS), the latter against moto.
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { MemoryStore, TTL, type SlackStore } from '../../bot/slack/store';
import { DynamoStore, TTL_ATTRIBUTE } from '../../bot/slack/store-dynamodb';
import { motoGate, type Moto } from '../support/moto';
import { ESM_UUID, failingReport } from './support/reports';

type Clock = { now: number };

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
