/**
 * Step 9, the failure path: what happens to a record the function keeps failing on. With the
 * defaults — MaximumRetryAttempts -1, MaximumRecordAgeInSeconds -1 — Lambda retries the batch until
 * it succeeds or the record expires from the topic, and the partition's later records wait behind it
 * (kafka-retry-configurations: "The default is -1 (infinite)"). An on-failure destination (retries
 * then stop at 10), BisectBatchOnFunctionError, ReportBatchItemFailures or a bounded retry count or
 * age is what lets a partition move past one poison record. The error handling controls are
 * configured in provisioned mode (kafka-retry-configurations, console steps).
 */
import { errorHandling } from './esm.error-handling';

export * from './esm.error-handling';

export const checks = [errorHandling] as const;
