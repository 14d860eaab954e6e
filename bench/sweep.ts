/**
 * The organization-wide sweep: 60 account-region scopes × 1,000 Kafka ESMs, 100 ms per AWS call
 * (the doubles of bench/watcher.ts: Lambda's pages of 100 with markers, DynamoDB's 1 MB Query
 * pages, PutEvents' 10 entries). After: the fan-out, one watcher invocation per scope, all started
 * at the same minute as the per-scope schedules start them (watcher.runScope, all at once).
 * Before: one invocation walking every scope (watcher.runAll, 4 scopes at a time). Target: the
 * quiet minute (nothing changed, no DynamoDB writes) sweeps every scope within 60 s. Peak memory
 * per scope invocation is measured in a fresh Node process running one scope, as Lambda would.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { createWatcher, type Watcher } from '../bot/alerts/watcher';
import { createLogger } from '../bot/slack/log';
import { eventBridgePublisher } from '../bot/alerts/publisher';
import { CALL_MS, esm, EventBridge, Lambda, measure, SlowStore, type Counts } from './watcher';

const ACCOUNTS = Array.from({ length: 15 }, (_, i) => String(100000000000 + i * 1111));
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
const ESMS_PER_SCOPE = 1_000;
const TARGET_MS = 60_000;

function world(accounts: string[], regions: string[]) {
  const counts: Counts = { list: 0, query: 0, write: 0, putEvents: 0, metrics: 0 };
  const lambdas = new Map<string, Lambda>();
  for (const a of accounts) {
    for (const r of regions) {
      const l = new Lambda(counts);
      l.esms = Array.from({ length: ESMS_PER_SCOPE }, (_, i) => esm(i + 1, false));
      lambdas.set(`${a}#${r}`, l);
    }
  }
  let clock = Date.parse('2026-11-20T09:00:00Z');
  const watcher = createWatcher({
    store: new SlowStore(counts),
    publisher: eventBridgePublisher(new EventBridge(counts), 'esm-doctor'),
    accounts: accounts.map((a) => ({ key: a, account: a })),
    regions,
    lambdaFor: (a, r) => lambdas.get(`${a}#${r}`)!,
    now: () => new Date(clock),
    logger: createLogger({ sink: () => undefined }),
  });
  const scopes = accounts.flatMap((a) => regions.map((r) => ({ a, r })));
  return { counts, lambdas, watcher, scopes, tick: () => (clock += 60_000) };
}

const fanOut = (watcher: Watcher, scopes: { a: string; r: string }[]) => Promise.all(scopes.map((s) => watcher.runScope(s.a, s.r)));
const snapshot = (c: Counts) => ({ ...c });
const since = (c: Counts, b: Counts) => `ListEventSourceMappings ${c.list - b.list} · Query pages ${c.query - b.query} · writes ${c.write - b.write} · PutEvents ${c.putEvents - b.putEvents}`;

/** One scope in this process: the first run, then a quiet one; prints peak heap and RSS (MB). */
async function oneScope(): Promise<void> {
  const { watcher, tick } = world([ACCOUNTS[0]!], [REGIONS[0]!]);
  const first = await measure(() => watcher.runScope(ACCOUNTS[0]!, REGIONS[0]!));
  tick();
  const quiet = await measure(() => watcher.runScope(ACCOUNTS[0]!, REGIONS[0]!));
  process.stdout.write(JSON.stringify({ first: [first.peakHeapMb, first.peakRssMb], quiet: [quiet.peakHeapMb, quiet.peakRssMb] }));
}

export async function run(): Promise<string[]> {
  const lines = [`${ACCOUNTS.length} accounts × ${REGIONS.length} regions = ${ACCOUNTS.length * REGIONS.length} scopes × ${ESMS_PER_SCOPE.toLocaleString('en')} ESMs, ${CALL_MS} ms per AWS call (target: a quiet minute within ${TARGET_MS / 1000} s)`];
  const after = world(ACCOUNTS, REGIONS);
  let before = snapshot(after.counts);
  const first = await measure(() => fanOut(after.watcher, after.scopes));
  lines.push(`after  · fan-out, first run (records all)   ${(first.ms / 1000).toFixed(2).padStart(6)} s · ${since(after.counts, before)}`);
  after.tick();
  before = snapshot(after.counts);
  const quiet = await measure(() => fanOut(after.watcher, after.scopes));
  const quietWrites = after.counts.write - before.write;
  lines.push(`after  · fan-out, quiet minute              ${(quiet.ms / 1000).toFixed(2).padStart(6)} s · ${since(after.counts, before)}`);
  after.tick();
  for (const l of after.lambdas.values()) for (let i = 0; i < ESMS_PER_SCOPE; i += 100) l.esms[i] = esm(i + 1, true);
  before = snapshot(after.counts);
  const busy = await measure(() => fanOut(after.watcher, after.scopes));
  lines.push(`after  · fan-out, 1 % start failing        ${(busy.ms / 1000).toFixed(2).padStart(6)} s · ${since(after.counts, before)}`);

  // Before: the same quiet minute in one invocation (runAll), on a world whose first run is done.
  const old = world(ACCOUNTS, REGIONS);
  await fanOut(old.watcher, old.scopes);
  old.tick();
  before = snapshot(old.counts);
  const sequential = await measure(() => old.watcher.runAll());
  lines.push(`before · one invocation, quiet minute       ${(sequential.ms / 1000).toFixed(2).padStart(6)} s · ${since(old.counts, before)} · peak heap ${sequential.peakHeapMb.toFixed(0)} MB`);

  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sweep.ts'), '--one-scope'], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (child.status === 0) {
    const m = JSON.parse(child.stdout) as { first: [number, number]; quiet: [number, number] };
    lines.push(`per scope invocation (fresh process, ${ESMS_PER_SCOPE.toLocaleString('en')} ESMs): peak heap ${m.first[0].toFixed(0)} MB / rss ${m.first[1].toFixed(0)} MB on the first run, ${m.quiet[0].toFixed(0)} / ${m.quiet[1].toFixed(0)} MB on a quiet one`);
  } else {
    lines.push(`per scope invocation: could not measure (${child.stderr.trim().split('\n')[0]})`);
  }
  const ok = quiet.ms <= TARGET_MS && quietWrites === 0;
  lines.push(`target ${ok ? 'met' : 'MISSED'}: the quiet minute sweeps ${after.scopes.length} scopes in ${(quiet.ms / 1000).toFixed(2)} s with ${quietWrites} DynamoDB writes (before: ${(sequential.ms / 1000).toFixed(2)} s in one invocation)`);
  return lines;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  (process.argv.includes('--one-scope') ? oneScope().then(() => []) : run())
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
