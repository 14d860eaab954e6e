/**
 * Robust trend tests over CloudWatch series, pure. A Kafka consumer's lag is noisy (it moves with
 * every batch and every producer burst) and CloudWatch leaves out the minutes it has no data for, so
 * "the lag is growing" is decided by rank statistics that ignore outliers and gaps instead of by the
 * first and last points:
 *  - Kendall's tau (the share of point pairs that rise minus those that fall) must be clearly
 *    positive: the lag rises through the window, not only in one jump;
 *  - the medians of the window's first, middle and last thirds must rise in turn;
 *  - the latest points must still be near the window's maximum: a lag that peaked after a burst and
 *    is coming down is catching up, not stalled;
 *  - the Theil–Sen slope (the median of the pairwise slopes) must add up to a real number of records
 *    over the window, so that a lag moving between 3 and 8 is not called growing.
 */
import type { MetricSeries } from '../../model/snapshot';

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export function pointsOf(series: MetricSeries | undefined): Point[] {
  if (!series) return [];
  const out: Point[] = [];
  for (let i = 0; i < Math.min(series.timestamps.length, series.values.length); i++) {
    const t = Date.parse(series.timestamps[i]!);
    const v = series.values[i]!;
    if (Number.isFinite(t) && Number.isFinite(v)) out.push({ t, v });
  }
  return out.sort((a, b) => a.t - b.t);
}

export function sum(points: Point[]): number {
  return points.reduce((n, p) => n + p.v, 0);
}

export function maxOf(points: Point[]): number | undefined {
  return points.length ? Math.max(...points.map((p) => p.v)) : undefined;
}

/** The points at or after `since` (ms). */
export function since(points: Point[], from: number): Point[] {
  return points.filter((p) => p.t >= from);
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Kendall's tau-a: (rising pairs − falling pairs) / all pairs; ties count as neither. */
export function kendallTau(points: Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(points[j]!.v - points[i]!.v);
  return s / ((n * (n - 1)) / 2);
}

/** Theil–Sen slope in units per minute: the median of the slopes of every pair of points. */
export function theilSenPerMinute(points: Point[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dt = (points[j]!.t - points[i]!.t) / 60_000;
      if (dt > 0) slopes.push((points[j]!.v - points[i]!.v) / dt);
    }
  }
  return slopes.length ? median(slopes) : 0;
}

export interface LagTrend {
  growing: boolean;
  /** Enough points over enough minutes to judge at all. */
  enough: boolean;
  /** Why not growing (or why it is), in a few words, for the finding's detail. */
  reason: string;
  first: number;
  last: number;
  max: number;
  slopePerMinute: number;
  tau: number;
  points: number;
  spanMinutes: number;
}

export const LAG_TREND = {
  /** Fewer points than this say nothing about a trend. */
  minPoints: 5,
  minSpanMinutes: 10,
  minTau: 0.5,
  /** The latest points (median of the last three) must be at least this share of the maximum. */
  nearMax: 0.8,
  /** The fitted rise over the span must be at least this many records... */
  minRise: 10,
  /** ...and at least this share of the latest lag (a lag of 1,000,000 moving by 10 is noise). */
  minRiseShare: 0.1,
} as const;

export function lagTrend(points: Point[]): LagTrend | undefined {
  if (points.length === 0) return undefined;
  const values = points.map((p) => p.v);
  const first = median(values.slice(0, Math.min(3, values.length)));
  const last = median(values.slice(-3));
  const max = Math.max(...values);
  const spanMinutes = (points[points.length - 1]!.t - points[0]!.t) / 60_000;
  const tau = kendallTau(points);
  const slopePerMinute = theilSenPerMinute(points);
  const enough = points.length >= LAG_TREND.minPoints && spanMinutes >= LAG_TREND.minSpanMinutes;
  const base = { first, last, max, slopePerMinute, tau, points: points.length, spanMinutes, enough };
  if (!enough) {
    return { ...base, growing: false, reason: `too few data points (${points.length} over ${Math.round(spanMinutes)} min) to see a trend` };
  }
  const third = Math.max(1, Math.floor(points.length / 3));
  const a = median(values.slice(0, third));
  const b = median(values.slice(third, points.length - third));
  const c = median(values.slice(points.length - third));
  const rise = slopePerMinute * spanMinutes;
  if (max === 0) return { ...base, growing: false, reason: 'the lag stayed at 0' };
  if (last < LAG_TREND.nearMax * max) return { ...base, growing: false, reason: `the lag peaked at ${fmt(max)} and is coming down (now ${fmt(last)}): catching up` };
  if (tau < LAG_TREND.minTau || !(a < b && b < c)) return { ...base, growing: false, reason: `no sustained rise (Kendall's tau ${tau.toFixed(2)})` };
  if (rise < LAG_TREND.minRise || rise < LAG_TREND.minRiseShare * last) return { ...base, growing: false, reason: `the rise (${fmt(rise)} records) is within the noise` };
  return { ...base, growing: true, reason: `rising by about ${fmt(slopePerMinute)} records a minute (Kendall's tau ${tau.toFixed(2)})` };
}

export function fmt(n: number): string {
  const r = Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10) / 10;
  return r.toLocaleString('en-US');
}
