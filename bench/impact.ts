process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * `impact` for a change 100 ESMs depend on, with 100 ms added to every AWS call: the dependency
 * scan (ListEventSourceMappings + shared reads) and the re-diagnosis of every dependent (at most
 * 8 at once), wall time and call count. All 100 ESMs sit on one cluster, so the scan's reads are
 * shared; the re-diagnoses are not.
 *
 * The SDK clients are real; their `send` is answered from the bundled healthy MSK scenario, with
 * the mapping list and GetEventSourceMapping answering 100 mappings.
 */
import { randomUUID } from 'node:crypto';
import { GetEventSourceMappingCommand, ListEventSourceMappingsCommand, type GetEventSourceMappingCommandInput } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../bot/collect/clients';
import { parseCall } from '../bot/impact/events';
import { assessImpact, dependencyIndex } from '../bot/impact/run';
import { dependenciesOf } from '../bot/impact/dependencies';
import { configHash, indexedDependents, MemoryDependencyIndex, type DependencyIndex } from '../bot/impact/dependency-index';
import { esmResponse, mockedClients, mockMskIamHealthy } from '../test/support/collect-fixtures';
import * as base from '../scenarios/base';

const CALL_MS = 100;
const ESMS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withLatency(clients: AwsClients) {
  let calls = 0;
  for (const client of Object.values(clients) as Array<{ send: (c: object) => Promise<unknown> }>) {
    const send = client.send.bind(client);
    client.send = async (command: object) => {
      calls += 1;
      await sleep(CALL_MS);
      return send(command);
    };
  }
  return { calls: () => calls };
}

function revokeEvent(groupId: string) {
  return {
    version: '0',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: '123456789012',
    region: base.REGION,
    detail: {
      eventTime: new Date().toISOString(),
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RevokeSecurityGroupIngress',
      awsRegion: base.REGION,
      recipientAccountId: '123456789012',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/platform-admin/jane' },
      requestParameters: { groupId, ipPermissions: { items: [] } },
    },
  };
}

async function once() {
  const env = mockedClients();
  try {
    const scenario = base.mskIamHealthy();
    mockMskIamHealthy(env.mocks, scenario);
    const mappings = Array.from({ length: ESMS }, () => {
      const uuid = randomUUID();
      return { ...esmResponse(scenario.esm), UUID: uuid, EventSourceMappingArn: `arn:aws:lambda:${base.REGION}:123456789012:event-source-mapping:${uuid}` };
    });
    env.mocks.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: mappings as never });
    env.mocks.lambda.on(GetEventSourceMappingCommand).callsFake((input: GetEventSourceMappingCommandInput) => mappings.find((m) => m.UUID === input.UUID));
    const latency = withLatency(env.clients);
    const cluster = scenario.cluster?.ok ? scenario.cluster.value : undefined;
    const sg = cluster?.Provisioned?.BrokerNodeGroupInfo?.SecurityGroups?.[0] ?? 'sg-0a1b2c3d4e5f60718';
    const started = process.hrtime.bigint();
    const result = await assessImpact(parseCall(revokeEvent(sg)), { clients: env.clients, region: base.REGION });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { ms, calls: latency.calls(), esms: result.esms.length };
  } finally {
    env.restore();
  }
}

/** Every DynamoDB call of the index (sweptAt, one Query per key) takes CALL_MS too: the worst case, not DynamoDB's ~10 ms. */
function slowIndex(index: DependencyIndex): { index: DependencyIndex; calls: () => number } {
  let calls = 0;
  const slow = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A) => {
    calls += 1;
    await sleep(CALL_MS);
    return fn(...a);
  };
  const wrapped: DependencyIndex = { ...index, load: index.load.bind(index), record: index.record.bind(index), remove: index.remove.bind(index), markSwept: index.markSwept.bind(index), sweptAt: slow(index.sweptAt.bind(index)), dependents: slow(index.dependents.bind(index)) };
  return { index: wrapped, calls: () => calls };
}

/** Finding the dependents alone: the live scan of the account against the deployed index. */
async function search(): Promise<{ live: { ms: number; calls: number }; indexed: { ms: number; calls: number; esms: number } }> {
  const env = mockedClients();
  try {
    const scenario = base.mskIamHealthy();
    mockMskIamHealthy(env.mocks, scenario);
    // One function per ESM, as teams usually have: the live scan reads each function (its role).
    const mappings = Array.from({ length: ESMS }, (_, i) => {
      const uuid = randomUUID();
      return { ...esmResponse(scenario.esm), UUID: uuid, FunctionArn: `arn:aws:lambda:${base.REGION}:123456789012:function:consumer-${i}`, EventSourceMappingArn: `arn:aws:lambda:${base.REGION}:123456789012:event-source-mapping:${uuid}` };
    });
    env.mocks.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: mappings as never });
    const latency = withLatency(env.clients);
    let started = process.hrtime.bigint();
    const { all } = await dependencyIndex(env.clients);
    const live = { ms: Number(process.hrtime.bigint() - started) / 1e6, calls: latency.calls() };
    const memory = new MemoryDependencyIndex();
    const scope = `123456789012#${base.REGION}`;
    for (const d of all) await memory.record(scope, d, configHash(scenario.esm), new Date().toISOString());
    await memory.markSwept(scope, new Date().toISOString());
    const slow = slowIndex(memory);
    const sg = dependenciesOf(scenario).keys.find((k) => k.startsWith('sg-'))!;
    started = process.hrtime.bigint();
    const found = await indexedDependents(slow.index, scope, [sg]);
    return { live, indexed: { ms: Number(process.hrtime.bigint() - started) / 1e6, calls: slow.calls(), esms: found?.length ?? 0 } };
  } finally {
    env.restore();
  }
}

export async function run(): Promise<string[]> {
  await once(); // warm-up: module loading and schema compilation are not what we measure
  const runs = [await once(), await once(), await once()].sort((a, b) => a.ms - b.ms);
  const median = runs[1]!;
  const found = await search();
  return [
    `impact of one SG change on ${ESMS} dependent ESMs with ${CALL_MS} ms per AWS call (median of 3)`,
    `  ${median.esms} ESMs re-diagnosed, ${median.calls} calls, ${(median.ms / 1000).toFixed(1)} s wall (min ${(runs[0]!.ms / 1000).toFixed(1)}, max ${(runs[2]!.ms / 1000).toFixed(1)})`,
    `  finding them (${ESMS} functions): live scan ${found.live.calls} calls, ${(found.live.ms / 1000).toFixed(2)} s; deployed index ${found.indexed.calls} calls, ${(found.indexed.ms / 1000).toFixed(2)} s (${found.indexed.esms} ESMs)`,
  ];
}

if (require.main === module) {
  run().then((lines) => process.stdout.write(`${lines.join('\n')}\n`));
}
