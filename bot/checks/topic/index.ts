/**
 * Step 6 and 8: the topic the ESM reads (does it exist, can its records fit an invoke) and the
 * consumer group it joins (is it the ESM's alone).
 */
import { topicExists } from './topic.exists';
import { consumerGroupUnique } from './consumer-group.unique';
import { batchPayload } from './batch.payload';

export * from './lib';
export * from './topic.exists';
export * from './consumer-group.unique';
export * from './batch.payload';

export const checks = [topicExists, consumerGroupUnique, batchPayload] as const;
