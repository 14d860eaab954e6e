/**
 * What the alert handler remembers between invocations (each event may land in another container):
 *  - one alert record per ESM: where its live message is, since when it fails, the cause shown, the
 *    history; conditional on `version`, so two invocations never both open an alert;
 *  - storms: per channel and cluster, which ESMs failed when, and the parent message;
 *  - claims (event ids, transitions) with release, so a failed invocation can be retried;
 *  - a send lane per channel (a ticket queue), so that concurrent invocations stay within Slack's rate limits.
 * In memory here (tests, the local sandbox); DynamoDB in alert-store-dynamodb.ts.
 */
import { createHash } from 'node:crypto';
import type { HistoryEntry, StormMember } from '../model/alert';

export type { HistoryEntry, StormMember } from '../model/alert';

/** Storm keys hold a channel and a cluster ARN or a list of brokers: hashed to a short, safe key. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export interface AlertRecord {
  uuid: string;
  /** `opening`: an invocation claimed it and is posting; `open`: the message is live; `closed`: recovered or deleted. */
  status: 'opening' | 'open' | 'closed';
  channel: string;
  /** The message that carries this ESM's report (a thread reply for a storm member). */
  ts?: string;
  /** The storm parent it sits under, if any. */
  threadTs?: string;
  /** Storm key (channel + cluster) it counts towards. */
  stormKey?: string;
  openedAt: string;
  closedAt?: string;
  /** The newest event applied; older ones arriving late are ignored. */
  lastObservedAt: string;
  /** causeOf(report) last shown. */
  cause?: string;
  /** Lambda's message last shown. */
  lastProcessingResult?: string;
  history: HistoryEntry[];
  version: number;
  /** When the record was written (for taking over an `opening` claim that was abandoned). */
  updatedAt: string;
}

export interface StormParent {
  channel: string;
  ts?: string;
  /** The cluster the storm is about (MSK ARN or bootstrap servers). */
  cluster: string;
  openedAt: string;
  closedAt?: string;
  /** When an invocation claimed it to post the parent (a claim without `ts` older than a few minutes was abandoned). */
  claimedAt?: string;
  version: number;
}

/** A send lane (one per channel and kind of call): a ticket queue in which one call runs at a time. */
export interface LaneState {
  /** The ticket whose turn it is (tickets below it are done or were skipped). */
  serving: number;
  /** Epoch ms before which the served ticket may not start (the last call's end + spacing, or a 429's Retry-After). */
  next: number;
  /** Epoch ms by which the served ticket must start (or, once started, end); after it, a waiter may skip it. */
  leaseUntil: number;
}

export interface AlertStore {
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  release(key: string): Promise<void>;
  getAlert(uuid: string): Promise<AlertRecord | undefined>;
  /** Writes if the stored version is `expected` (undefined: no record may exist). */
  putAlert(record: AlertRecord, expected: number | undefined): Promise<boolean>;
  putStormMember(stormKey: string, member: StormMember): Promise<void>;
  stormMembers(stormKey: string): Promise<StormMember[]>;
  getStormParent(stormKey: string): Promise<StormParent | undefined>;
  putStormParent(stormKey: string, parent: StormParent, expected: number | undefined): Promise<boolean>;
  /**
   * Takes a ticket on `lane` (e.g. `post#<channel>`): the lane serves tickets one at a time, in
   * order. Answers the ticket with the lane's state. When no ticket is outstanding the new one is
   * served at once and gets `graceMs` to start.
   */
  takeTicket(lane: string, nowMs: number, graceMs: number): Promise<LaneState & { ticket: number }>;
  readLane(lane: string): Promise<LaneState>;
  /**
   * The served ticket starts its call: only if `ticket` is served and `next` has come. Holds the
   * lane for `leaseMs` (a holder that crashed blocks it no longer).
   */
  startTurn(lane: string, ticket: number, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Slack answered 429 with Retry-After: the holder keeps the lane, and nothing is sent on it, until `untilMs`. */
  pauseTurn(lane: string, ticket: number, untilMs: number, leaseMs: number): Promise<void>;
  /**
   * The holder's call returned: the next ticket is served from `nextMs` (the call's end + the
   * spacing), and has until `nextMs + graceMs` to start. A holder that was skipped meanwhile only
   * pushes `next` (never back).
   */
  finishTurn(lane: string, ticket: number, nextMs: number, graceMs: number): Promise<void>;
  /** The served ticket's lease ran out (its holder crashed or lost its way): serve the next, from `nextMs`. */
  skipTurn(lane: string, serving: number, nowMs: number, nextMs: number, graceMs: number): Promise<boolean>;
}

export const ALERT_TTL = {
  /** A closed alert is kept a month (its history is in the message anyway). */
  recordSeconds: 30 * 24 * 3600,
  /** Storm bookkeeping: long enough for the slowest recovery anyone waits for. */
  stormSeconds: 7 * 24 * 3600,
  /** EventBridge retries a target for up to 24 hours; Lambda re-delivers async events within 6. */
  claimSeconds: 24 * 3600,
} as const;

export class MemoryAlertStore implements AlertStore {
  private readonly claims = new Map<string, number>();
  private readonly alerts = new Map<string, AlertRecord>();
  private readonly members = new Map<string, Map<string, StormMember>>();
  private readonly parents = new Map<string, StormParent>();
  private readonly lanes = new Map<string, LaneState & { issued: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlSeconds: number) {
    const expires = this.claims.get(key);
    if (expires !== undefined && expires > this.now()) return false;
    this.claims.set(key, this.now() + ttlSeconds * 1000);
    return true;
  }

  async release(key: string) {
    this.claims.delete(key);
  }

  async getAlert(uuid: string) {
    const r = this.alerts.get(uuid);
    return r ? structuredClone(r) : undefined;
  }

  async putAlert(record: AlertRecord, expected: number | undefined) {
    if (this.alerts.get(record.uuid)?.version !== expected) return false;
    this.alerts.set(record.uuid, structuredClone(record));
    return true;
  }

  async putStormMember(stormKey: string, member: StormMember) {
    let map = this.members.get(stormKey);
    if (!map) this.members.set(stormKey, (map = new Map()));
    map.set(member.uuid, structuredClone(member));
  }

  async stormMembers(stormKey: string) {
    return [...(this.members.get(stormKey)?.values() ?? [])].map((m) => structuredClone(m));
  }

  async getStormParent(stormKey: string) {
    const p = this.parents.get(stormKey);
    return p ? structuredClone(p) : undefined;
  }

  async putStormParent(stormKey: string, parent: StormParent, expected: number | undefined) {
    if (this.parents.get(stormKey)?.version !== expected) return false;
    this.parents.set(stormKey, structuredClone(parent));
    return true;
  }

  private lane(lane: string) {
    let l = this.lanes.get(lane);
    if (!l) this.lanes.set(lane, (l = { serving: 1, next: 0, leaseUntil: 0, issued: 0 }));
    return l;
  }

  private static state(l: LaneState): LaneState {
    return { serving: l.serving, next: l.next, leaseUntil: l.leaseUntil };
  }

  async takeTicket(lane: string, nowMs: number, graceMs: number) {
    const l = this.lane(lane);
    if (l.serving > l.issued) l.leaseUntil = nowMs + graceMs;
    l.issued += 1;
    return { ...MemoryAlertStore.state(l), ticket: l.issued };
  }

  async readLane(lane: string) {
    return MemoryAlertStore.state(this.lane(lane));
  }

  async startTurn(lane: string, ticket: number, nowMs: number, leaseMs: number) {
    const l = this.lane(lane);
    if (l.serving !== ticket || l.next > nowMs) return false;
    l.leaseUntil = nowMs + leaseMs;
    return true;
  }

  async pauseTurn(lane: string, ticket: number, untilMs: number, leaseMs: number) {
    const l = this.lane(lane);
    if (l.serving !== ticket) return;
    l.next = untilMs;
    l.leaseUntil = untilMs + leaseMs;
  }

  async finishTurn(lane: string, ticket: number, nextMs: number, graceMs: number) {
    const l = this.lane(lane);
    if (l.serving === ticket) Object.assign(l, { serving: ticket + 1, next: nextMs, leaseUntil: nextMs + graceMs });
    else l.next = Math.max(l.next, nextMs);
  }

  async skipTurn(lane: string, serving: number, nowMs: number, nextMs: number, graceMs: number) {
    const l = this.lane(lane);
    if (l.serving !== serving || l.leaseUntil >= nowMs || l.serving > l.issued) return false;
    Object.assign(l, { serving: serving + 1, next: Math.max(l.next, nextMs), leaseUntil: nextMs + graceMs });
    return true;
  }
}
