/**
 * Where the watcher remembers what it last published about each ESM. Every write is conditional on
 * the version it read, so when two runs overlap (the schedule and a CloudTrail trigger, or a slow
 * run and the next minute's) exactly one of them records a transition — and only the one that
 * recorded it publishes it.
 *
 * A scope is one account and region (`<account or "self">#<region>`); a run reads a whole scope at
 * once, which is also how it notices ESMs that are no longer listed (deleted).
 */
import type { WatchRecord } from './transitions';

export interface WatchStore {
  /** Every record of a scope. */
  load(scope: string): Promise<WatchRecord[]>;
  get(scope: string, uuid: string): Promise<WatchRecord | undefined>;
  /** Writes `record` if the stored version is `expected` (undefined: there must be no record). False when another run got there first. */
  write(scope: string, record: WatchRecord, expected: number | undefined): Promise<boolean>;
  /**
   * The outbox of the record at `version` was published: empty it (a deleted ESM's record goes
   * altogether). False when the record moved on meanwhile; its newer outbox is then someone else's.
   */
  settle(scope: string, record: Settled, now: string): Promise<boolean>;
}

/** Which record, at which version, and whether it is a deleted ESM's (then it goes altogether). */
export type Settled = Pick<WatchRecord, 'uuid' | 'version' | 'deleted'>;

export function scopeKey(account: string, region: string): string {
  return `${account}#${region}`;
}

/** In memory: tests, the bench, a local run. */
export class MemoryWatchStore implements WatchStore {
  private readonly scopes = new Map<string, Map<string, WatchRecord>>();

  private scope(scope: string): Map<string, WatchRecord> {
    let map = this.scopes.get(scope);
    if (!map) this.scopes.set(scope, (map = new Map()));
    return map;
  }

  async load(scope: string): Promise<WatchRecord[]> {
    return [...this.scope(scope).values()].map((r) => structuredClone(r));
  }

  async get(scope: string, uuid: string): Promise<WatchRecord | undefined> {
    const r = this.scope(scope).get(uuid);
    return r ? structuredClone(r) : undefined;
  }

  async write(scope: string, record: WatchRecord, expected: number | undefined): Promise<boolean> {
    const current = this.scope(scope).get(record.uuid);
    if (current?.version !== expected) return false;
    this.scope(scope).set(record.uuid, structuredClone(record));
    return true;
  }

  async settle(scope: string, record: Settled, now: string): Promise<boolean> {
    const current = this.scope(scope).get(record.uuid);
    if (!current || current.version !== record.version) return false;
    if (current.deleted) this.scope(scope).delete(record.uuid);
    else this.scope(scope).set(record.uuid, { ...current, pending: [], version: record.version + 1, updatedAt: now });
    return true;
  }
}
