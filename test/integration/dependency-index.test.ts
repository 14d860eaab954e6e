/**
 * The deployed dependency index against moto: a real (emulated) DynamoDB table, ESMs created,
 * updated and deleted through the real SDK (moto_ext's Kafka ESMs), the watcher keeping the index,
 * a diagnosis refreshing it, and the pre-alert's impact run reading it instead of listing the
 * account. Skipped, saying why, where python3 or moto is missing.
 */
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventBridgePublisher } from '../../bot/alerts/publisher';
import { MemoryWatchStore } from '../../bot/alerts/watch-store';
import { createWatcher, type Watcher } from '../../bot/alerts/watcher';
import { documentClient } from '../../bot/store/dynamodb';
import { createClients, type AwsClients } from '../../bot/collect/clients';
import { diagnose } from '../../bot/diagnose';
import type { Dependencies } from '../../bot/impact/dependencies';
import { indexedDependents, indexScope, recordingDependencies } from '../../bot/impact/dependency-index';
import { DynamoDependencyIndex } from '../../bot/impact/dependency-index-dynamodb';
import { parseCall } from '../../bot/impact/events';
import { refreshIndexScope } from '../../bot/impact/index-refresh';
import { assessImpact } from '../../bot/impact/run';
import { keyOf } from '../../bot/impact/resources';
import { createLogger } from '../../bot/slack/log';
import { clientConfig, createTable } from '../alerts/support/moto-aws';
import { FakeEventBridge } from '../alerts/support/fakes';
import { createClusterSecurityGroup, createExecutionRole, SEED_ACCOUNT, SEED_REGION, seedSelfManaged, setEsmStatus, type SelfManagedScenario } from '../support/aws-seed';
import { withMoto, useMotoEnv } from './harness';

const TABLE = 'esm-doctor';
const SCOPE = indexScope(SEED_ACCOUNT, SEED_REGION);

withMoto('the dependency index against moto', (ctx) => {
  let index: DynamoDependencyIndex;
  let raw: DynamoDBClient;
  useMotoEnv(ctx);

  // The collector clients take their credentials from the environment, as on Lambda.
  afterAll(() => {
  });

  beforeEach(async () => {
    await createTable(ctx.moto().endpoint, TABLE);
    raw = new DynamoDBClient(clientConfig(ctx.moto().endpoint));
    index = new DynamoDependencyIndex({ table: TABLE, client: documentClient(raw) });
  });
  afterEach(() => raw.destroy());

  const clients = () => createClients(SEED_REGION, { env: ctx.moto().env, maxAttempts: 1 });
  const uuidsUnder = async (key: string) => (await index.dependents(SCOPE, [key])).map((d) => d.uuid).sort();

  function watcherWithIndex(): Watcher {
    const lambda = clients().lambda;
    return createWatcher({
      store: new MemoryWatchStore(),
      publisher: eventBridgePublisher(new FakeEventBridge() as never, 'esm-doctor', { sleep: async () => undefined }),
      accounts: [{ key: SEED_ACCOUNT, account: SEED_ACCOUNT }],
      regions: [SEED_REGION],
      lambdaFor: () => lambda,
      logger: createLogger({ sink: () => undefined }),
      dependencies: { index, clientsFor: async () => clients() },
    });
  }

  /** A second security group in the ESM's VPC, and the ESM moved onto it (UpdateEventSourceMapping). */
  async function moveToNewGroup(s: SelfManagedScenario): Promise<string> {
    const sgB = await createClusterSecurityGroup(ctx.aws(), s.network.vpcId, { port: 9096, selfReferencingRule: true, name: 'clickstream-b' });
    await ctx.aws().lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: s.uuid,
        SourceAccessConfigurations: [
          { Type: 'SASL_SCRAM_512_AUTH', URI: s.secretArn },
          ...s.network.privateSubnetIds.slice(0, 2).map((id) => ({ Type: 'VPC_SUBNET' as const, URI: `subnet:${id}` })),
          { Type: 'VPC_SECURITY_GROUP', URI: `security_group:${sgB}` },
        ],
      }),
    );
    return sgB;
  }

  it('the store replaces an ESM\'s keys in one transaction, writes nothing when they did not change, and removes everything of a deleted ESM', async () => {
    const deps = (keys: string[]): Dependencies => ({ uuid: 'a1b2c3d4-0000-4000-8000-000000000001', arn: `arn:aws:lambda:${SEED_REGION}:${SEED_ACCOUNT}:event-source-mapping:a1b2c3d4-0000-4000-8000-000000000001`, functionArn: `arn:aws:lambda:${SEED_REGION}:${SEED_ACCOUNT}:function:orders`, keys: keys.sort() });
    const now = new Date().toISOString();
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'subnet-0111', 'role/orders']), 'c1', now)).toEqual({ outcome: 'written', writes: 4 });
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'subnet-0111', 'role/orders']), 'c1', now)).toEqual({ outcome: 'unchanged', writes: 0 });
    // Moved from sg-0aaa to sg-0bbb: the ESM item, one key item put, one deleted.
    expect(await index.record(SCOPE, deps(['sg-0bbb', 'subnet-0111', 'role/orders']), 'c2', now)).toEqual({ outcome: 'written', writes: 3 });
    expect(await uuidsUnder('sg-0aaa')).toEqual([]);
    expect(await uuidsUnder('sg-0bbb')).toEqual([deps([]).uuid]);
    expect(await index.dependents(SCOPE, ['sg-0bbb', 'subnet-0111', 'sg-0nothing'])).toEqual([{ uuid: deps([]).uuid, arn: deps([]).arn, functionArn: deps([]).functionArn }]);
    expect(await index.load(SCOPE)).toEqual([expect.objectContaining({ uuid: deps([]).uuid, keys: ['role/orders', 'sg-0bbb', 'subnet-0111'], config: 'c2', version: 2 })]);

    // An ESM with more keys than one transaction holds (100 items) still ends up whole.
    const many = Array.from({ length: 150 }, (_, i) => `vpce-${(0x1000 + i).toString(16)}`);
    expect((await index.record(SCOPE, deps(many), 'c3', now)).outcome).toBe('written');
    expect((await index.load(SCOPE))[0]!.keys).toHaveLength(150);
    expect(await uuidsUnder(many[149]!)).toEqual([deps([]).uuid]);
    expect(await uuidsUnder('sg-0bbb')).toEqual([]);

    expect(await index.remove(SCOPE, deps([]).uuid)).toEqual({ outcome: 'written', writes: 151 });
    expect(await index.load(SCOPE)).toEqual([]);
    expect(await uuidsUnder(many[0]!)).toEqual([]);
  }, 60_000);

  it('two diagnoses recording the same ESM at once leave its key items equal to its recorded keys (conditional transaction, retried)', async () => {
    const base = { uuid: 'a1b2c3d4-0000-4000-8000-000000000002', functionArn: `arn:aws:lambda:${SEED_REGION}:${SEED_ACCOUNT}:function:orders` };
    const now = new Date().toISOString();
    await index.record(SCOPE, { ...base, keys: ['sg-0aaa'] }, 'c1', now);
    const outcomes = await Promise.all([index.record(SCOPE, { ...base, keys: ['sg-0bbb'] }, 'c2', now), index.record(SCOPE, { ...base, keys: ['sg-0ccc'] }, 'c3', now)]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['written', 'written']);
    const [entry] = await index.load(SCOPE);
    expect(entry!.version).toBe(3);
    for (const key of ['sg-0aaa', 'sg-0bbb', 'sg-0ccc']) expect(await uuidsUnder(key)).toEqual(entry!.keys.includes(key) ? [base.uuid] : []);
  }, 60_000);

  it('ignores items that are not what it wrote (zod on every read)', async () => {
    await raw.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `deps#${SCOPE}` }, sk: { S: 'esm#broken' }, uuid: { S: 'broken' }, keys: { S: 'not a list' } } }));
    await raw.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `deps#${SCOPE}#sg-0aaa` }, sk: { S: 'esm#broken' }, functionArn: { N: '1' } } }));
    await raw.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `deps#${SCOPE}` }, sk: { S: 'swept' }, at: { N: '5' } } }));
    expect(await index.load(SCOPE)).toEqual([]);
    expect(await index.dependents(SCOPE, ['sg-0aaa'])).toEqual([]);
    expect(await index.sweptAt(SCOPE)).toBeUndefined();
  }, 60_000);

  it('the watcher indexes a created ESM, moves it when its security group changes, and removes it when it is deleted', async () => {
    const s = await seedSelfManaged(ctx.aws(), ctx.moto());
    const watcher = watcherWithIndex();

    const created = await watcher.runAll();
    expect(created.scopes[0]!.index).toMatchObject({ refreshed: 1, written: 1, removed: 0, backlog: 0, swept: true });
    expect(await uuidsUnder(s.securityGroupId)).toEqual([s.uuid]);
    expect(await uuidsUnder(keyOf('secret', s.secretArn))).toEqual([s.uuid]);
    expect(await uuidsUnder('role/clickstream-ingest-role')).toEqual([s.uuid]);
    expect(await uuidsUnder(s.network.privateSubnetIds[0]!)).toEqual([s.uuid]);
    expect(await index.sweptAt(SCOPE)).toBeDefined();

    // A quiet minute: no dependency read, no index write.
    expect((await watcher.runAll()).scopes[0]!.index).toMatchObject({ refreshed: 0, writes: 0, swept: true });

    const sgB = await moveToNewGroup(s);
    const moved = await watcher.runAll();
    expect(moved.scopes[0]!.index).toMatchObject({ refreshed: 1, written: 1, writes: 3 });
    expect(await uuidsUnder(s.securityGroupId)).toEqual([]);
    expect(await uuidsUnder(sgB)).toEqual([s.uuid]);

    await ctx.aws().lambda.send(new DeleteEventSourceMappingCommand({ UUID: s.uuid }));
    const deleted = await watcher.runAll();
    expect(deleted.scopes[0]!.index).toMatchObject({ removed: 1 });
    expect(await uuidsUnder(sgB)).toEqual([]);
    expect(await index.load(SCOPE)).toEqual([]);
  }, 120_000);

  it('renews an entry older than a day: the function\'s new execution role (no ESM change) moves the role key; the same keys only move refreshedAt', async () => {
    const s = await seedSelfManaged(ctx.aws(), ctx.moto());
    const listing = async () => (await ctx.aws().lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const start = Date.now();
    const at = (hours: number) => new Date(start + hours * 3600_000);
    const runListed = async (hours: number) => refreshIndexScope(index, async () => clients(), SCOPE, await listing(), { startedAt: at(hours), now: () => at(hours) });

    expect(await runListed(0)).toMatchObject({ refreshed: 1, written: 1 });
    expect(await uuidsUnder('role/clickstream-ingest-role')).toEqual([s.uuid]);
    // Someone gives the function another role: the ESM's configuration, and so its config hash, stay the same.
    const other = await createExecutionRole(ctx.aws(), { name: 'clickstream-ingest-role-v2', secrets: [{ secretArn: s.secretArn }] });
    await ctx.aws().lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.functionName, Role: other.roleArn }));
    // Within the day: nothing is read.
    expect(await runListed(1)).toMatchObject({ refreshed: 0, renewed: 0, writes: 0 });
    expect(await uuidsUnder('role/clickstream-ingest-role')).toEqual([s.uuid]);
    // A day on: the entry is re-read and the role key moves.
    expect(await runListed(25)).toMatchObject({ refreshed: 1, written: 1, renewed: 0 });
    expect(await uuidsUnder('role/clickstream-ingest-role')).toEqual([]);
    expect(await uuidsUnder('role/clickstream-ingest-role-v2')).toEqual([s.uuid]);
    // Another day, nothing changed: one write moves refreshedAt, and the next run reads nothing.
    expect(await runListed(50)).toMatchObject({ refreshed: 1, written: 0, renewed: 1, writes: 1 });
    expect((await index.load(SCOPE))[0]!.refreshedAt).toBe(at(50).toISOString());
    expect(await runListed(51)).toMatchObject({ refreshed: 0, writes: 0 });
  }, 120_000);

  it('the watcher\'s CloudTrail path (one ESM) indexes it when created or updated and removes it when deleted', async () => {
    const s = await seedSelfManaged(ctx.aws(), ctx.moto());
    const watcher = watcherWithIndex();
    const one = (eventName: string) => watcher.runOne({ uuid: s.uuid, region: SEED_REGION, account: SEED_ACCOUNT, eventName });

    expect((await one('CreateEventSourceMapping20150331')).scopes[0]!.index).toMatchObject({ refreshed: 1, written: 1 });
    expect(await uuidsUnder(s.securityGroupId)).toEqual([s.uuid]);
    const sgB = await moveToNewGroup(s);
    await one('UpdateEventSourceMapping20150331');
    expect(await uuidsUnder(s.securityGroupId)).toEqual([]);
    expect(await uuidsUnder(sgB)).toEqual([s.uuid]);
    await ctx.aws().lambda.send(new DeleteEventSourceMappingCommand({ UUID: s.uuid }));
    expect((await one('DeleteEventSourceMapping20150331')).scopes[0]!.index).toMatchObject({ removed: 1 });
    expect(await uuidsUnder(sgB)).toEqual([]);
  }, 120_000);

  it('a deployed diagnosis records the diagnosed ESM\'s dependencies, and a later one moves them', async () => {
    const s = await seedSelfManaged(ctx.aws(), ctx.moto());
    const diagnosing = recordingDependencies(diagnose, index);
    const { report } = await diagnosing({ uuid: s.uuid, region: SEED_REGION }, { clients: clients() });
    expect(report.target.uuid).toBe(s.uuid);
    expect(await uuidsUnder(s.securityGroupId)).toEqual([s.uuid]);
    expect(await uuidsUnder(`function/${s.functionName}`)).toEqual([s.uuid]);
    const sgB = await moveToNewGroup(s);
    await diagnosing({ uuid: s.uuid, region: SEED_REGION }, { clients: clients() });
    expect(await uuidsUnder(s.securityGroupId)).toEqual([]);
    expect(await uuidsUnder(sgB)).toEqual([s.uuid]);
  }, 120_000);

  it('the pre-alert\'s impact run takes the dependents from a swept index without listing the account, and reads live when the index cannot answer', async () => {
    const s = await seedSelfManaged(ctx.aws(), ctx.moto());
    // A second ESM on another function, in the same VPC but not on the cluster's group: not a dependent.
    const other = await ctx.aws().lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: s.functionName,
        SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-9.audit.internal:9092'] } },
        Topics: ['audit'],
        StartingPosition: 'LATEST',
      }),
    );
    await setEsmStatus(ctx.moto().endpoint, other.UUID!, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK' });
    await watcherWithIndex().runAll();

    const call = parseCall(revokeEvent(s.securityGroupId));
    const run = async (lookup: (keys: string[]) => ReturnType<typeof indexedDependents>) => {
      const c = clients();
      const sent = countCommands(c);
      // The re-diagnoses get clients of their own: what is counted is the search for dependents alone.
      const result = await assessImpact(call, { clients: c, region: SEED_REGION, dependents: lookup, diagnose: (target) => diagnose(target, { clients: clients() }) });
      return { result, sent };
    };

    const fromIndex = await run((keys) => indexedDependents(index, SCOPE, keys));
    expect(fromIndex.sent).toEqual([]);
    expect(fromIndex.result.esms.map((e) => e.uuid)).toEqual([s.uuid]);

    // The watcher has not swept for longer than the index may be trusted: live.
    const later = new Date(Date.now() + 10 * 60_000);
    const stale = await run((keys) => indexedDependents(index, SCOPE, keys, { now: later }));
    expect(stale.sent).toContain('ListEventSourceMappingsCommand');
    expect(stale.result.esms.map((e) => e.uuid)).toEqual([s.uuid]);

    // A resource the index has no entry for: live.
    const unknown = parseCall(revokeEvent('sg-0123456789abcdef0'));
    const c = clients();
    const sent = countCommands(c);
    const none = await assessImpact(unknown, { clients: c, region: SEED_REGION, dependents: (keys) => indexedDependents(index, SCOPE, keys), diagnose: (target) => diagnose(target, { clients: clients() }) });
    expect(sent).toContain('ListEventSourceMappingsCommand');
    expect(none.esms).toEqual([]);
  }, 120_000);
});

/** The command names a set of clients sends (a middleware on each client). */
function countCommands(c: AwsClients): string[] {
  const names: string[] = [];
  type Stack = { add(mw: (next: (a: unknown) => unknown, context: { commandName?: string }) => (a: unknown) => unknown, options: { step: 'initialize' }): void };
  for (const client of [c.lambda, c.kafka, c.ec2, c.secretsManager, c.kms]) {
    (client.middlewareStack as unknown as Stack).add(
      (next, context) => (args) => {
        names.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
  }
  return names;
}

/** The fixture's RevokeSecurityGroupIngress (EventBridge's envelope) on `groupId`, now. */
function revokeEvent(groupId: string): Record<string, unknown> {
  const event = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/cloudtrail/revoke-security-group-ingress.json'), 'utf8')) as { detail: Record<string, unknown>; time: string };
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  event.detail.requestParameters = { groupId, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 9096, toPort: 9096, groups: { items: [{ groupId }] } }] } };
  event.detail.eventTime = time;
  event.time = time;
  delete event.detail.resources;
  return event;
}
