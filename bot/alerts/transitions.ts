/**
 * The watcher's judgement, pure: given what it last recorded about an ESM and what it sees now,
 * what to record and which `ESM State Change` event (if any) to publish.
 *
 * Flapping: a failure is published the first time it is seen (the team wants to know at once); a
 * recovery only once the ESM has stayed healthy for `holdMs` (default 5 minutes). An ESM that goes
 * failing → ok → failing inside the hold never published its recovery, so the second failure is the
 * same incident and publishes nothing (unless Lambda's message changed: then it is a `failing` event
 * with the new message, which the alert shows in the same thread). fail/ok/fail/ok/fail within
 * minutes is therefore one alert, and one recovery once it has really held.
 *
 * The recovery event's `observedAt` is when the ESM was first seen healthy, so "recovered after N
 * min" counts the outage, not the hold.
 *
 * Stalls: an ESM Lambda calls healthy (Enabled, no PROBLEM) whose progress metrics say it is not
 * delivering is `stalled`, published like a failure and under the same hold: it recovers only once
 * the metrics say it delivers again (no metrics this run is no evidence either way, so a stall stands).
 */
import { isFailing, type EsmIdentity, type EsmStateChange, type ObservedState } from '../model/events';
import { signatureOf, type Observation } from './observe';

export type Health = 'failing' | 'stalled' | 'healthy';

/** What the watcher keeps per ESM (one DynamoDB item). */
export interface WatchRecord extends EsmIdentity {
  /** The health last published. */
  health: Health;
  /** The observation last published: the next event's `previous`. */
  observed: ObservedState;
  signature: string;
  /** When `health` began. */
  since: string;
  /** First healthy sighting of a failing ESM: the recovery hold runs from here. */
  recoveringSince?: string;
  /** The ESM is gone; the record stays only until its deletion event is published. */
  deleted?: boolean;
  /** Events recorded but not yet confirmed by PutEvents (the outbox): published by this run or the next. */
  pending: EsmStateChange[];
  /** Incremented by every write; writes are conditional on it, so two runs never both win. */
  version: number;
  updatedAt: string;
}

export interface Decision {
  /** The record to write (conditionally on the previous version); undefined: nothing to write. */
  next?: WatchRecord;
  /** The event the write carries in its outbox. */
  event?: EsmStateChange;
}

export interface DecideOptions {
  now: Date;
  holdMs: number;
}

function change(base: Pick<WatchRecord, 'uuid' | 'esmArn' | 'functionArn' | 'eventSource' | 'region' | 'account'>, health: EsmStateChange['health'], previous: ObservedState | undefined, current: ObservedState, observedAt: string): EsmStateChange {
  return {
    uuid: base.uuid,
    esmArn: base.esmArn,
    functionArn: base.functionArn,
    eventSource: base.eventSource,
    region: base.region,
    account: base.account,
    health,
    ...(previous ? { previous } : {}),
    current,
    observedAt,
  };
}

/** A mapping normally leaves these states within minutes; one still in them after this is stuck (a failing create or update). */
export const STUCK_AFTER_MS = 15 * 60_000;
const TRANSITIONAL = new Set(['Creating', 'Enabling', 'Updating', 'Disabling']);

export function isStuck(o: Observation, now: Date | undefined): boolean {
  if (!now || !TRANSITIONAL.has(o.observed.state) || !o.lastModified) return false;
  return now.getTime() - Date.parse(o.lastModified) > STUCK_AFTER_MS;
}

/** failing (Lambda says so, or stuck in a transitional state) before stalled (the metrics say so) before healthy. */
export function healthOf(o: Observation, previous?: Health, now?: Date): Health {
  if (isFailing(o.observed) || isStuck(o, now)) return 'failing';
  if (o.progress === 'stalled') return 'stalled';
  if (previous === 'stalled' && o.progress === undefined && o.observed.state === 'Enabled') return 'stalled';
  return 'healthy';
}

function signatureFor(o: Observation, health: Health): string {
  if (health === 'stalled') return `stalled|${o.observed.state}`;
  if (health === 'failing' && !isFailing(o.observed)) return `stuck|${o.observed.state}`;
  return signatureOf(o.observed);
}

function eventHealth(health: Health): EsmStateChange['health'] {
  return health === 'stalled' ? 'stalled' : 'failing';
}

function identity(o: Observation) {
  return { uuid: o.uuid, esmArn: o.esmArn, functionArn: o.functionArn, eventSource: o.eventSource, region: o.region, account: o.account };
}

function withEvent(record: WatchRecord, next: Omit<WatchRecord, 'pending' | 'version' | 'updatedAt'>, event: EsmStateChange | undefined, now: string): Decision {
  const written: WatchRecord = {
    ...next,
    pending: event ? [...record.pending, event] : record.pending,
    version: record.version + 1,
    updatedAt: now,
  };
  return { next: written, ...(event ? { event } : {}) };
}

/** `observation` undefined means the ESM is gone (not listed any more, or GetEventSourceMapping: not found). */
export function decide(record: WatchRecord | undefined, observation: Observation | undefined, options: DecideOptions): Decision {
  const now = options.now.toISOString();
  if (!record) {
    if (!observation) return {};
    const health = healthOf(observation, undefined, options.now);
    const event = change(identity(observation), health === 'healthy' ? 'changed' : eventHealth(health), undefined, observation.observed, now);
    return {
      next: {
        ...identity(observation),
        health,
        observed: observation.observed,
        signature: signatureFor(observation, health),
        since: now,
        pending: [event],
        version: 1,
        updatedAt: now,
      },
      event,
    };
  }

  if (record.deleted) return {};

  if (!observation) {
    const { recoveringSince: _drop, ...rest } = record;
    const event = change(record, 'changed', record.observed, { state: 'Deleted' }, now);
    return withEvent(record, { ...rest, deleted: true }, event, now);
  }

  const healthNow = healthOf(observation, record.health, options.now);
  const signature = signatureFor(observation, healthNow);
  const failingNow = healthNow !== 'healthy';
  const { recoveringSince, ...settled } = record;
  const base = { ...settled, ...identity(observation) };

  if (record.health !== 'healthy') {
    if (failingNow) {
      if (signature === record.signature) {
        // Failing again inside the hold: the same incident; forget the recovery, say nothing.
        return recoveringSince ? withEvent(record, base, undefined, now) : {};
      }
      // A new cause (a stall that Lambda now reports as a PROBLEM, a new message): the same alert, updated.
      const event = change(record, eventHealth(healthNow), record.observed, observation.observed, now);
      return withEvent(record, { ...base, health: healthNow, observed: observation.observed, signature }, event, now);
    }
    if (!recoveringSince) {
      if (options.holdMs <= 0) return recovered(record, base, observation, signature, now, now);
      return withEvent(record, { ...base, recoveringSince: now }, undefined, now);
    }
    if (options.now.getTime() - Date.parse(recoveringSince) >= options.holdMs) {
      return recovered(record, base, observation, signature, recoveringSince, now);
    }
    return {};
  }

  // Healthy until now.
  if (signature === record.signature) return {};
  const event = change(record, failingNow ? eventHealth(healthNow) : 'changed', record.observed, observation.observed, now);
  return withEvent(record, { ...base, health: healthNow, observed: observation.observed, signature, since: now }, event, now);
}

function recovered(
  record: WatchRecord,
  base: Omit<WatchRecord, 'recoveringSince'>,
  observation: Observation,
  signature: string,
  since: string,
  now: string,
): Decision {
  const event = change(record, 'recovered', record.observed, observation.observed, since);
  return withEvent(record, { ...base, health: 'healthy', observed: observation.observed, signature, since }, event, now);
}
