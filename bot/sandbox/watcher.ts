/**
 * The sandbox's watcher: what handlers/watcher does in AWS (notice a transition, publish an
 * `ESM State Change`), scripted. A few seconds after start the watched ESM starts failing (its
 * cluster security group lost the rule that admits the ESM), and later it recovers, so that an
 * alert, its edit and its recovery arrive in the channel without anyone breaking a cluster.
 */
import type { EsmStateChange } from '../model/events';
import type { SandboxAccounts } from './accounts';

export interface WatcherTimings {
  /** From start to the failure. */
  failAfterMs: number;
  /** From start to the recovery (after failAfterMs). */
  recoverAfterMs: number;
  /** From start to the scripted change that breaks the ESM before Lambda notices (before failAfterMs); none when absent. */
  changeAfterMs?: number;
}

export const DEFAULT_TIMINGS: WatcherTimings = { changeAfterMs: 6_000, failAfterMs: 20_000, recoverAfterMs: 90_000 };

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
  const step = (phase: 'healthy' | 'failing', last: boolean) => () => {
    queue = queue.then(async () => {
      if (stopped) return;
      const change = accounts.setWatchedPhase(phase);
      try {
        if (change) await onChange(change);
      } catch {
        // onChange reports its own failures; the watcher keeps going.
      } finally {
        if (last) finish();
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
  timers.push(setTimeout(step('failing', false), timings.failAfterMs));
  timers.push(setTimeout(step('healthy', true), timings.recoverAfterMs));
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      finish();
    },
    done,
  };
}
