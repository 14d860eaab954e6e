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
import { progressLag } from './progress.lag';
import { functionErrors } from './function.errors';
import { functionThrottles } from './function.throttles';

export * from './lib';
export * from './progress.lag';
export * from './function.errors';
export * from './function.throttles';

export const checks = [progressLag, functionErrors, functionThrottles] as const;
