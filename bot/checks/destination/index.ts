/**
 * Step 9, the failure path: a Kafka ESM can send batches that keep failing to an SQS queue, an SNS
 * topic, an S3 bucket, or a Kafka topic on the same cluster. For SQS, SNS and S3 the docs ask for a
 * VPC endpoint of that service in the cluster's VPC, with no word on the scaling mode (docs:
 * kafka-on-failure); the execution role must also be allowed to write there.
 */
import { destinationReachable } from './destination.reachable';

export * from './destination.reachable';

export const checks = [destinationReachable] as const;
