/**
 * Step 0: what the ESM itself says. `State` / `StateTransitionReason` (is it running, and if Lambda
 * stopped it, why) and `LastProcessingResult` (Lambda's free-text message about its last attempt).
 * Both are symptoms: each finding names the setup checks that would confirm the cause.
 */
import { esmState } from './esm.state';
import { esmLastResult } from './esm.last-result';

export * from './lib';
export * from './problems';
export * from './esm.state';
export * from './esm.last-result';
export * from './symptoms';

export const checks = [esmState, esmLastResult] as const;
