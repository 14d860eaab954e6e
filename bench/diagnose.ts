/**
 * Diagnose with 100 ms added to every AWS call (and DNS lookup): how many sequential round-trips
 * sit on the critical path, and the wall time. Target: ≤ 4 round-trips, ≤ 0.6 s — a sequential
 * implementation needs ~25 × 100 ms.
 *
 * The SDK clients are real; their `send` is answered from the bundled healthy scenarios.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../bot/collect/clients';
import type { Resolver } from '../bot/collect/dns';
import { diagnose } from '../bot/diagnose';
import { CREDENTIALS, mockedClients, mockMskIamHealthy, mockSelfManagedScram } from '../test/support/collect-fixtures';
import * as base from '../scenarios/base';

const CALL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withLatency(clients: AwsClients) {
  const finished: number[] = [];
  let calls = 0;
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    calls += 1;
    // A call's depth: one more than the deepest call already answered when it started.
    const depth = 1 + Math.max(0, ...finished);
    await sleep(CALL_MS);
    try {
      return await run();
    } finally {
      finished.push(depth);
    }
  };
  for (const client of Object.values(clients) as Array<{ send: (c: object) => Promise<unknown> }>) {
    const send = client.send.bind(client);
    client.send = (command: object) => timed(() => send(command));
  }
  const resolver: Resolver = (host) => timed(async () => [{ address: host.startsWith('kafka-1') ? '10.20.1.15' : '10.20.17.22', family: 4 }]);
  return { resolver, rounds: () => Math.max(0, ...finished), calls: () => calls };
}

/** A CloudWatch client answering GetMetricData with a busy, healthy hour (a point a minute for every query). */
function metricsClient() {
  const cloudwatch = new CloudWatchClient({ region: base.REGION, credentials: CREDENTIALS });
  const mock = mockClient(cloudwatch);
  mock.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries?: { Id?: string }[]; StartTime?: Date; EndTime?: Date }) => {
    const start = new Date(input.StartTime!).getTime();
    const end = new Date(input.EndTime!).getTime();
    const Timestamps: Date[] = [];
    for (let t = start; t < end; t += 60_000) Timestamps.push(new Date(t));
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q, i) => ({ Id: q.Id, Timestamps, Values: Timestamps.map((_, m) => (q.Id === 'errors' || q.Id === 'throttles' ? 0 : 300 + ((m * 37 + i) % 11) * 20)), StatusCode: 'Complete' })),
      $metadata: {},
    };
  });
  return { cloudwatch, restore: () => mock.restore() };
}

async function once(kind: 'msk' | 'self-managed', withMetrics = false) {
  const env = mockedClients();
  try {
    if (kind === 'msk') mockMskIamHealthy(env.mocks);
    else mockSelfManagedScram(env.mocks);
    const metrics = withMetrics ? metricsClient() : undefined;
    if (metrics) env.clients.cloudwatch = metrics.cloudwatch;
    const latency = withLatency(env.clients);
    const uuid = kind === 'msk' ? base.ESM_UUID : base.SM_UUID;
    const started = process.hrtime.bigint();
    const { report } = await diagnose({ uuid, region: base.REGION }, { clients: env.clients, resolver: latency.resolver });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    metrics?.restore();
    return { ms, rounds: latency.rounds(), calls: latency.calls(), verdict: report.verdict };
  } finally {
    env.restore();
  }
}

export async function run(): Promise<string[]> {
  const lines = [`diagnose with ${CALL_MS} ms per AWS call (median of 5 runs each; target ≤ 4 round-trips, ≤ 600 ms)`];
  for (const [kind, withMetrics] of [['msk', false], ['self-managed', false], ['msk', true], ['self-managed', true]] as const) {
    await once(kind, withMetrics); // warm-up: module loading and zod schema compilation are not what we measure
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await once(kind, withMetrics));
    runs.sort((a, b) => a.ms - b.ms);
    const median = runs[2]!;
    lines.push(
      `  ${(withMetrics ? `${kind} + metrics` : kind).padEnd(22)} ${median.rounds} sequential round-trips, ${median.calls} calls, ${median.ms.toFixed(0)} ms wall (min ${runs[0]!.ms.toFixed(0)}, max ${runs[4]!.ms.toFixed(0)}), verdict ${median.verdict}`,
    );
  }
  return lines;
}
