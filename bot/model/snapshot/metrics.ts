/** CloudWatch (progress metrics, GetMetricData; docs/metrics.md). */
import { z } from 'zod';

/** One GetMetricData result: what was asked (namespace, metric, dimensions, statistic) and the points, oldest first. */
export const MetricSeries = z.object({
  namespace: z.string(),
  metric: z.string(),
  dimensions: z.record(z.string(), z.string()),
  stat: z.string(),
  /** ISO timestamps, ascending; minutes with no data are absent (CloudWatch returns no point for them). */
  timestamps: z.array(z.string()),
  values: z.array(z.number()),
  /** GetMetricData's StatusCode: Complete, PartialData (points beyond the call's limits) or InternalError. */
  statusCode: z.string().optional(),
});
export type MetricSeries = z.infer<typeof MetricSeries>;

/** A metrics window: ISO start and end, and the period of one point. Shared with the report's trends. */
export const metricWindow = { start: z.string(), end: z.string(), periodSeconds: z.number() };

/** The progress metrics of the ESM and its function over one window, keyed by series name (see collect/metrics SERIES). */
export const ProgressMetrics = z.object({
  ...metricWindow,
  series: z.record(z.string(), MetricSeries),
});
export type ProgressMetrics = z.infer<typeof ProgressMetrics>;
