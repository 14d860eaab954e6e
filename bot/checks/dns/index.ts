/**
 * Step 3 for self-managed Kafka: Lambda finds the brokers by resolving KAFKA_BOOTSTRAP_SERVERS. The
 * snapshot holds what DNS answered where esm-doctor ran, which is not necessarily what the ESM's
 * VPC resolver answers (a Route 53 private hosted zone, split-horizon DNS): the evidence says so.
 */
import { bootstrapDns } from './kafka.bootstrap-dns';

export * from './kafka.bootstrap-dns';

export const checks = [bootstrapDns] as const;
