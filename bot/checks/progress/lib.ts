/** Helpers shared by the progress checks; index.ts says what the area checks and why. */
import type { Trend } from '../../model/report';
import type { ProgressMetrics, Snapshot } from '../../model/snapshot';
import { SERIES } from '../../model/metrics';
import { type Needed, couldNotRead, skip, valueOf } from '../check';
import { functionNameOf, regionOf } from '../lib/resources';
import { fmt, lagTrend, maxOf, pointsOf, since, sum, type LagTrend, type Point } from '../lib/trend';

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

/** The metrics, or the outcome that says why they cannot be judged (what progress.lag needs). */
export function progressNeeded(snapshot: Snapshot): Needed<Progress> {
  const f = snapshot.metrics;
  if (!f) {
    return { ok: false, outcome: skip('The progress metrics were not collected (a snapshot from before esm-doctor read CloudWatch, or a collection without a CloudWatch client): progress cannot be judged.') };
  }
  if (!f.ok) return { ok: false, outcome: couldNotRead('the CloudWatch progress metrics', f) };
  return { ok: true, value: progressOf(f.value, snapshot) };
}

/** What the checks on the function's own metrics (errors, throttles) start from: the metrics and who they are about. */
export interface FunctionProgress {
  progress: Progress;
  fnArn: string;
  name: string;
  region: string;
  /** The minutes the recent rates are judged on (the window's, when shorter). */
  recent: number;
}

/** What function.errors and function.throttles need. */
export function functionProgressNeeded(snapshot: Snapshot): Needed<FunctionProgress> {
  const m = progressNeeded(snapshot);
  if (!m.ok) return m;
  const p = m.value;
  return {
    ok: true,
    value: {
      progress: p,
      fnArn: valueOf(snapshot.function)?.Configuration.FunctionArn ?? snapshot.esm.FunctionArn,
      name: functionNameOf(snapshot),
      region: regionOf(snapshot),
      recent: Math.min(RECENT_MINUTES, p.windowMinutes),
    },
  };
}

export function rate(errors: number, invocations: number): number | undefined {
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

export function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}

export function lagSentence(p: Progress): string {
  const t = p.trend!;
  const from = p.lagFrom === 'offsetLagEsm' ? 'OffsetLag (this mapping)' : p.lagFrom === 'maxOffsetLag' ? 'MaxOffsetLag' : 'OffsetLag (the function\'s)';
  return `${from} went from ${fmt(t.first)} to ${fmt(t.last)} (max ${fmt(t.max)}) over the last ${p.windowMinutes} min: ${t.reason}.`;
}

export function enabled(snapshot: Snapshot): boolean {
  return snapshot.esm.State === 'Enabled';
}

// ---------------------------------------------------------------------------------------------
// The trend the message shows

/** One value per period of the window (null where CloudWatch has no point), oldest first. */
export function perPeriod(metrics: ProgressMetrics, name: string): (number | null)[] {
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
