/**
 * CloudWatch progress metrics (GetMetricData, MetricStat queries): the ESM's OffsetLag and its
 * function's Invocations, Errors, Throttles, Duration and ConcurrentExecutions over a recent window,
 * in one paginated round. Namespaces, names, dimensions and statistics are sourced in docs/metrics.md.
 *
 * Metrics Insights queries are not used: they only reach back three hours and cost a query each;
 * MetricStat queries are batched up to 500 per call, which is what lets the watcher read thousands of
 * mappings in a handful of calls.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { EsmConfig, Fact, MetricSeries, ProgressMetrics } from '../model/snapshot';
import { functionNameFromArn } from '../model/esm';
import { SERIES } from '../model/metrics';

export { SERIES } from '../model/metrics';
import { errorFact, okFact, paginate, toFactError } from './fact';

export const GET_METRIC_DATA = 'cloudwatch:GetMetricData';

/** What the metric readers need of a CloudWatch client (tests pass a fake). */
export type MetricsReader = Pick<CloudWatchClient, 'send'>;

/** GetMetricData accepts at most 500 queries per call (CloudWatch API reference, MetricDataQueries). */
export const MAX_QUERIES_PER_CALL = 500;

/** Lambda publishes its metrics at 1-minute resolution (docs/metrics.md). */
export const DEFAULT_PERIOD_SECONDS = 60;
export const DEFAULT_WINDOW_MINUTES = 60;

export interface MetricQuery {
  /** GetMetricData query id: starts with a lower-case letter, then letters, digits and _. */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
}

export interface MetricWindow {
  start: Date;
  end: Date;
  periodSeconds: number;
}

/** A window of `minutes` whole periods ending at the last whole minute (the current minute is still filling). */
export function windowEndingAt(now: Date, minutes: number, periodSeconds = DEFAULT_PERIOD_SECONDS): MetricWindow {
  const periodMs = periodSeconds * 1000;
  const end = new Date(Math.floor(now.getTime() / periodMs) * periodMs);
  return { start: new Date(end.getTime() - minutes * 60_000), end, periodSeconds };
}

export interface MetricDataResult {
  series: Map<string, Omit<MetricSeries, 'namespace' | 'metric' | 'dimensions' | 'stat'>>;
  /** GetMetricData calls made (pages included). */
  calls: number;
}

function toQuery(q: MetricQuery, periodSeconds: number): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metric,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: q.stat,
    },
    ReturnData: true,
  };
}

/**
 * Runs the queries in calls of at most 500, each followed through NextToken, `concurrency` calls at
 * once. A page may carry part of a series (CloudWatch splits by data points), so pages are merged by
 * id and sorted by time. Rejects when a call fails: the caller turns that into an error fact.
 */
export async function getMetricData(
  cloudwatch: Pick<CloudWatchClient, 'send'>,
  queries: MetricQuery[],
  window: MetricWindow,
  concurrency = 4,
): Promise<MetricDataResult> {
  const chunks: MetricQuery[][] = [];
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) chunks.push(queries.slice(i, i + MAX_QUERIES_PER_CALL));
  const points = new Map<string, { t: string; v: number }[]>();
  const status = new Map<string, string>();
  let calls = 0;
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const results = await paginate(async (token) => {
        calls += 1;
        const out = await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: chunk.map((q) => toQuery(q, window.periodSeconds)),
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            ...(token ? { NextToken: token } : {}),
          }),
        );
        return { items: out.MetricDataResults, next: out.NextToken };
      });
      for (const r of results) {
        if (!r.Id) continue;
        const list = points.get(r.Id) ?? [];
        const ts = r.Timestamps ?? [];
        const vs = r.Values ?? [];
        for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
          const t = ts[i] instanceof Date ? (ts[i] as Date).toISOString() : new Date(ts[i] as unknown as string).toISOString();
          const v = vs[i]!;
          if (Number.isFinite(v)) list.push({ t, v });
        }
        points.set(r.Id, list);
        // The worst status of any page wins: one PartialData page makes the series partial.
        if (r.StatusCode && status.get(r.Id) !== 'InternalError' && (r.StatusCode !== 'Complete' || !status.has(r.Id))) status.set(r.Id, r.StatusCode);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, chunks.length)) }, worker));
  const series: MetricDataResult['series'] = new Map();
  for (const q of queries) {
    // ISO timestamps of one format sort as plain strings (localeCompare would be needlessly slow over 100,000 points).
    const list = (points.get(q.id) ?? []).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    // Duplicate timestamps (a point repeated across pages) keep the first.
    const dedup = list.filter((p, i) => i === 0 || p.t !== list[i - 1]!.t);
    const code = status.get(q.id);
    series.set(q.id, { timestamps: dedup.map((p) => p.t), values: dedup.map((p) => p.v), ...(code ? { statusCode: code } : {}) });
  }
  return { series, calls };
}

// ---------------------------------------------------------------------------------------------
// The series one ESM's diagnosis reads

const LAMBDA = 'AWS/Lambda';


/** The MetricsConfig groups the ESM opted into (EventCount, ErrorCount, KafkaMetrics). */
export function metricsConfigOf(esm: EsmConfig): string[] {
  const config = (esm as { MetricsConfig?: { Metrics?: unknown } }).MetricsConfig;
  return Array.isArray(config?.Metrics) ? config.Metrics.filter((m): m is string => typeof m === 'string') : [];
}

/** The queries for one ESM: always the lag and the function's metrics; the opt-in ESM metrics only when turned on. */
export function progressQueries(esm: EsmConfig): MetricQuery[] {
  const fn = { FunctionName: functionNameFromArn(esm.FunctionArn) };
  const byEsm = { EventSourceMappingUUID: esm.UUID };
  const q = (id: string, metric: string, dimensions: Record<string, string>, stat: string): MetricQuery => ({ id, namespace: LAMBDA, metric, dimensions, stat });
  const queries = [
    q(SERIES.offsetLagEsm, 'OffsetLag', byEsm, 'Maximum'),
    q(SERIES.offsetLag, 'OffsetLag', fn, 'Maximum'),
    q(SERIES.invocations, 'Invocations', fn, 'Sum'),
    q(SERIES.errors, 'Errors', fn, 'Sum'),
    q(SERIES.throttles, 'Throttles', fn, 'Sum'),
    q(SERIES.durationMax, 'Duration', fn, 'Maximum'),
    q(SERIES.concurrency, 'ConcurrentExecutions', fn, 'Maximum'),
    q(SERIES.accountConcurrency, 'ConcurrentExecutions', {}, 'Maximum'),
  ];
  const groups = metricsConfigOf(esm);
  if (groups.includes('EventCount')) {
    queries.push(q(SERIES.polledEvents, 'PolledEventCount', byEsm, 'Sum'), q(SERIES.failedInvokeEvents, 'FailedInvokeEventCount', byEsm, 'Sum'));
  }
  if (groups.includes('KafkaMetrics')) queries.push(q(SERIES.maxOffsetLag, 'MaxOffsetLag', byEsm, 'Maximum'));
  return queries;
}

export interface ProgressOptions {
  windowMinutes?: number;
  now?: Date;
}

/** One GetMetricData round for the ESM and its function; a failed call is an error fact naming cloudwatch:GetMetricData. */
export async function readProgressMetrics(cloudwatch: Pick<CloudWatchClient, 'send'>, esm: EsmConfig, options: ProgressOptions = {}): Promise<Fact<ProgressMetrics>> {
  const window = windowEndingAt(options.now ?? new Date(), options.windowMinutes ?? DEFAULT_WINDOW_MINUTES);
  const queries = progressQueries(esm);
  try {
    const { series } = await getMetricData(cloudwatch, queries, window);
    const out: ProgressMetrics['series'] = {};
    for (const q of queries) {
      const s = series.get(q.id)!;
      out[q.id] = { namespace: q.namespace, metric: q.metric, dimensions: q.dimensions, stat: q.stat, ...s };
    }
    return okFact(GET_METRIC_DATA, { start: window.start.toISOString(), end: window.end.toISOString(), periodSeconds: window.periodSeconds, series: out });
  } catch (err) {
    return errorFact(GET_METRIC_DATA, toFactError(err, GET_METRIC_DATA));
  }
}

// ---------------------------------------------------------------------------------------------
// The watcher's round: the lag of many functions at once

/** The watcher reads a short window: long enough for a trend (lagTrend needs 10 minutes), short enough to notice a stall soon. */
export const WATCH_WINDOW_MINUTES = 20;

export interface FunctionLags {
  /** Function name → its OffsetLag points (Maximum per minute), oldest first. */
  lags: Map<string, { timestamps: string[]; values: number[] }>;
  calls: number;
}

/**
 * OffsetLag by FunctionName (one query per distinct function; docs/metrics.md) for every watched
 * function, batched 500 queries a call: 5,000 functions are 10 calls, run `concurrency` at a time.
 */
export async function readFunctionLags(
  cloudwatch: Pick<CloudWatchClient, 'send'>,
  functionNames: string[],
  options: { now?: Date; windowMinutes?: number; concurrency?: number } = {},
): Promise<FunctionLags> {
  const names = [...new Set(functionNames)];
  const queries: MetricQuery[] = names.map((name, i) => ({ id: `l${i}`, namespace: LAMBDA, metric: 'OffsetLag', dimensions: { FunctionName: name }, stat: 'Maximum' }));
  if (!queries.length) return { lags: new Map(), calls: 0 };
  const window = windowEndingAt(options.now ?? new Date(), options.windowMinutes ?? WATCH_WINDOW_MINUTES);
  const { series, calls } = await getMetricData(cloudwatch, queries, window, options.concurrency ?? 4);
  const lags: FunctionLags['lags'] = new Map();
  names.forEach((name, i) => {
    const s = series.get(`l${i}`);
    if (s) lags.set(name, { timestamps: s.timestamps, values: s.values });
  });
  return { lags, calls };
}
