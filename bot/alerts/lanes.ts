/**
 * The lanes the alert notifier's Slack calls wait their turn on, one per channel and kind of call,
 * kept in the alert store so that every invocation shares them; how a turn is taken is `takeTurn`.
 */
import { slackRetryAfter } from '../slack/failure';
import { errorFields, type SlackLogger } from '../slack/log';
import type { AlertStore, LaneState } from './alert-store';

/** A 429 pauses the lane and the call queues again; after this many, the event fails and Lambda retries it. */
const MAX_RATE_LIMITED_ATTEMPTS = 8;
/** How long a lane's holder may take (the Slack client times out after 10 s); then waiters may skip it. */
const LEASE_MS = 12_000;
/** How long the served ticket has to start once its time has come (at least two spacings). */
const START_GRACE_MS = 3_000;
/** A caller skipped this many times (starved of CPU) fails, and Lambda retries the event. */
const MAX_REQUEUES = 5;

export interface LaneDeps {
  alerts: AlertStore;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  logger: SlackLogger;
}

export interface Lanes {
  /** Runs a Slack call in its turn on the lane, `spacing` ms after the lane's previous call returned. */
  paced<T>(lane: string, spacing: number, call: () => Promise<T>): Promise<T>;
}

export function createLanes(deps: LaneDeps): Lanes {
  const { alerts, now, sleep, logger } = deps;

  /**
   * Pacing, as Slack receives the calls: each lane (`post#<channel>`, `update#<channel>`) is a
   * ticket queue in the store, shared by every invocation. A caller takes a ticket, waits for its
   * turn, starts only when the lane's `next` has come (the previous call's END + spacing), makes
   * its call, and then sets `next` from the moment the call returned. So a caller that wakes late
   * (a CPU-starved container, a slow DynamoDB answer) only delays the lane, never crowds it: the
   * gap between two calls reaching Slack is at least the spacing whatever the callers' timing.
   * (The old slot reservation handed out send TIMES; a caller that woke late posted right next to
   * the one after it — 2 posts in 250 ms at 400 ms spacing on a loaded machine.)
   * A holder has LEASE_MS to finish (and GRACE to start once served); after that a waiter skips it,
   * so a crashed invocation blocks a channel for seconds, not for ever. Waiters sleep until the
   * time the lane item names (their place in the queue × the lane's observed pace), with jitter; only the next in
   * line re-reads more often, while the call ahead of it runs. Writes per call: ticket, start, finish.
   */
  async function takeTurn(lane: string, spacing: number): Promise<number> {
    const grace = Math.max(START_GRACE_MS, 2 * spacing);
    for (let requeue = 0; ; requeue++) {
      const taken = await alerts.takeTicket(lane, now().getTime(), grace);
      const { ticket } = taken;
      let state: LaneState = taken;
      // The lane's observed pace (a call takes the spacing plus its own time): waking on it rather
      // than on the spacing alone keeps the re-reads of a long queue few.
      let seen = { at: now().getTime(), serving: state.serving };
      let perTurn = spacing;
      while (state.serving <= ticket) {
        const t = now().getTime();
        if (state.serving > seen.serving) {
          perTurn = Math.max(spacing, (t - seen.at) / (state.serving - seen.serving));
          seen = { at: t, serving: state.serving };
        }
        if (state.serving === ticket) {
          if (state.next > t) await sleep(state.next - t);
          if (await alerts.startTurn(lane, ticket, now().getTime(), LEASE_MS)) return ticket;
        } else if (state.leaseUntil < t) {
          if (await alerts.skipTurn(lane, state.serving, t, t + spacing, grace)) logger.event('warn', 'alert.lane-skipped', { lane, ticket: state.serving });
        } else {
          const ahead = ticket - state.serving;
          const eta = ahead === 1 ? Math.max(state.next, t) + spacing / 4 : Math.max(state.next, t) + (ahead - 1) * perTurn * 0.8;
          await sleep(Math.ceil(Math.min(eta, state.leaseUntil + 1) - t + Math.random() * Math.min(50, spacing / 10)));
        }
        state = await alerts.readLane(lane);
      }
      // Skipped (this caller was too late to start): queue again at the end, never post out of turn.
      logger.event('warn', 'alert.lane-requeued', { lane, ticket, requeue });
      if (requeue >= MAX_REQUEUES) throw new Error(`lost its turn on ${lane} ${requeue + 1} times; the event is retried`);
    }
  }

  /** Runs a Slack call in its turn on the lane; a 429 keeps the turn (so the whole lane waits) for Retry-After, then calls again. */
  async function paced<T>(lane: string, spacing: number, call: () => Promise<T>): Promise<T> {
    const ticket = await takeTurn(lane, spacing);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call();
        } catch (err) {
          const retryAfter = slackRetryAfter(err);
          if (retryAfter === undefined || attempt >= MAX_RATE_LIMITED_ATTEMPTS) throw err;
          logger.event('warn', 'alert.rate-limited', { lane, retryAfter, attempt });
          const until = now().getTime() + retryAfter * 1000;
          await alerts.pauseTurn(lane, ticket, until, LEASE_MS);
          await sleep(until - now().getTime());
        }
      }
    } finally {
      await alerts.finishTurn(lane, ticket, now().getTime() + spacing, Math.max(START_GRACE_MS, 2 * spacing)).catch((err: unknown) => {
        logger.event('warn', 'alert.lane-finish-failed', { lane, ticket, ...errorFields(err) });
      });
    }
  }

  return { paced };
}
