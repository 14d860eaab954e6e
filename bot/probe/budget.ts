/**
 * Time limits: every step has its own timeout, and the whole probe fits in one budget (20 s by
 * default: a Slack reply or a CLI run must not hang on a broker that drops packets). A step gets
 * the smaller of its own limit and what is left of the budget.
 */
export const DEFAULT_BUDGET_MS = 20_000;

/** Per-step limits; a DROP firewall makes a connect wait for the whole of its limit. */
export const STEP_TIMEOUTS_MS = {
  dns: 3_000,
  tcp: 3_000,
  tls: 4_000,
  sasl: 5_000,
  metadata: 5_000,
  group: 5_000,
} as const;

export class Deadline {
  private readonly end: number;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.end = now() + budgetMs;
  }

  remaining(): number {
    return Math.max(0, this.end - this.now());
  }

  /** The step's own limit, cut to what is left of the budget. */
  cap(stepMs: number): number {
    return Math.max(0, Math.min(stepMs, this.remaining()));
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly what: string, readonly ms: number) {
    super(`${what} did not finish within ${ms} ms`);
  }
}

/**
 * Runs `run` and rejects with TimeoutError after `ms`; `onTimeout` releases what `run` holds
 * (destroys a socket, disconnects a client) so nothing outlives the probe.
 */
export function withTimeout<T>(ms: number, what: string, run: () => Promise<T>, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      try {
        onTimeout?.();
      } catch {
        // releasing is best effort
      }
      reject(new TimeoutError(what, ms));
    }, Math.max(0, ms));
    run().then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Milliseconds since `started` (performance.now()), rounded to 0.1 ms. */
export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
