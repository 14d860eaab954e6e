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
import { assessImpact } from '../bot/impact/run';
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

export async function run(): Promise<string[]> {
  await once(); // warm-up: module loading and schema compilation are not what we measure
  const runs = [await once(), await once(), await once()].sort((a, b) => a.ms - b.ms);
  const median = runs[1]!;
  return [
    `impact of one SG change on ${ESMS} dependent ESMs with ${CALL_MS} ms per AWS call (median of 3)`,
    `  ${median.esms} ESMs re-diagnosed, ${median.calls} calls, ${(median.ms / 1000).toFixed(1)} s wall (min ${(runs[0]!.ms / 1000).toFixed(1)}, max ${(runs[2]!.ms / 1000).toFixed(1)})`,
  ];
}

if (require.main === module) {
  run().then((lines) => process.stdout.write(`${lines.join('\n')}\n`));
}
