/**
 * Realistic progress-metric series for the stall scenarios and the progress checks' tests: what
 * GetMetricData returns for a mapping over an hour (1-minute periods, oldest first), with noise,
 * minutes CloudWatch has no point for, and a last minute that is still filling.
 */
import type { Fact, MetricSeries, ProgressMetrics } from '../bot/model/snapshot';
import { SERIES } from '../bot/model/metrics';

export const METRICS_END = '2026-12-06T10:00:00.000Z';
export const WINDOW_MINUTES = 60;

/** A deterministic noise source (a linear congruential generator), so that a scenario is the same on every run. */
export function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32 - 0.5;
  };
}

/** One value per minute of the window (null: no point that minute). */
export type Values = (number | null)[];

export interface SeriesValues {
  offsetLag?: Values;
  /** Published under the ESM's UUID too (the default): the per-mapping series the checks prefer. */
  lagByEsm?: boolean;
  invocations?: Values;
  errors?: Values;
  throttles?: Values;
  durationMax?: Values;
  concurrency?: Values;
  accountConcurrency?: Values;
}

function series(metric: string, dimensions: Record<string, string>, stat: string, values: Values | undefined, start: number): MetricSeries {
  const timestamps: string[] = [];
  const out: number[] = [];
  (values ?? []).forEach((v, i) => {
    if (v === null || v === undefined) return;
    timestamps.push(new Date(start + i * 60_000).toISOString());
    out.push(v);
  });
  return { namespace: 'AWS/Lambda', metric, dimensions, stat, timestamps, values: out, statusCode: 'Complete' };
}

/** The `metrics` fact of a snapshot for the given per-minute values (window ending at METRICS_END). */
export function progressFact(v: SeriesValues, ids: { functionName: string; uuid: string }, end = METRICS_END, minutes = WINDOW_MINUTES): Fact<ProgressMetrics> {
  const endMs = Date.parse(end);
  const start = endMs - minutes * 60_000;
  const fn = { FunctionName: ids.functionName };
  const esm = { EventSourceMappingUUID: ids.uuid };
  const value: ProgressMetrics = {
    start: new Date(start).toISOString(),
    end,
    periodSeconds: 60,
    series: {
      [SERIES.offsetLagEsm]: series('OffsetLag', esm, 'Maximum', v.lagByEsm === false ? undefined : v.offsetLag, start),
      [SERIES.offsetLag]: series('OffsetLag', fn, 'Maximum', v.offsetLag, start),
      [SERIES.invocations]: series('Invocations', fn, 'Sum', v.invocations, start),
      [SERIES.errors]: series('Errors', fn, 'Sum', v.errors, start),
      [SERIES.throttles]: series('Throttles', fn, 'Sum', v.throttles, start),
      [SERIES.durationMax]: series('Duration', fn, 'Maximum', v.durationMax, start),
      [SERIES.concurrency]: series('ConcurrentExecutions', fn, 'Maximum', v.concurrency, start),
      [SERIES.accountConcurrency]: series('ConcurrentExecutions', {}, 'Maximum', v.accountConcurrency, start),
    },
  };
  return { ok: true, source: 'cloudwatch:GetMetricData', value };
}

const minutes = (n = WINDOW_MINUTES) => Array.from({ length: n }, (_, i) => i);

/** A busy mapping keeping up: lag wobbling around a few hundred, every invoke succeeding. */
export function healthyBusy(seed = 1): SeriesValues {
  const r = noise(seed);
  const invocations = minutes().map(() => Math.round(120 + 20 * r()));
  return {
    offsetLag: minutes().map(() => Math.max(0, Math.round(300 + 250 * r()))),
    invocations,
    errors: invocations.map(() => 0),
    throttles: [],
    durationMax: minutes().map(() => Math.round(800 + 300 * r())),
    concurrency: minutes().map(() => Math.round(10 + 2 * r())),
  };
}

/** A producer burst at minute 20 that the consumer works off within the hour: healthy. */
export function burstCatchingUp(seed = 2): SeriesValues {
  const r = noise(seed);
  const lag = minutes().map((m) => {
    if (m < 20) return Math.round(200 + 150 * r());
    const peak = 48_000;
    if (m < 24) return Math.round((peak * (m - 19)) / 5 + 500 * r());
    return Math.max(150, Math.round(peak - (m - 24) * 1_300 + 800 * r()));
  });
  const invocations = minutes().map((m) => Math.round((m < 20 ? 110 : 400) + 30 * r()));
  return {
    offsetLag: lag,
    invocations,
    errors: invocations.map((n, m) => (m === 30 ? 1 : 0)),
    throttles: [],
    durationMax: minutes().map(() => Math.round(2_500 + 600 * r())),
    concurrency: minutes().map((m) => (m < 20 ? 8 : 12)),
  };
}

/**
 * A poison batch at minute `from`: the function times out on it (Duration max at the 60 s timeout)
 * and Lambda retries it about once a minute, so that partition's lag grows with the producers while
 * the ESM still says OK. A few minutes have no lag point, and the last minute is half filled.
 */
export function poisonBatch(seed = 3, from = 15, timeoutMs = 60_000): SeriesValues {
  const r = noise(seed);
  const lag: Values = minutes().map((m) => (m < from ? Math.round(250 + 150 * r()) : Math.round(250 + (m - from) * 180 + 220 * r())));
  for (const gap of [22, 23, 41]) lag[gap] = null;
  const invocations: Values = minutes().map((m) => (m < from ? Math.round(110 + 15 * r()) : 1));
  const errors: Values = invocations.map((n, m) => (m < from ? 0 : n));
  invocations[WINDOW_MINUTES - 1] = null;
  errors[WINDOW_MINUTES - 1] = null;
  return {
    offsetLag: lag,
    invocations,
    errors,
    throttles: [],
    durationMax: minutes().map((m) => (m < from ? Math.round(900 + 200 * r()) : timeoutMs)),
    concurrency: minutes().map((m) => (m < from ? 9 : 1)),
  };
}

/** Invokes throttled (reserved concurrency far below the partitions): the lag grows, errors stay 0. */
export function throttled(seed = 4): SeriesValues {
  const r = noise(seed);
  const invocations = minutes().map(() => Math.round(20 + 4 * r()));
  return {
    offsetLag: minutes().map((m) => Math.round(1_000 + m * 420 + 300 * r())),
    invocations,
    errors: invocations.map(() => 0),
    throttles: minutes().map(() => Math.round(60 + 10 * r())),
    durationMax: minutes().map(() => Math.round(4_000 + 500 * r())),
    concurrency: minutes().map(() => 2),
    accountConcurrency: minutes().map(() => Math.round(140 + 20 * r())),
  };
}

/** Every invoke succeeds, none is throttled, but records arrive faster than the function gets through them. */
export function consumerTooSlow(seed = 5): SeriesValues {
  const r = noise(seed);
  const invocations = minutes().map(() => Math.round(60 + 8 * r()));
  return {
    offsetLag: minutes().map((m) => Math.round(5_000 + m * 900 + 1_500 * r())),
    invocations,
    errors: invocations.map(() => 0),
    throttles: [],
    durationMax: minutes().map(() => Math.round(9_000 + 1_000 * r())),
    concurrency: minutes().map(() => 12),
  };
}

/** No records at all: Lambda publishes no OffsetLag and the function is not invoked. */
export function idle(): SeriesValues {
  return {};
}
