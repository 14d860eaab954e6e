/**
 * Step 9, the failure path of the newer on-failure destinations.
 *
 * destination.kafka-topic — a `kafka://<topic>` destination (kafka-on-failure-destination): Lambda
 * produces failed records to a topic of the same cluster as the execution role, so the topic must
 * exist and, under IAM access control, the role needs kafka-cluster:WriteData (with Connect and
 * DescribeTopic) on it (kafka-on-failure: "For a Kafka destination: kafka-cluster:WriteData").
 *
 * destination.kms — an SQS queue or SNS topic encrypted with a customer managed KMS key: Lambda
 * sends as the execution role, which needs kms:Decrypt and kms:GenerateDataKey on that key
 * (kafka-on-failure, permissions for encrypted destinations); a disabled key stops every delivery.
 */
import { destinationKafkaTopic } from './destination.kafka-topic';
import { destinationKms } from './destination.kms';

export * from './lib';
export * from './destination.kafka-topic';
export * from './destination.kms';

export const checks = [destinationKafkaTopic, destinationKms] as const;
