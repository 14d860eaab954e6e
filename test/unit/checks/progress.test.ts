import { evaluate } from '../../../bot/checks/engine';
import { checks } from '../../../bot/checks/registry';
import { functionErrors, functionThrottles, progressLag, progressOf, trendsOf } from '../../../bot/checks/progress';
import { kendallTau, lagTrend, theilSenPerMinute, type Point } from '../../../bot/checks/lib/trend';
import type { Snapshot } from '../../../bot/model/snapshot';
import { ESM_UUID, mskIamHealthy } from '../../../scenarios/base';
import { burstCatchingUp, consumerTooSlow, healthyBusy, idle, noise, poisonBatch, progressFact, throttled, type SeriesValues } from '../../../scenarios/metrics';

function withMetrics(values: SeriesValues, edit?: (s: Snapshot) => void): Snapshot {
  const s = mskIamHealthy();
  s.metrics = progressFact(values, { functionName: 'orders-consumer', uuid: ESM_UUID });
  edit?.(s);
  return s;
}

function pts(values: number[]): Point[] {
  return values.map((v, i) => ({ t: Date.parse('2026-12-06T09:00:00Z') + i * 60_000, v }));
}

describe('trend statistics', () => {
  it('Theil–Sen ignores a single outlier that a first-to-last slope would follow', () => {
    const values = Array.from({ length: 30 }, (_, i) => 100 + i * 10);
    values[29] = 100_000;
    expect(theilSenPerMinute(pts(values))).toBeCloseTo(10, 0);
  });

  it('Kendall tau is ~0 for noise and 1 for a steady rise', () => {
    const r = noise(7);
    expect(Math.abs(kendallTau(pts(Array.from({ length: 60 }, () => 500 + 400 * r()))))).toBeLessThan(0.25);
    expect(kendallTau(pts(Array.from({ length: 20 }, (_, i) => i)))).toBe(1);
  });

  it('a lag that jumps only in the last minutes is not a sustained rise', () => {
    const values = Array.from({ length: 60 }, (_, i) => (i < 55 ? 0 : 5_000));
    expect(lagTrend(pts(values))!.growing).toBe(false);
  });

  it('a lag moving between 3 and 8 is noise, not growth', () => {
    const values = Array.from({ length: 60 }, (_, i) => 3 + (i * 5) / 60);
    expect(lagTrend(pts(values))).toMatchObject({ growing: false, reason: expect.stringContaining('within the noise') });
  });

  it('needs enough points over enough minutes', () => {
    expect(lagTrend(pts([1, 50, 100, 150]))).toMatchObject({ growing: false, reason: expect.stringContaining('too few data points') });
  });
});

describe('progress checks', () => {
  it('a poison batch the function times out on: the failing batch is the cause, with the timeout named', () => {
    const s = withMetrics(poisonBatch());
    const errors = functionErrors.run(s);
    expect(errors.status).toBe('fail');
    expect(errors.title).toMatch(/^Partition stalled on a failing batch: the function is timing out on 100% of invocations/);
    expect(errors.detail).toContain('60,000 ms against a timeout of 60 s');
    expect(errors.remedy?.commands).toEqual([
      'aws logs tail /aws/lambda/orders-consumer --since 60m --filter-pattern ERROR --region eu-west-1',
      'aws lambda update-function-configuration --function-name orders-consumer --timeout 120 --region eu-west-1',
      `aws lambda update-event-source-mapping --uuid ${ESM_UUID} --maximum-retry-attempts 5 --bisect-batch-on-function-error --region eu-west-1`,
    ]);
    expect(errors.remedy?.summary).toMatch(/ReportBatchItemFailures.*on-failure destination/);
    const lag = progressLag.run(s);
    expect(lag.status).toBe('warn');
    expect(lag.related).toEqual(['function.errors']);

    const report = evaluate(s, checks);
    expect(report.verdict).toBe('failing');
    expect(report.cause).toBe('function.errors');
    expect(report.trends?.map((t) => t.name)).toEqual(['lag', 'errors']);
  });

  it('the poison batch is still seen with lag gaps and a half-filled last minute', () => {
    const v = poisonBatch(11);
    v.offsetLag = v.offsetLag!.map((x, i) => (i % 3 === 0 ? null : x));
    const s = withMetrics(v);
    if (!s.metrics?.ok) throw new Error('metrics fixture');
    const p = progressOf(s.metrics.value, s);
    expect(p.trend?.growing).toBe(true);
    expect(p.stall).toBe('failing-batch');
  });

  it('a busy mapping catching up after a burst stays healthy', () => {
    const s = withMetrics(burstCatchingUp());
    expect(progressLag.run(s)).toMatchObject({ status: 'pass', detail: expect.stringContaining('catching up') });
    expect(functionErrors.run(s).status).toBe('pass');
    expect(functionThrottles.run(s).status).toBe('pass');
    const report = evaluate(s, checks);
    expect(report.verdict).toBe('healthy');
  });

  it('a flat, noisy lag is not a stall', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      expect(progressLag.run(withMetrics(healthyBusy(seed))).status).toBe('pass');
    }
  });

  it('no traffic at all: skip with the reason, never a pass', () => {
    const s = withMetrics(idle());
    expect(progressLag.run(s)).toMatchObject({ status: 'skip', detail: expect.stringContaining('no OffsetLag') });
    expect(functionErrors.run(s).status).toBe('skip');
    expect(evaluate(s, checks).verdict).toBe('healthy');
  });

  it('throttled: reserved concurrency below the partitions is the cause, with the numbers', () => {
    const s = withMetrics(throttled(), (snap) => {
      snap.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 2 } };
    });
    const t = functionThrottles.run(s);
    expect(t.status).toBe('fail');
    expect(t.detail).toMatch(/reserved concurrency 2, 12 partitions on topic "orders"/);
    expect(t.remedy?.commands).toEqual(['aws lambda put-function-concurrency --function-name orders-consumer --reserved-concurrent-executions 12 --region eu-west-1']);
    const report = evaluate(s, checks);
    expect(report.cause).toBe('function.throttles');
    expect(report.trends?.map((x) => x.name)).toEqual(['lag', 'errors', 'throttles']);
  });

  it('consumer too slow: progress.lag warns with that cause; nothing else fails', () => {
    const s = withMetrics(consumerTooSlow());
    const lag = progressLag.run(s);
    expect(lag.status).toBe('warn');
    expect(lag.title).toMatch(/^Consumer too slow/);
    expect(lag.remedy?.commands?.[0]).toContain('--provisioned-poller-config');
    const report = evaluate(s, checks);
    expect(report.verdict).toBe('at-risk');
    expect(report.headline).toContain('Consumer too slow');
  });

  it('some errors that retries get through: warn, not fail', () => {
    const v = healthyBusy();
    v.errors = v.invocations!.map((n, i) => (i % 2 === 0 ? Math.round((n ?? 0) * 0.1) : 0));
    expect(functionErrors.run(withMetrics(v)).status).toBe('warn');
  });

  it('unreadable metrics are an error naming cloudwatch:GetMetricData; absent metrics skip', () => {
    const s = mskIamHealthy();
    s.metrics = { ok: false, source: 'cloudwatch:GetMetricData', error: { code: 'AccessDeniedException', message: 'User is not authorized to perform: cloudwatch:GetMetricData', action: 'cloudwatch:GetMetricData' } };
    for (const c of [progressLag, functionErrors, functionThrottles]) {
      const out = c.run(s);
      expect(out.status).toBe('error');
      expect(out.fix).toContain('cloudwatch:GetMetricData');
    }
    delete s.metrics;
    for (const c of [progressLag, functionErrors, functionThrottles]) expect(c.run(s).status).toBe('skip');
  });

  it('a disabled mapping has no lag to judge', () => {
    const s = withMetrics(poisonBatch(), (snap) => {
      snap.esm.State = 'Disabled';
    });
    expect(progressLag.run(s).status).toBe('skip');
  });

  it('trends hold one value per minute of the window, null where CloudWatch had no point', () => {
    const [lag] = trendsOf(withMetrics(poisonBatch()));
    expect(lag!.values).toHaveLength(60);
    expect(lag!.values[22]).toBeNull();
  });
});
