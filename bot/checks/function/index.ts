/**
 * Step 9: the invoke. The ESM calls the function synchronously; it must exist, be Active with a
 * successful last update, and be allowed to run concurrently.
 */
import { functionState } from './function.state';
import { functionConcurrency } from './function.concurrency';

export * from './function.state';
export * from './function.concurrency';

export const checks = [functionState, functionConcurrency] as const;
