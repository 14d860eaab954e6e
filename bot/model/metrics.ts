/**
 * The progress series a Snapshot's `metrics` fact keeps (collect/metrics reads them; checks/progress/
 * judges them). Here, not in the collector, so that pure checks do not load the CloudWatch SDK.
 */

/** The names under which ProgressMetrics keeps each series (and the GetMetricData query ids). */
export const SERIES = {
  /** OffsetLag by the ESM's UUID: one mapping's lag even when the function has several. */
  offsetLagEsm: 'offsetLagEsm',
  /** OffsetLag by function name: what Lambda documents as the function-level Kafka metric. */
  offsetLag: 'offsetLag',
  invocations: 'invocations',
  errors: 'errors',
  throttles: 'throttles',
  durationMax: 'durationMax',
  concurrency: 'concurrency',
  /** ConcurrentExecutions with no dimension: the whole Region's, for "the account is at its limit". */
  accountConcurrency: 'accountConcurrency',
  /** MetricsConfig EventCount (opt-in). */
  polledEvents: 'polledEvents',
  failedInvokeEvents: 'failedInvokeEvents',
  /** MetricsConfig KafkaMetrics (opt-in). */
  maxOffsetLag: 'maxOffsetLag',
} as const;
export type SeriesName = keyof typeof SERIES;
