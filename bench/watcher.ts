/**
 * The watcher over 5,000 Kafka ESMs in one region, with 100 ms added to every AWS call
 * (ListEventSourceMappings, each DynamoDB Query page / PutItem / UpdateItem, each PutEvents).
 * Target for a run with nothing new (the run that happens 1,440 times a day): 50
 * ListEventSourceMappings calls (100 a page; the marker chain makes them sequential), ≤ 10 s.
 * Also shown: a run where 1 % of the ESMs change, and the one-off first run that records all 5,000.
 *
 * The watcher, the transitions and the publisher are the real ones; Lambda, DynamoDB and EventBridge
 * are in-memory doubles that answer like the services (Lambda's page size and markers, DynamoDB's
 * 1 MB Query pages, PutEvents' 10 entries a call).
 */
import { ListEventSourceMappingsCommand, type EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../bot/alerts/publisher';
import type { WatchRecord } from '../bot/alerts/transitions';
import { MemoryWatchStore, type Settled, type WatchStore } from '../bot/alerts/watch-store';
import { createWatcher } from '../bot/alerts/watcher';
import { createLogger } from '../bot/slack/log';

export const CALL_MS = 100;
const ESMS = 5_000;
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
/** What one watch record weighs in DynamoDB (measured on a failing ESM with Lambda's long message). */
const ITEM_BYTES = 700;
const QUERY_PAGE_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Counts {
  list: number;
  query: number;
  write: number;
  putEvents: number;
}

export function esm(i: number, failing: boolean): EventSourceMappingConfiguration {
  const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    UUID: uuid,
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer-${i % 400}`,
    EventSourceArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/cluster-${i % 25}/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3`,
    Topics: [`topic-${i}`],
    State: 'Enabled',
    StateTransitionReason: 'USER_INITIATED',
    LastProcessingResult: failing ? 'PROBLEM: Connection error. Please check your event source connection configuration.' : 'OK',
  };
}

export class Lambda {
  esms: EventSourceMappingConfiguration[] = [];
  constructor(private readonly counts: Counts) {}
  async send(command: unknown) {
    if (!(command instanceof ListEventSourceMappingsCommand)) throw new Error('unexpected call');
    this.counts.list += 1;
    await sleep(CALL_MS);
    const start = Number(command.input.Marker ?? 0);
    const size = Math.min(command.input.MaxItems ?? 100, 100);
    const page = this.esms.slice(start, start + size);
    return { EventSourceMappings: page, ...(start + size < this.esms.length ? { NextMarker: String(start + size) } : {}) };
  }
}

/** The in-memory store, paying one call per DynamoDB request it stands for. */
export class SlowStore implements WatchStore {
  private readonly inner = new MemoryWatchStore();
  constructor(private readonly counts: Counts) {}
  async load(scope: string): Promise<WatchRecord[]> {
    const records = await this.inner.load(scope);
    const pages = Math.max(1, Math.ceil((records.length * ITEM_BYTES) / QUERY_PAGE_BYTES));
    for (let i = 0; i < pages; i++) {
      this.counts.query += 1;
      await sleep(CALL_MS);
    }
    return records;
  }
  async get(scope: string, uuid: string) {
    await sleep(CALL_MS);
    return this.inner.get(scope, uuid);
  }
  async write(scope: string, record: WatchRecord, expected: number | undefined) {
    this.counts.write += 1;
    await sleep(CALL_MS);
    return this.inner.write(scope, record, expected);
  }
  async settle(scope: string, record: Settled, now: string) {
    this.counts.write += 1;
    await sleep(CALL_MS);
    return this.inner.settle(scope, record, now);
  }
}

export class EventBridge {
  constructor(private readonly counts: Counts) {}
  async send(command: unknown) {
    if (!(command instanceof PutEventsCommand)) throw new Error('unexpected call');
    this.counts.putEvents += 1;
    await sleep(CALL_MS);
    return { FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map((_, i) => ({ EventId: `e${this.counts.putEvents}-${i}` })) };
  }
}

export async function measure<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; peakHeapMb: number; peakRssMb: number }> {
  global.gc?.();
  let peakHeap = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 5);
  const started = process.hrtime.bigint();
  try {
    const value = await run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const m = process.memoryUsage();
    return { value, ms, peakHeapMb: Math.max(peakHeap, m.heapUsed) / 2 ** 20, peakRssMb: Math.max(peakRss, m.rss) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

export async function run(): Promise<string[]> {
  const counts: Counts = { list: 0, query: 0, write: 0, putEvents: 0 };
  const lambda = new Lambda(counts);
  lambda.esms = Array.from({ length: ESMS }, (_, i) => esm(i + 1, false));
  let clock = Date.parse('2026-11-20T09:00:00Z');
  const watcher = createWatcher({
    store: new SlowStore(counts),
    publisher: eventBridgePublisher(new EventBridge(counts), 'esm-doctor'),
    accounts: [{ key: ACCOUNT, account: ACCOUNT }],
    regions: [REGION],
    lambdaFor: () => lambda,
    now: () => new Date(clock),
    logger: createLogger({ sink: () => undefined }),
  });
  const lines = [`watcher over ${ESMS.toLocaleString('en')} Kafka ESMs in one region, ${CALL_MS} ms per AWS call (target for a quiet run: 50 ListEventSourceMappings calls, ≤ 10 s)`];
  const line = (label: string, r: Awaited<ReturnType<typeof measure>>, c: Counts, events: number) =>
    `${label.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(6)} s · ListEventSourceMappings ${String(c.list).padStart(2)} · Query pages ${c.query} · writes ${String(c.write).padStart(5)} · PutEvents ${String(c.putEvents).padStart(3)} (${events} events) · peak heap ${r.peakHeapMb.toFixed(0)} MB, rss ${r.peakRssMb.toFixed(0)} MB`;
  const delta = (before: Counts): Counts => ({ list: counts.list - before.list, query: counts.query - before.query, write: counts.write - before.write, putEvents: counts.putEvents - before.putEvents });

  let before = { ...counts };
  const first = await measure(() => watcher.runAll());
  lines.push(line('first run (records all, one-off)', first, delta(before), first.value.published));

  clock += 60_000;
  before = { ...counts };
  const quiet = await measure(() => watcher.runAll());
  const q = delta(before);
  lines.push(line('quiet run (nothing changed)', quiet, q, quiet.value.published));

  clock += 60_000;
  for (let i = 0; i < ESMS; i += 100) lambda.esms[i] = esm(i + 1, true);
  before = { ...counts };
  const busy = await measure(() => watcher.runAll());
  lines.push(line('1 % of the ESMs start failing', busy, delta(before), busy.value.published));

  const ok = q.list === 50 && quiet.ms <= 10_000;
  lines.push(`target ${ok ? 'met' : 'MISSED'}: a quiet run makes ${q.list} ListEventSourceMappings calls and takes ${(quiet.ms / 1000).toFixed(2)} s (the Query runs alongside the listing)`);
  return lines;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  run()
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
