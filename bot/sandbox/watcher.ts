/**
 * The sandbox's watcher: what handlers/watcher does in AWS (notice a transition, publish an
 * `ESM State Change`), scripted. A few seconds after start the watched ESM starts failing (its
 * cluster security group lost the rule that admits the ESM), and later it recovers, so that an
 * alert, its edit and its recovery arrive in the channel without anyone breaking a cluster.
 *
 * With stall timings, a second ESM stalls the silent way: a poison batch its function times out on,
 * the lag climbing while Lambda keeps saying OK. The production watcher would see that in the
 * metrics and publish `stalled`; here it is scripted, and the alert carries the diagnosis (the
 * failing batch as the cause, with the lag and error sparklines). Later it delivers again.
 */
import type { EsmStateChange } from '../model/events';
import type { SandboxAccounts } from './accounts';

export interface WatcherTimings {
  /** From start to the failure. */
  failAfterMs: number;
  /** From start to the recovery (after failAfterMs). */
  recoverAfterMs: number;
  /** From start to the stall of the second watched ESM (none without it). */
  stallAfterMs?: number;
  /** From start to the end of the stall (after stallAfterMs). */
  stallRecoverAfterMs?: number;
  /** From start to the scripted change that breaks the ESM before Lambda notices (before failAfterMs); none when absent. */
  changeAfterMs?: number;
}

export const DEFAULT_TIMINGS: WatcherTimings = { changeAfterMs: 6_000, failAfterMs: 20_000, recoverAfterMs: 90_000, stallAfterMs: 30_000, stallRecoverAfterMs: 120_000 };

export interface SandboxWatcher {
  stop(): void;
  /** Resolves when every transition has been handled (tests). */
  done: Promise<void>;
}

export function startWatcher(
  accounts: SandboxAccounts,
  timings: WatcherTimings,
  onChange: (change: EsmStateChange) => Promise<unknown>,
  onScriptedChange?: () => Promise<unknown>,
): SandboxWatcher {
  if (timings.recoverAfterMs <= timings.failAfterMs) throw new Error('the watcher must recover after it fails');
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // Transitions are handled one after the other, in order, as the events would arrive.
  let queue: Promise<unknown> = Promise.resolve();
  const stalls = timings.stallAfterMs !== undefined && timings.stallRecoverAfterMs !== undefined;
  if (stalls && timings.stallRecoverAfterMs! <= timings.stallAfterMs!) throw new Error('the stall must end after it starts');
  // `done` resolves once every scripted transition has been handled.
  let remaining = stalls ? 4 : 2;
  const step = (phase: 'healthy' | 'failing', which: 'failure' | 'stall' = 'failure') => () => {
    queue = queue.then(async () => {
      if (stopped) return;
      const change = which === 'stall' ? accounts.setStallPhase(phase) : accounts.setWatchedPhase(phase);
      try {
        if (change) await onChange(change);
      } catch {
        // onChange reports its own failures; the watcher keeps going.
      } finally {
        remaining -= 1;
        if (remaining === 0) finish();
      }
    });
  };
  if (onScriptedChange && timings.changeAfterMs !== undefined && timings.changeAfterMs < timings.failAfterMs) {
    timers.push(
      setTimeout(() => {
        queue = queue.then(async () => {
          if (!stopped) await onScriptedChange().catch(() => undefined);
        });
      }, timings.changeAfterMs),
    );
  }
  timers.push(setTimeout(step('failing'), timings.failAfterMs));
  timers.push(setTimeout(step('healthy'), timings.recoverAfterMs));
  if (stalls) {
    timers.push(setTimeout(step('failing', 'stall'), timings.stallAfterMs));
    timers.push(setTimeout(step('healthy', 'stall'), timings.stallRecoverAfterMs));
  }
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      finish();
    },
    done,
  };
}
