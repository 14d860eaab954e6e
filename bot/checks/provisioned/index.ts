/**
 * Step 7: provisioned mode's pollers (ProvisionedPollerConfig). Limits from the Lambda API reference
 * and kafka-scaling-modes: for Kafka, MinimumPollers 1–200 (default 1) and MaximumPollers 1–2,000
 * (default 200); a partition is read by one poller at most, so pollers beyond the topic's partition
 * count stay idle; PollerGroupName is 0–128 characters of [a-zA-Z0-9-_], and a group holds at most
 * 100 ESMs of one VPC whose MaximumPollers add up to at most 2,000.
 */
import { provisionedPollers } from './esm.provisioned-pollers';

export * from './esm.provisioned-pollers';

export const checks = [provisionedPollers] as const;
