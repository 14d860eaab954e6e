/**
 * Step 5: authentication. Which mode Lambda will use (MSK: a secret decides, else the strongest mode
 * on the cluster, never a fallback; self-managed: the secret decides), whether the other side
 * accepts that mode, and whether the broker ports agree with it.
 */
import { authMode } from './auth.mode';
import { authPort } from './auth.port';

export * from './lib';
export * from './auth.mode';
export * from './auth.port';

export const checks = [authMode, authPort] as const;
