/**
 * Health beyond setup: is the mapping delivering? A mapping can be Enabled with LastProcessingResult
 * OK and still deliver nothing: the function fails (or times out) on one batch and Lambda retries
 * that batch until it succeeds or its records expire, so the partition stalls behind it; invokes are
 * throttled; or the consumer falls behind. These checks read the CloudWatch progress metrics
 * (collect/metrics, docs/metrics.md) over the snapshot's window.
 *
 * One most likely cause: when the lag grows, the checks agree on why (`progressOf`) and only that
 * check fails. "Partition stalled on a failing batch" (function.errors) and "throttled"
 * (function.throttles) fail at step 9 and progress.lag (step 7) then only warns, pointing at them, so
 * the engine's "earliest failing step" names the real cause; "consumer too slow" (records delivered,
 * but slower than they arrive) is progress.lag's own warning.
 *
 * Kafka retry behaviour: on a function error Lambda retries the whole batch until it succeeds or the
 * records expire, unless MaximumRetryAttempts / MaximumRecordAgeInSeconds, BisectBatchOnFunctionError,
 * ReportBatchItemFailures or an on-failure destination say otherwise (aws-facts §2 step 14, §6.4:
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html).
 */
import type { Remedy, Trend } from '../model/report';
import type { ProgressMetrics, Snapshot } from '../model/snapshot';
import { SERIES } from '../model/metrics';
import { type Check, type Outcome, couldNotRead, pass, skip, valueOf } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { functionNameOf, regionOf } from './lib/resources';
import { accountSettings, concurrencyQuota, functionMetricStats, getEsm, putFunctionConcurrency, setFunctionTimeout, tailFunctionLogs, updateEsm } from './lib/commands';
import { fmt, lagTrend, maxOf, pointsOf, since, sum, type LagTrend, type Point } from './lib/trend';


/** The error and throttle rates are judged on the window's last minutes: a poison batch that arrived ten minutes ago is diluted over an hour. */
export const RECENT_MINUTES = 15;
/** Most attempts failing: the batch is not getting through. */
export const FAILING_RATE = 0.5;
/** Some attempts failing: Lambda's retries get through, but delivery is at risk. */
export const RISKY_RATE = 0.05;
/** Fewer invocations than this in the recent minutes say nothing about a rate. */
export const MIN_INVOCATIONS = 3;
/** A Duration maximum at this share of the timeout or more is the function timing out. */
export const TIMEOUT_SHARE = 0.98;

export type StallKind = 'failing-batch' | 'throttled' | 'too-slow' | 'not-invoked';

export interface Progress {
  metrics: ProgressMetrics;
  windowMinutes: number;
  /** Which series the lag came from (the ESM's own when Lambda published it). */
  lagFrom?: 'offsetLagEsm' | 'offsetLag' | 'maxOffsetLag';
  lag: Point[];
  trend?: LagTrend;
  invocations: { window: number; recent: number };
  errors: { window: number; recent: number };
  throttles: { window: number; recent: number };
  /** Errors / Invocations over the recent minutes (undefined with too few invocations). */
  recentErrorRate?: number;
  windowErrorRate?: number;
  durationMaxMs?: number;
  timeoutMs?: number;
  timingOut: boolean;
  /** Set only when the lag grows: why, one answer for all the checks. */
  stall?: StallKind;
}

type MetricsOutcome = { progress: Progress } | { outcome: Outcome };

/** The metrics, or the outcome that says why they cannot be judged. */
function metricsOrOutcome(snapshot: Snapshot): MetricsOutcome {
  const f = snapshot.metrics;
  if (!f) {
    return { outcome: skip('The progress metrics were not collected (a snapshot from before esm-doctor read CloudWatch, or a collection without a CloudWatch client): progress cannot be judged.') };
  }
  if (!f.ok) return { outcome: couldNotRead('the CloudWatch progress metrics', f) };
  return { progress: progressOf(f.value, snapshot) };
}

function rate(errors: number, invocations: number): number | undefined {
  return invocations >= MIN_INVOCATIONS ? errors / invocations : undefined;
}

/** Pure: the shared reading of the metrics every progress check starts from. */
export function progressOf(metrics: ProgressMetrics, snapshot: Snapshot): Progress {
  const end = Date.parse(metrics.end);
  const windowMinutes = Math.round((end - Date.parse(metrics.start)) / 60_000);
  const recentFrom = end - Math.min(RECENT_MINUTES, windowMinutes) * 60_000;
  const s = metrics.series;
  const lagFrom = (['offsetLagEsm', 'offsetLag', 'maxOffsetLag'] as const).find((k) => pointsOf(s[SERIES[k]]).length > 0);
  const lag = lagFrom ? pointsOf(s[SERIES[lagFrom]]) : [];
  const totals = (name: string) => {
    const p = pointsOf(s[name]);
    return { window: sum(p), recent: sum(since(p, recentFrom)) };
  };
  const invocations = totals(SERIES.invocations);
  const errors = totals(SERIES.errors);
  const throttles = totals(SERIES.throttles);
  const durationMaxMs = maxOf(since(pointsOf(s[SERIES.durationMax]), recentFrom)) ?? maxOf(pointsOf(s[SERIES.durationMax]));
  const timeoutSeconds = valueOf(snapshot.function)?.Configuration.Timeout;
  const timeoutMs = timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined;
  const timingOut = durationMaxMs !== undefined && timeoutMs !== undefined && durationMaxMs >= TIMEOUT_SHARE * timeoutMs;
  const trend = lag.length ? lagTrend(lag) : undefined;
  const recentErrorRate = rate(errors.recent, invocations.recent);
  const windowErrorRate = rate(errors.window, invocations.window);
  let stall: StallKind | undefined;
  if (trend?.growing) {
    if (recentErrorRate !== undefined && recentErrorRate >= FAILING_RATE) stall = 'failing-batch';
    else if (throttles.recent > 0 && throttles.recent >= 0.1 * (throttles.recent + invocations.recent)) stall = 'throttled';
    else if (invocations.recent === 0) stall = 'not-invoked';
    else stall = 'too-slow';
  }
  return {
    metrics,
    windowMinutes,
    ...(lagFrom ? { lagFrom } : {}),
    lag,
    ...(trend ? { trend } : {}),
    invocations,
    errors,
    throttles,
    ...(recentErrorRate !== undefined ? { recentErrorRate } : {}),
    ...(windowErrorRate !== undefined ? { windowErrorRate } : {}),
    ...(durationMaxMs !== undefined ? { durationMaxMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    timingOut,
    ...(stall ? { stall } : {}),
  };
}

function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}

function lagSentence(p: Progress): string {
  const t = p.trend!;
  const from = p.lagFrom === 'offsetLagEsm' ? 'OffsetLag (this mapping)' : p.lagFrom === 'maxOffsetLag' ? 'MaxOffsetLag' : 'OffsetLag (the function\'s)';
  return `${from} went from ${fmt(t.first)} to ${fmt(t.last)} (max ${fmt(t.max)}) over the last ${p.windowMinutes} min: ${t.reason}.`;
}

function enabled(snapshot: Snapshot): boolean {
  return snapshot.esm.State === 'Enabled';
}

// ---------------------------------------------------------------------------------------------
// progress.lag (step 7)

export const progressLag: Check = {
  id: 'progress.lag',
  step: 7,
  title: 'Records are delivered: the offset lag does not keep growing',
  docs: AWS_DOCS.metrics,
  run(snapshot) {
    const m = metricsOrOutcome(snapshot);
    if ('outcome' in m) return m.outcome;
    const p = m.progress;
    const esmArn = snapshot.esm.EventSourceMappingArn ?? snapshot.esm.UUID;
    if (!enabled(snapshot)) return skip(`The mapping is ${snapshot.esm.State}, not Enabled: Lambda does not poll it, so there is no lag to judge.`);
    if (!p.lagFrom) {
      // OffsetLag needs no MetricsConfig opt-in (docs/metrics.md): its absence means no records were read in the window, not a missing setting.
      return skip(
        `Lambda published no OffsetLag for this mapping or its function in the last ${p.windowMinutes} min: no records arrived, or the mapping has not polled yet. ` +
          `Progress cannot be seen from metrics (the function was invoked ${fmt(p.invocations.window)} times in the window).`,
      );
    }
    const t = p.trend!;
    if (!t.growing) return pass(`${lagSentence(p)} Not a stall.`, { resources: [esmArn] });
    const name = functionNameOf(snapshot);
    const region = regionOf(snapshot);
    switch (p.stall) {
      case 'failing-batch':
        return {
          status: 'warn',
          title: `Lag growing: the partition is stalled on a failing batch (${fmt(t.first)} → ${fmt(t.last)} in ${p.windowMinutes} min)`,
          detail: `${lagSentence(p)} The function fails ${pct(p.recentErrorRate!)} of its recent invocations, so Lambda keeps retrying the same batch: see function.errors, the cause.`,
          remedy: { summary: 'Fix what function.errors reports; the lag comes down once the batch gets through.' },
          resources: [esmArn],
          related: ['function.errors'],
        };
      case 'throttled':
        return {
          status: 'warn',
          title: `Lag growing: invokes are throttled (${fmt(t.first)} → ${fmt(t.last)} in ${p.windowMinutes} min)`,
          detail: `${lagSentence(p)} ${fmt(p.throttles.recent)} invokes were throttled in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min: see function.throttles, the cause.`,
          remedy: { summary: 'Fix what function.throttles reports; the lag comes down once the invokes run.' },
          resources: [esmArn],
          related: ['function.throttles'],
        };
      case 'not-invoked':
        return {
          status: 'fail',
          title: `Records are not being delivered: the lag grows (${fmt(t.first)} → ${fmt(t.last)}) and the function is not invoked`,
          detail: `${lagSentence(p)} The function had no invocations and no throttles in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min although records keep arriving: the mapping polls nothing it delivers.`,
          remedy: {
            summary: 'Look at what Lambda says of the mapping and at its system logs, then disable and re-enable it to restart its pollers.',
            commands: [
              getEsm({ uuid: snapshot.esm.UUID, region }),
              updateEsm({ uuid: snapshot.esm.UUID, region, enabled: false }),
              updateEsm({ uuid: snapshot.esm.UUID, region, enabled: true }),
            ],
          },
          resources: [esmArn],
        };
      default: {
        const pollers = snapshot.esm.ProvisionedPollerConfig;
        const topic = valueOf(snapshot.topic);
        const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
        const min = Math.max(2, (pollers?.MinimumPollers ?? 1) * 2, partitions ?? 0);
        const remedy: Remedy = {
          summary:
            'The function keeps up with fewer records than arrive. Make each invoke do more (a larger batch, a faster function) or run more of them: ' +
            'more partitions, or provisioned mode with more pollers (each poller handles up to 5 MB/s).',
          commands: [
            updateEsm({ uuid: snapshot.esm.UUID, region, provisionedPollerConfig: { MinimumPollers: min, MaximumPollers: Math.max(min * 2, pollers?.MaximumPollers ?? 0) } }),
            functionMetricStats({ functionName: name, metric: 'Duration', start: p.metrics.start, end: p.metrics.end, region }),
          ],
        };
        return {
          status: 'warn',
          title: `Consumer too slow: the lag keeps growing (${fmt(t.first)} → ${fmt(t.last)} in ${p.windowMinutes} min)`,
          detail: `${lagSentence(p)} The function succeeds (${fmt(p.invocations.recent)} invocations, ${fmt(p.errors.recent)} errors, ${fmt(p.throttles.recent)} throttles in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min) but processes records more slowly than they arrive; they are delivered late and expire if it lasts longer than the topic's retention.`,
          remedy,
          resources: [esmArn],
        };
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------
// function.errors (step 9)

export const functionErrors: Check = {
  id: 'function.errors',
  step: 9,
  title: 'The function succeeds on the batches it is sent',
  docs: AWS_DOCS.retries,
  run(snapshot) {
    const m = metricsOrOutcome(snapshot);
    if ('outcome' in m) return m.outcome;
    const p = m.progress;
    const fnArn = valueOf(snapshot.function)?.Configuration.FunctionArn ?? snapshot.esm.FunctionArn;
    const name = functionNameOf(snapshot);
    const region = regionOf(snapshot);
    const recent = Math.min(RECENT_MINUTES, p.windowMinutes);
    if (p.invocations.window === 0) {
      return skip(`The function was not invoked in the last ${p.windowMinutes} min (no Invocations data): there is no error rate to judge.`);
    }
    const counts = `${fmt(p.errors.recent)} errors in ${fmt(p.invocations.recent)} invocations in the last ${recent} min (${fmt(p.errors.window)} in ${fmt(p.invocations.window)} over ${p.windowMinutes} min)`;
    const timeout = p.timingOut
      ? ` The longest invocation took ${fmt(p.durationMaxMs!)} ms against a timeout of ${fmt(p.timeoutMs! / 1000)} s: the function is timing out.`
      : p.durationMaxMs !== undefined && p.timeoutMs !== undefined
        ? ` The longest invocation took ${fmt(p.durationMaxMs)} ms (timeout ${fmt(p.timeoutMs / 1000)} s).`
        : '';
    const failing = p.recentErrorRate !== undefined && p.recentErrorRate >= FAILING_RATE;
    const risky = !failing && ((p.windowErrorRate ?? 0) >= RISKY_RATE || (p.recentErrorRate ?? 0) >= RISKY_RATE);
    if (!failing && !risky) return pass(`${counts}.${timeout}`, { resources: [fnArn] });
    const remedy = errorsRemedy(snapshot, p, name, region);
    const shownRate = failing ? p.recentErrorRate! : Math.max(p.windowErrorRate ?? 0, p.recentErrorRate ?? 0);
    const why = p.timingOut ? 'timing out' : 'failing';
    if (failing) {
      const stalled = p.stall === 'failing-batch';
      return {
        status: 'fail',
        title: stalled
          ? `Partition stalled on a failing batch: the function is ${why} on ${pct(shownRate)} of invocations`
          : `The function is ${why} on ${pct(shownRate)} of its invocations`,
        detail:
          `${counts}.${timeout} Lambda retries a failed Kafka batch until it succeeds or its records expire (unless retry limits, bisection or an on-failure destination are set), ` +
          `so one bad record blocks its partition while the mapping still says ${snapshot.esm.LastProcessingResult ?? 'nothing'}.` +
          (p.trend?.growing ? ` ${lagSentence(p)}` : ''),
        remedy,
        resources: [fnArn],
      };
    }
    return {
      status: 'warn',
      title: `The function is ${why} on ${pct(shownRate)} of its invocations`,
      detail: `${counts}.${timeout} Lambda's retries still get the batches through, but each failure delays its partition.`,
      remedy,
      resources: [fnArn],
    };
  },
};

function errorsRemedy(snapshot: Snapshot, p: Progress, name: string, region: string): Remedy {
  const esm = snapshot.esm as typeof snapshot.esm & { BisectBatchOnFunctionError?: boolean; FunctionResponseTypes?: string[]; MaximumRetryAttempts?: number };
  const commands = [tailFunctionLogs({ functionName: name, since: `${Math.max(p.windowMinutes, 5)}m`, filterPattern: 'ERROR', region })];
  if (p.timingOut && p.timeoutMs !== undefined) {
    const longer = Math.min(900, Math.max(Math.ceil((p.timeoutMs / 1000) * 2), 10));
    commands.push(setFunctionTimeout({ functionName: name, seconds: longer, region }));
  }
  const bisect = !esm.BisectBatchOnFunctionError;
  const bounded = esm.MaximumRetryAttempts === undefined || esm.MaximumRetryAttempts < 0;
  if (bisect || bounded) {
    commands.push(updateEsm({ uuid: snapshot.esm.UUID, region, ...(bisect ? { bisectBatchOnFunctionError: true } : {}), ...(bounded ? { maximumRetryAttempts: 5 } : {}) }));
  }
  const destination = esm.DestinationConfig?.OnFailure?.Destination;
  const partial = esm.FunctionResponseTypes?.includes('ReportBatchItemFailures');
  return {
    summary:
      `Find the failing record and its error in the function's logs${p.timingOut ? ' (the invocations end at the timeout: give the function more time or make it faster)' : ''}. ` +
      'So that one bad record cannot block its partition again: split failing batches (BisectBatchOnFunctionError) and cap the retries' +
      (partial ? '' : ', return the failed records from the function (FunctionResponseTypes ReportBatchItemFailures, with batchItemFailures in its response)') +
      (destination ? ` (failed records go to ${destination})` : ', and send what still fails to an on-failure destination (an SQS queue, SNS topic, S3 bucket or Kafka topic) so that nothing is lost') +
      '. Retry controls need provisioned mode on Kafka mappings.',
    commands,
  };
}

// ---------------------------------------------------------------------------------------------
// function.throttles (step 9)

export const functionThrottles: Check = {
  id: 'function.throttles',
  step: 9,
  title: 'The function\'s invokes are not throttled',
  docs: AWS_DOCS.scaling,
  run(snapshot) {
    const m = metricsOrOutcome(snapshot);
    if ('outcome' in m) return m.outcome;
    const p = m.progress;
    const fnArn = valueOf(snapshot.function)?.Configuration.FunctionArn ?? snapshot.esm.FunctionArn;
    const name = functionNameOf(snapshot);
    const region = regionOf(snapshot);
    const recent = Math.min(RECENT_MINUTES, p.windowMinutes);
    if (p.throttles.window === 0) return pass(`No throttled invokes in the last ${p.windowMinutes} min.`, { resources: [fnArn] });
    const reserved = valueOf(snapshot.concurrency)?.ReservedConcurrentExecutions;
    const topic = valueOf(snapshot.topic);
    const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
    const peak = maxOf(pointsOf(p.metrics.series[SERIES.concurrency]));
    const accountPeak = maxOf(pointsOf(p.metrics.series[SERIES.accountConcurrency]));
    const facts = [
      reserved !== undefined ? `reserved concurrency ${reserved}` : 'no reserved concurrency (it shares the account\'s unreserved pool)',
      partitions !== undefined ? `${partitions} partitions on topic "${topic!.TopicName}"` : 'partition count unknown',
      peak !== undefined ? `peak ${fmt(peak)} concurrent executions of the function` : undefined,
      accountPeak !== undefined ? `peak ${fmt(accountPeak)} concurrent executions in the Region` : undefined,
    ].filter(Boolean);
    const detail = `${fmt(p.throttles.recent)} throttled invokes in the last ${recent} min (${fmt(p.throttles.window)} over ${p.windowMinutes} min) against ${fmt(p.invocations.recent)} invocations; ${facts.join(', ')}.`;
    const target = Math.max(partitions ?? 0, reserved !== undefined ? reserved * 2 : 0, peak !== undefined ? Math.ceil(peak * 2) : 0, 5);
    const commands =
      reserved !== undefined
        ? [putFunctionConcurrency({ functionName: name, reserved: target, region })]
        : [accountSettings({ region }), concurrencyQuota({ region })];
    const remedy: Remedy = {
      summary:
        reserved !== undefined
          ? `The function's reserved concurrency (${reserved}) caps its invokes; Lambda runs up to one invoke per partition${partitions !== undefined ? ` (${partitions} here)` : ''}, so reserve at least that many.`
          : 'The function has no reservation, so it is throttled by the account\'s concurrency limit (shared with every other function in the Region): see how much is left, raise the quota, or reserve concurrency for this function.',
      commands,
    };
    const blocking = p.stall === 'throttled' || (p.invocations.recent === 0 && p.throttles.recent > 0);
    if (blocking) {
      return {
        status: 'fail',
        title: `Throttled: ${fmt(p.throttles.recent)} invokes throttled in ${recent} min${p.trend?.growing ? ' while the lag grows' : ''}`,
        detail: detail + (p.trend?.growing ? ` ${lagSentence(p)}` : ' Nothing got through in those minutes.'),
        remedy,
        resources: [fnArn],
      };
    }
    return {
      status: 'warn',
      title: `Some invokes are throttled (${fmt(p.throttles.window)} in ${p.windowMinutes} min)`,
      detail: `${detail} Lambda retries throttled batches and the lag is not growing, so records are delayed, not stuck.`,
      remedy,
      resources: [fnArn],
    };
  },
};

export const checks: Check[] = [progressLag, functionErrors, functionThrottles];

// ---------------------------------------------------------------------------------------------
// The trend the message shows

/** One value per period of the window (null where CloudWatch has no point), oldest first. */
function perPeriod(metrics: ProgressMetrics, name: string): (number | null)[] {
  const start = Date.parse(metrics.start);
  const step = metrics.periodSeconds * 1000;
  const n = Math.max(0, Math.round((Date.parse(metrics.end) - start) / step));
  const out: (number | null)[] = Array.from({ length: n }, () => null);
  for (const p of pointsOf(metrics.series[name])) {
    const i = Math.floor((p.t - start) / step);
    if (i >= 0 && i < n) out[i] = (out[i] ?? 0) + p.v;
  }
  return out;
}

/** The lag and error series of the report (and throttles when there were any): what the renderers draw as sparklines. */
export function trendsOf(snapshot: Snapshot): Trend[] {
  const f = snapshot.metrics;
  if (!f?.ok) return [];
  const m = f.value;
  const p = progressOf(m, snapshot);
  const base = { start: m.start, end: m.end, periodSeconds: m.periodSeconds };
  const out: Trend[] = [];
  if (p.lagFrom) out.push({ ...base, name: 'lag', label: 'Offset lag', values: perPeriod(m, SERIES[p.lagFrom]) });
  if (p.invocations.window > 0 || p.errors.window > 0) out.push({ ...base, name: 'errors', label: 'Errors / min', values: perPeriod(m, SERIES.errors) });
  if (p.throttles.window > 0) out.push({ ...base, name: 'throttles', label: 'Throttles / min', values: perPeriod(m, SERIES.throttles) });
  return out;
}
