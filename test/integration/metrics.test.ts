/**
 * The progress collector against moto's CloudWatch: the metrics are seeded with PutMetricData (as
 * Lambda would publish them, per minute) and read back by the real SDK through readProgressMetrics /
 * readFunctionLags (GetMetricData, MetricStat queries); the checks then judge what was read.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { readFunctionLags, readProgressMetrics } from '../../bot/collect/metrics';
import { functionErrors, progressLag } from '../../bot/checks/progress';
import type { Snapshot } from '../../bot/model/snapshot';
import { ESM_UUID, mskIamHealthy } from '../../scenarios/base';
import { burstCatchingUp, poisonBatch, type Values } from '../../scenarios/metrics';
import { withMoto } from './harness';

const NOW = new Date(Date.now() - (Date.now() % 60_000));

function client(endpoint: string): CloudWatchClient {
  return new CloudWatchClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
}

/** PutMetricData of one value per minute of the hour before NOW (null: no point), 20 data a call as the API allows in one call comfortably. */
async function seed(cw: CloudWatchClient, metric: string, dimensions: Record<string, string>, values: Values | undefined): Promise<void> {
  const start = NOW.getTime() - 60 * 60_000;
  const data: MetricDatum[] = [];
  (values ?? []).forEach((v, i) => {
    if (v === null || v === undefined) return;
    data.push({ MetricName: metric, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })), Timestamp: new Date(start + i * 60_000 + 5_000), Value: v });
  });
  for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 20) }));
}

withMoto('progress metrics against moto CloudWatch', (ctx) => {
  let cw: CloudWatchClient;
  beforeEach(() => {
    cw = client(ctx.moto().endpoint);
  });
  afterEach(() => cw.destroy());

  it('reads the seeded lag and function metrics back per minute, and the checks find the poison batch', async () => {
    const v = poisonBatch();
    const fn = { FunctionName: 'orders-consumer' };
    await seed(cw, 'OffsetLag', fn, v.offsetLag);
    await seed(cw, 'Invocations', fn, v.invocations);
    await seed(cw, 'Errors', fn, v.errors);
    await seed(cw, 'Duration', fn, v.durationMax);
    const s: Snapshot = mskIamHealthy();
    const fact = await readProgressMetrics(cw, s.esm, { now: NOW, windowMinutes: 60 });
    expect(fact.ok).toBe(true);
    if (!fact.ok) return;
    const lag = fact.value.series.offsetLag!;
    expect(lag).toMatchObject({ namespace: 'AWS/Lambda', metric: 'OffsetLag', dimensions: fn, stat: 'Maximum' });
    expect(lag.values).toEqual(v.offsetLag!.filter((x): x is number => x !== null));
    expect(lag.timestamps[0]).toBe(new Date(NOW.getTime() - 60 * 60_000).toISOString());
    // Lambda published nothing under the ESM's UUID here: that series is empty, and the checks fall back to the function's.
    expect(fact.value.series.offsetLagEsm!.values).toEqual([]);
    expect(fact.value.series.errors!.values.reduce((a, b) => a + b, 0)).toBe(v.errors!.reduce((a: number, b) => a + (b ?? 0), 0));
    s.metrics = fact;
    expect(functionErrors.run(s)).toMatchObject({ status: 'fail', title: expect.stringMatching(/^Partition stalled on a failing batch: the function is timing out/) });
    expect(progressLag.run(s).status).toBe('warn');
  });

  it('a busy mapping catching up after a burst reads back healthy', async () => {
    const v = burstCatchingUp();
    const byEsm = { EventSourceMappingUUID: ESM_UUID };
    await seed(cw, 'OffsetLag', byEsm, v.offsetLag);
    await seed(cw, 'Invocations', { FunctionName: 'orders-consumer' }, v.invocations);
    const s = mskIamHealthy();
    s.metrics = await readProgressMetrics(cw, s.esm, { now: NOW });
    expect(progressLag.run(s)).toMatchObject({ status: 'pass', detail: expect.stringContaining('OffsetLag (this mapping)') });
  });

  it('reads 1,200 functions\' lag in 3 calls of at most 500 queries', async () => {
    await seed(cw, 'OffsetLag', { FunctionName: 'consumer-7' }, Array.from({ length: 60 }, (_, i) => 100 + i * 50));
    const names = Array.from({ length: 1_200 }, (_, i) => `consumer-${i}`);
    const { lags, calls } = await readFunctionLags(cw, names, { now: NOW, windowMinutes: 20 });
    expect(calls).toBe(3);
    expect(lags.get('consumer-7')!.values).toHaveLength(20);
    expect(lags.get('consumer-8')!.values).toEqual([]);
  });

  it('an unreachable CloudWatch is an error fact naming cloudwatch:GetMetricData, not a crash', async () => {
    const dead = new CloudWatchClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    const fact = await readProgressMetrics(dead, mskIamHealthy().esm, { now: NOW });
    expect(fact).toMatchObject({ ok: false, source: 'cloudwatch:GetMetricData', error: { action: 'cloudwatch:GetMetricData' } });
    dead.destroy();
  });
});
