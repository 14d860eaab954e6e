/**
 * What the alert handler remembers between invocations (each event may land in another container):
 *  - one alert record per ESM: where its live message is, since when it fails, the cause shown, the
 *    history; conditional on `version`, so two invocations never both open an alert;
 *  - storms: per channel and cluster, which ESMs failed when, and the parent message;
 *  - claims (event ids, transitions) with release, so a failed invocation can be retried;
 *  - posting slots per channel, so that concurrent invocations stay within Slack's rate limits.
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
   * Reserves the next send slot on `lane` (e.g. `post#<channel>`): answers the epoch ms at which the
   * caller may send, at least `spacingMs` after the previous reservation.
   */
  reserveSlot(lane: string, spacingMs: number, nowMs: number): Promise<number>;
  /**
   * Slack answered 429 with Retry-After: nothing new on `lane` is sent before `untilMs`. Moves the
   * next free slot there (never back). Callers already holding an earlier slot meet the 429
   * themselves and queue again behind it.
   */
  pauseLane(lane: string, untilMs: number): Promise<void>;
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
  private readonly slots = new Map<string, number>();

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

  async reserveSlot(lane: string, spacingMs: number, nowMs: number) {
    const slot = Math.max(nowMs, this.slots.get(lane) ?? 0);
    this.slots.set(lane, slot + spacingMs);
    return slot;
  }

  async pauseLane(lane: string, untilMs: number) {
    this.slots.set(lane, Math.max(untilMs, this.slots.get(lane) ?? 0));
  }
}
