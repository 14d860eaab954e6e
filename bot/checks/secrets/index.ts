/**
 * Step 2: the auth secret. Lambda reads it with the execution role (not the service principal), so
 * it must exist, live in the ESM's region, be decryptable by the role, hold the JSON shape Lambda
 * expects, and — for MSK SASL/SCRAM — follow MSK's own rules (AmazonMSK_ name, customer managed
 * key, associated with the cluster). Values are never read here: only DescribeSecret, DescribeKey,
 * the simulation and the format facts the collector derived in memory.
 */
import { secretReadable } from './secret.readable';
import { secretFormat } from './secret.format';
import { secretMskScram } from './secret.msk-scram';

export * from './lib';
export * from './secret.readable';
export * from './secret.format';
export * from './secret.msk-scram';

export const checks = [secretReadable, secretFormat, secretMskScram] as const;
