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
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
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
  /** GetMetricData calls of the stall round. */
  metrics: number;
}

export function esm(i: number, failing: boolean, functions = 400): EventSourceMappingConfiguration {
  const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    UUID: uuid,
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}`,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer-${i % functions}`,
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

/**
 * GetMetricData as CloudWatch answers it (≤ 500 queries a call, one point a minute): a flat lag for
 * every function, except a climbing one for those in `stalled`.
 */
class CloudWatch {
  stalled = new Set<string>();
  constructor(private readonly counts: Counts) {}
  async send(command: unknown) {
    if (!(command instanceof GetMetricDataCommand)) throw new Error('unexpected call');
    this.counts.metrics += 1;
    await sleep(CALL_MS);
    const queries = command.input.MetricDataQueries ?? [];
    if (queries.length > 500) throw Object.assign(new Error('MetricDataQueries must not have a size greater than 500'), { name: 'ValidationError' });
    const start = new Date(command.input.StartTime!).getTime();
    const end = new Date(command.input.EndTime!).getTime();
    return {
      MetricDataResults: queries.map((q) => {
        const fn = q.MetricStat!.Metric!.Dimensions!.find((d) => d.Name === 'FunctionName')!.Value!;
        const Timestamps: Date[] = [];
        const Values: number[] = [];
        for (let t = start, m = 0; t < end; t += 60_000, m++) {
          Timestamps.push(new Date(t));
          Values.push(this.stalled.has(fn) ? 500 + m * 150 : 500 + ((m * 37) % 11) * 20);
        }
        return { Id: q.Id, Timestamps, Values, StatusCode: 'Complete' };
      }),
    };
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
  const counts: Counts = { list: 0, query: 0, write: 0, putEvents: 0, metrics: 0 };
  const lambda = new Lambda(counts);
  const cloudwatch = new CloudWatch(counts);
  lambda.esms = Array.from({ length: ESMS }, (_, i) => esm(i + 1, false));
  let clock = Date.parse('2026-11-20T09:00:00Z');
  const watcher = createWatcher({
    store: new SlowStore(counts),
    publisher: eventBridgePublisher(new EventBridge(counts), 'esm-doctor'),
    accounts: [{ key: ACCOUNT, account: ACCOUNT }],
    regions: [REGION],
    lambdaFor: () => lambda,
    metricsFor: () => cloudwatch,
    now: () => new Date(clock),
    logger: createLogger({ sink: () => undefined }),
  });
  const lines = [`watcher over ${ESMS.toLocaleString('en')} Kafka ESMs in one region, ${CALL_MS} ms per AWS call (target for a quiet run: 50 ListEventSourceMappings calls, ≤ 10 s)`];
  const line = (label: string, r: Awaited<ReturnType<typeof measure>>, c: Counts, events: number) =>
    `${label.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(6)} s · ListEventSourceMappings ${String(c.list).padStart(2)} · Query pages ${c.query} · writes ${String(c.write).padStart(5)} · PutEvents ${String(c.putEvents).padStart(3)} (${events} events) · GetMetricData ${String(c.metrics).padStart(2)} · peak heap ${r.peakHeapMb.toFixed(0)} MB, rss ${r.peakRssMb.toFixed(0)} MB`;
  const delta = (before: Counts): Counts => ({ list: counts.list - before.list, query: counts.query - before.query, write: counts.write - before.write, putEvents: counts.putEvents - before.putEvents, metrics: counts.metrics - before.metrics });

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

  // Stalls: 1 % of the functions' lag starts climbing while Lambda keeps saying OK.
  clock += 60_000;
  for (let i = 0; i < ESMS; i += 100) lambda.esms[i] = esm(i + 1, false);
  for (let f = 0; f < 400; f += 100) cloudwatch.stalled.add(`consumer-${f + 1}`);
  before = { ...counts };
  const stalls = await measure(() => watcher.runAll());
  lines.push(line('1 % of the functions stall (lag)', stalls, delta(before), stalls.value.published));

  // The stall round's worst case: every ESM has a function of its own (5,000 lag queries).
  for (let i = 0; i < ESMS; i++) lambda.esms[i] = esm(i + 1, false, ESMS);
  cloudwatch.stalled.clear();
  clock += 60_000;
  await watcher.runAll(); // the new functions' mappings are the same ESMs: nothing to publish but their first lag
  clock += 60_000;
  before = { ...counts };
  const wide = await measure(() => watcher.runAll());
  const w = delta(before);
  lines.push(line('quiet, 5,000 distinct functions', wide, w, wide.value.published));

  const ok = q.list === 50 && quiet.ms <= 10_000;
  lines.push(`target ${ok ? 'met' : 'MISSED'}: a quiet run makes ${q.list} ListEventSourceMappings calls and takes ${(quiet.ms / 1000).toFixed(2)} s (the Query runs alongside the listing)`);
  const stallOk = w.metrics <= 20 && wide.ms <= 10_000;
  lines.push(`stall round target ${stallOk ? 'met' : 'MISSED'}: ≤ 20 extra calls and ≤ 10 s with 5,000 distinct functions: ${w.metrics} GetMetricData calls, ${(wide.ms / 1000).toFixed(2)} s`);
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
