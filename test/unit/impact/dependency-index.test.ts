/**
 * The dependency index's decisions, without AWS: what counts as a configuration change, when the
 * pre-alert trusts the index, what a diagnosis records (and that it never fails because of the
 * index), and the watcher refresh's bounds. The DynamoDB store and the whole loop run against moto
 * in test/integration/dependency-index.test.ts.
 */
import type { DependencyClients } from '../../../bot/collect/dependencies';
import { grantsFor } from '../../../bot/collect/iam-actions';
import { configHash, indexedDependents, indexScope, keysIncomplete, MemoryDependencyIndex, recordingDependencies, scopeOfEsm } from '../../../bot/impact/dependency-index';
import type { Dependencies } from '../../../bot/impact/dependencies';
import { refreshIndexScope } from '../../../bot/impact/index-refresh';
import type { EsmConfig, Snapshot } from '../../../bot/model/snapshot';
import { ACCOUNT, kafkaEsm, REGION, uuidOf } from '../../alerts/support/fakes';

const SCOPE = indexScope(ACCOUNT, REGION);
const NOW = new Date('2026-12-06T10:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function esm(sg: string, extra: Partial<EsmConfig> = {}): EsmConfig {
  return {
    UUID: uuidOf(1),
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuidOf(1)}`,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:clickstream-ingest`,
    SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.clickstream.internal:9096'] } },
    SourceAccessConfigurations: [
      { Type: 'SASL_SCRAM_512_AUTH', URI: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:kafka/clickstream/scram-AbCdEf` },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0a11aa11aa11aa111' },
      { Type: 'VPC_SECURITY_GROUP', URI: `security_group:${sg}` },
    ],
    State: 'Enabled',
    ...extra,
  } as EsmConfig;
}

const deps = (keys: string[], uuid = uuidOf(1)): Dependencies => ({ uuid, functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:clickstream-ingest`, keys: [...keys].sort() });

describe('configHash: what of an ESM its dependencies follow from', () => {
  it('changes when the security group, the secret or the function changes, not with state, batch size or the order of the access configurations', () => {
    const base = configHash(esm('sg-0aaa'));
    expect(configHash(esm('sg-0aaa', { State: 'Disabled', BatchSize: 10 } as Partial<EsmConfig>))).toBe(base);
    const reordered = esm('sg-0aaa');
    reordered.SourceAccessConfigurations = [...reordered.SourceAccessConfigurations!].reverse();
    expect(configHash(reordered)).toBe(base);
    expect(configHash(esm('sg-0bbb'))).not.toBe(base);
    expect(configHash(esm('sg-0aaa', { FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other` }))).not.toBe(base);
  });

  it('scopes an ESM by the account and region of its ARN', () => {
    expect(scopeOfEsm(esm('sg-0aaa').EventSourceMappingArn)).toBe(`${ACCOUNT}#${REGION}`);
    expect(scopeOfEsm(undefined)).toBeUndefined();
  });
});

describe('indexedDependents: when the pre-alert trusts the index', () => {
  it('answers from a scope swept within 5 minutes that has an entry for a touched key, and says "read live" otherwise', async () => {
    const index = new MemoryDependencyIndex();
    await index.record(SCOPE, deps(['sg-0aaa', 'subnet-0a11aa11aa11aa111']), 'c1', NOW.toISOString());
    // Never swept: nobody keeps this scope.
    expect(await indexedDependents(index, SCOPE, ['sg-0aaa'], { now: NOW })).toBeUndefined();
    await index.markSwept(SCOPE, NOW.toISOString());
    expect(await indexedDependents(index, SCOPE, ['sg-0aaa', 'sg-0zzz'], { now: minutes(4) })).toEqual([{ uuid: uuidOf(1), functionArn: deps([]).functionArn }]);
    // Swept, but the touched resource has no entry: a dependency formed since must not read as "none".
    expect(await indexedDependents(index, SCOPE, ['sg-0zzz'], { now: minutes(1) })).toBeUndefined();
    // The watcher has not swept for longer than it may: live.
    expect(await indexedDependents(index, SCOPE, ['sg-0aaa'], { now: minutes(6) })).toBeUndefined();
    expect(await indexedDependents(index, SCOPE, ['sg-0aaa'], { now: minutes(6), maxAgeMs: 10 * 60_000 })).toHaveLength(1);
  });

  it('reads live when the index cannot be read, and says why', async () => {
    const index = new MemoryDependencyIndex();
    index.sweptAt = async () => {
      throw Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' });
    };
    const errors: unknown[] = [];
    expect(await indexedDependents(index, SCOPE, ['sg-0aaa'], { onError: (e) => errors.push(e) })).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});

describe('recordingDependencies: every deployed diagnosis refreshes the entry', () => {
  const snapshot = (sg: string, routeTablesDenied = false) =>
    ({
      esm: esm(sg),
      network: {
        subnets: { ok: true, value: [{ SubnetId: 'subnet-0a11aa11aa11aa111', VpcId: 'vpc-0a1b2c3d', AvailabilityZone: 'eu-west-1a', CidrBlock: '10.30.1.0/24' }] },
        vpcId: 'vpc-0a1b2c3d',
        routeTables: routeTablesDenied
          ? { ok: false, error: { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', action: 'ec2:DescribeRouteTables' } }
          : { ok: true, value: [{ RouteTableId: 'rtb-0c33', Associations: [{ SubnetId: 'subnet-0a11aa11aa11aa111', RouteTableAssociationId: 'rtbassoc-0c33' }], Routes: [] }] },
      },
    }) as unknown as Snapshot;
  const report = { verdict: 'healthy' };

  it('records the diagnosed ESM\'s keys, moves them on the next diagnosis, and does not let a partly denied read drop keys', async () => {
    const index = new MemoryDependencyIndex();
    let next = snapshot('sg-0aaa');
    const diagnosing = recordingDependencies(async () => ({ report, snapshot: next }), index, { now: () => NOW });
    await diagnosing();
    expect((await index.dependents(SCOPE, ['sg-0aaa'])).map((d) => d.uuid)).toEqual([uuidOf(1)]);
    expect((await index.dependents(SCOPE, ['rtb-0c33'])).map((d) => d.uuid)).toEqual([uuidOf(1)]);
    next = snapshot('sg-0bbb');
    await diagnosing();
    expect(await index.dependents(SCOPE, ['sg-0aaa'])).toEqual([]);
    expect((await index.dependents(SCOPE, ['sg-0bbb'])).map((d) => d.uuid)).toEqual([uuidOf(1)]);
    // DescribeRouteTables denied this time: the route table is still listed.
    next = snapshot('sg-0bbb', true);
    expect(keysIncomplete(next)).toBe(true);
    await diagnosing();
    expect((await index.dependents(SCOPE, ['rtb-0c33'])).map((d) => d.uuid)).toEqual([uuidOf(1)]);
  });

  it('returns the report when the index cannot be written', async () => {
    const index = new MemoryDependencyIndex();
    index.record = async () => {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
    };
    const errors: unknown[] = [];
    const diagnosing = recordingDependencies(async () => ({ report, snapshot: snapshot('sg-0aaa') }), index, { onError: (e) => errors.push(e) });
    await expect(diagnosing()).resolves.toEqual({ report, snapshot: expect.anything() });
    expect(errors).toHaveLength(1);
  });
});

describe('refreshIndexScope: the watcher\'s side', () => {
  /** Clients whose every read is denied: the keys then come from the ESM's own configuration only. */
  const denied = async (): Promise<DependencyClients> => {
    const send = async () => {
      throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    };
    return { lambda: { send }, kafka: { send }, ec2: { send }, secretsManager: { send }, kms: { send } } as unknown as DependencyClients;
  };
  const mappings = (n: number) => Array.from({ length: n }, (_, i) => kafkaEsm(uuidOf(i + 1), { selfManaged: ['kafka-1.clickstream.internal:9096'] }));

  it('reads at most maxRefreshes ESMs per run and marks the scope swept only once none is left', async () => {
    const index = new MemoryDependencyIndex();
    const first = await refreshIndexScope(index, denied, SCOPE, mappings(5), { startedAt: NOW, now: () => NOW, maxRefreshes: 3 });
    expect(first).toMatchObject({ refreshed: 3, written: 3, backlog: 2, swept: false });
    expect(await index.sweptAt(SCOPE)).toBeUndefined();
    const second = await refreshIndexScope(index, denied, SCOPE, mappings(5), { startedAt: minutes(1), now: () => minutes(1), maxRefreshes: 3 });
    expect(second).toMatchObject({ refreshed: 2, backlog: 0, swept: true });
    expect(await index.sweptAt(SCOPE)).toBe(minutes(1).toISOString());
    // A quiet run: no clients made, nothing read.
    let made = 0;
    const third = await refreshIndexScope(index, async () => (made++, denied()), SCOPE, mappings(5), { startedAt: minutes(2), now: () => minutes(2) });
    expect(third).toMatchObject({ refreshed: 0, writes: 0, swept: true });
    expect(made).toBe(0);
  });

  it('renews at most maxRenewals entries older than renewAfterMs per run, oldest first, only in the room maxRefreshes leaves, never holding the sweep back', async () => {
    const index = new MemoryDependencyIndex();
    await refreshIndexScope(index, denied, SCOPE, mappings(4), { startedAt: NOW, now: () => NOW });
    // uuid 3 was refreshed later than the others (a diagnosis): it is the youngest.
    const [third] = (await index.load(SCOPE)).filter((e) => e.uuid === uuidOf(3));
    await index.record(SCOPE, { uuid: third!.uuid, functionArn: third!.functionArn, ...(third!.arn ? { arn: third!.arn } : {}), keys: third!.keys }, third!.config, minutes(30).toISOString(), { renew: true });
    const read: string[] = [];
    const recording = { ...index, load: index.load.bind(index), remove: index.remove.bind(index), dependents: index.dependents.bind(index), markSwept: index.markSwept.bind(index), sweptAt: index.sweptAt.bind(index),
      record: (...args: Parameters<MemoryDependencyIndex['record']>) => (read.push(args[1].uuid), index.record(...args)) };
    const hours = (n: number) => new Date(NOW.getTime() + n * 3600_000);
    const day = await refreshIndexScope(recording, denied, SCOPE, mappings(4), { startedAt: hours(24.2), now: () => hours(24.2), maxRenewals: 2 });
    expect(read).toEqual([uuidOf(1), uuidOf(2)]);
    // Denied reads are incomplete: the entries stay as they were (no renewal), and the scope is swept all the same.
    expect(day).toMatchObject({ refreshed: 2, renewed: 0, written: 0, writes: 0, backlog: 0, swept: true });
    // A changed ESM comes first; renewals only fill what maxRefreshes leaves.
    read.length = 0;
    const changed = mappings(5);
    const tight = await refreshIndexScope(recording, denied, SCOPE, changed, { startedAt: hours(25), now: () => hours(25), maxRefreshes: 2, maxRenewals: 5 });
    expect(read).toEqual([uuidOf(5), uuidOf(1)]);
    expect(tight).toMatchObject({ refreshed: 2, written: 1, backlog: 0, swept: true });
  });

  it('record with renew: the same keys move refreshedAt with one write; other keys are written as usual; an incomplete read changes nothing', async () => {
    const index = new MemoryDependencyIndex();
    await index.record(SCOPE, deps(['sg-0aaa', 'role/orders']), 'c1', NOW.toISOString());
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'role/orders']), 'c1', minutes(1).toISOString())).toEqual({ outcome: 'unchanged', writes: 0 });
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'role/orders']), 'c1', minutes(2).toISOString(), { renew: true, incomplete: true })).toEqual({ outcome: 'unchanged', writes: 0 });
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'role/orders']), 'c1', minutes(3).toISOString(), { renew: true })).toEqual({ outcome: 'renewed', writes: 1 });
    expect((await index.load(SCOPE))[0]).toMatchObject({ refreshedAt: minutes(3).toISOString(), version: 2 });
    expect(await index.record(SCOPE, deps(['sg-0aaa', 'role/orders-v2']), 'c1', minutes(4).toISOString(), { renew: true })).toEqual({ outcome: 'written', writes: 1 });
    expect(await index.dependents(SCOPE, ['role/orders'])).toEqual([]);
  });

  it('removes the ESMs no longer listed, but not one recorded after the listing began (a diagnosis of an ESM created meanwhile)', async () => {
    const index = new MemoryDependencyIndex();
    await refreshIndexScope(index, denied, SCOPE, mappings(3), { startedAt: NOW, now: () => NOW });
    await index.record(SCOPE, deps(['sg-0new'], uuidOf(9)), 'c9', minutes(2).toISOString());
    const run = await refreshIndexScope(index, denied, SCOPE, mappings(2), { startedAt: minutes(1), now: () => minutes(1) });
    expect(run).toMatchObject({ removed: 1 });
    expect((await index.load(SCOPE)).map((e) => e.uuid).sort()).toEqual([uuidOf(1), uuidOf(2), uuidOf(9)]);
  });
});

describe('permissions', () => {
  it('asks of a watched account\'s role (the diagnosis\'s statements, infra/member.ts) nothing more for the index', () => {
    const diagnose = new Set(grantsFor('diagnose').map((g) => g.action));
    expect(grantsFor('index').map((g) => g.action).filter((a) => !diagnose.has(a))).toEqual([]);
    expect(grantsFor('index').length).toBeGreaterThan(5);
  });
});
