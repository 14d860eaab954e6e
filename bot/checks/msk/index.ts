/**
 * Step 3 for MSK: Lambda finds the brokers through the MSK API with the execution role —
 * DescribeClusterV2 (is the cluster there, is it ACTIVE) and GetBootstrapBrokers (is there a broker
 * string for the auth mode Lambda chooses).
 */
import { mskCluster } from './msk.cluster';
import { mskBootstrap } from './msk.bootstrap';

export * from './lib';
export * from './msk.cluster';
export * from './msk.bootstrap';

export const checks = [mskCluster, mskBootstrap] as const;
