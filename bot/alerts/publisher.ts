/**
 * PutEvents for `ESM State Change` events. PutEvents takes at most 10 entries and 256 KB a call, and
 * it can succeed as a call while failing some entries (FailedEntryCount > 0, an ErrorCode on each
 * failed entry, in the same order as the request). Failed entries — and every entry of a call that
 * failed as a whole — are sent again with backoff; what still fails after the last attempt is
 * returned, and stays in the watcher's outbox for the next run. Nothing is dropped.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, type EsmStateChange } from '../model/events';
import { pool, sleep as realSleep } from './pool';

export const MAX_ENTRIES_PER_CALL = 10;
/** PutEvents' limit is 256 KB for the whole request; keep a margin for what the SDK adds. */
export const MAX_BYTES_PER_CALL = 240 * 1024;

export interface PublishResult {
  published: EsmStateChange[];
  failed: { change: EsmStateChange; errorCode: string }[];
  calls: number;
}

export interface Publisher {
  publish(changes: EsmStateChange[]): Promise<PublishResult>;
}

export interface PublisherOptions {
  /** Total attempts per entry, the first included. */
  maxAttempts?: number;
  /** Base backoff; doubles each attempt, with full jitter. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** How many PutEvents calls may be in flight at once. */
  concurrency?: number;
}

export function toEntry(change: EsmStateChange, bus: string): PutEventsRequestEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(change),
    EventBusName: bus,
    Resources: [change.esmArn, change.functionArn].filter((r) => r.startsWith('arn:')),
    Time: new Date(change.observedAt),
  };
}

/** EventBridge's entry size: Time (14 bytes) + Source + DetailType + Detail + Resources, UTF-8. */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part) size += Buffer.byteLength(part, 'utf8');
  }
  return size;
}

/** Splits entries into PutEvents calls of at most 10 entries and MAX_BYTES_PER_CALL bytes. */
export function batches<T>(items: T[], size: (item: T) => number, maxCount = MAX_ENTRIES_PER_CALL, maxBytes = MAX_BYTES_PER_CALL): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const s = size(item);
    if (current.length && (current.length >= maxCount || bytes + s > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += s;
  }
  if (current.length) out.push(current);
  return out;
}

export function eventBridgePublisher(client: Pick<EventBridgeClient, 'send'>, bus: string, options: PublisherOptions = {}): Publisher {
  const maxAttempts = options.maxAttempts ?? 4;
  const backoffMs = options.backoffMs ?? 200;
  const sleep = options.sleep ?? realSleep;
  return {
    async publish(changes) {
      const result: PublishResult = { published: [], failed: [], calls: 0 };
      let todo = changes.map((change) => ({ change, entry: toEntry(change, bus), errorCode: '' }));
      for (let attempt = 1; attempt <= maxAttempts && todo.length; attempt++) {
        if (attempt > 1) await sleep(Math.round(Math.random() * backoffMs * 2 ** (attempt - 2)));
        const retry: typeof todo = [];
        await pool(batches(todo, (t) => entrySize(t.entry)), options.concurrency ?? 8, async (batch) => {
          result.calls += 1;
          try {
            const out = await client.send(new PutEventsCommand({ Entries: batch.map((t) => t.entry) }));
            batch.forEach((t, i) => {
              const answer = out.Entries?.[i];
              if (answer?.EventId && !answer.ErrorCode) result.published.push(t.change);
              else retry.push({ ...t, errorCode: answer?.ErrorCode ?? 'NoEventId' });
            });
          } catch (err) {
            const code = (err as { name?: string }).name ?? 'Error';
            retry.push(...batch.map((t) => ({ ...t, errorCode: code })));
          }
        });
        todo = retry;
      }
      result.failed = todo.map((t) => ({ change: t.change, errorCode: t.errorCode }));
      return result;
    },
  };
}
