/**
 * The watcher: Lambda publishes nothing when a Kafka ESM starts failing, so every minute this lists
 * the Kafka ESMs of each configured account and region, judges each one (model/events `isFailing`),
 * compares with what it last published (the WatchStore), and publishes one `ESM State Change` event
 * per transition. A CloudTrail call on one ESM (create, update, delete) runs the same for that ESM
 * at once.
 *
 * Exactly once, as far as it can be:
 *  - a transition is recorded with a conditional write (on the version read), together with the
 *    event in the record's outbox; only the run whose write succeeded publishes it, so overlapping
 *    runs never publish twice;
 *  - PutEvents failures are retried (publisher.ts); an event still unpublished stays in the outbox
 *    and the next run publishes it (after a grace period, so that it does not race the run that
 *    wrote it). Consumers dedupe on (uuid, health, observedAt), which a re-publication keeps.
 *
 * Per run and scope: ⌈ESMs / 100⌉ ListEventSourceMappings calls (sequential: each page needs the
 * previous page's marker), one DynamoDB Query (concurrently), and writes / PutEvents only for
 * transitions.
 *
 * Stalls (with `metricsFor`): after the listing, one GetMetricData round reads the OffsetLag of the
 * Enabled mappings' functions (⌈functions / 500⌉ calls, 4 at a time: 5,000 are 10 calls) and marks
 * each observation `stalled` (the lag keeps growing, checks/lib/trend) or `delivering`. A round that
 * fails is logged and leaves the observations unmarked: a stall then stands, nothing new is raised.
 */
import { createLogger, errorFields, type SlackLogger } from '../slack/log';
import type { EsmStateChange } from '../model/events';
import { readFunctionLags, type MetricsReader } from '../collect/metrics';
import { functionNameFromArn } from '../model/esm';
import { lagTrend, pointsOf } from '../checks/lib/trend';
import { listKafkaEsms, readKafkaEsm, type LambdaReader, type Observation } from './observe';
import { pool } from './pool';
import type { Publisher } from './publisher';
import { decide, type WatchRecord } from './transitions';
import { scopeKey, type WatchStore } from './watch-store';
import type { EsmCallTarget } from './triggers';
import type { DependencyClients } from '../collect/dependencies';
import { indexScope, type DependencyIndex } from '../impact/dependency-index';
import { refreshIndexOne, refreshIndexScope, type IndexRefresh } from '../impact/index-refresh';

export interface WatchedAccountRef {
  /** The key records are kept under: the account id, or "self" when it is not known. */
  key: string;
  /** The account id, when known (for a CloudTrail event's recipientAccountId). */
  account?: string;
}

export interface WatcherDeps {
  store: WatchStore;
  publisher: Publisher;
  accounts: WatchedAccountRef[];
  regions: string[];
  /** A Lambda client for an account (its key) and region: the default credentials, or an assumed role. */
  lambdaFor(accountKey: string, region: string): LambdaReader;
  /** How long a recovery must hold before it is published. Default 5 minutes. */
  holdMs?: number;
  now?: () => Date;
  logger?: SlackLogger;
  /** Conditional writes in flight at once. */
  writeConcurrency?: number;
  /** Scopes listed at once. */
  scopeConcurrency?: number;
  /** An outbox older than this is re-published by whichever run sees it. Default 2 minutes (a run takes seconds). */
  outboxGraceMs?: number;
  /** A CloudWatch client for an account and region: with it, each run also looks for stalls (progress metrics). */
  metricsFor?(accountKey: string, region: string): MetricsReader;
  /** The stall round's window in minutes. Default collect/metrics WATCH_WINDOW_MINUTES. */
  stallWindowMinutes?: number;
  /**
   * With it, each run also keeps the dependency index of its scope (bot/impact/index-refresh): the
   * clients read the dependencies of created or re-pointed ESMs, with the account's credentials.
   */
  dependencies?: { index: DependencyIndex; clientsFor(accountKey: string, region: string): Promise<DependencyClients> };
}

export interface ScopeRun {
  scope: string;
  listed: number;
  pages: number;
  transitions: number;
  published: number;
  /** Events left in the outbox for the next run. */
  unpublished: number;
  /** Writes another run got to first. */
  conflicts: number;
  /** GetMetricData calls of the stall round. */
  metricCalls?: number;
  /** Mappings the stall round found not delivering. */
  stalled?: number;
  /** What the run did to the dependency index. */
  index?: IndexRefresh;
  error?: string;
}

export interface WatcherRun {
  trigger: 'schedule' | 'cloudtrail';
  scopes: ScopeRun[];
  published: number;
  unpublished: number;
  /** Set when a CloudTrail event was not acted on, and why. */
  ignored?: string;
}

export class WatcherFailed extends Error {
  constructor(readonly run: WatcherRun) {
    super(`the watcher could not read ${run.scopes.filter((s) => s.error).map((s) => s.scope).join(', ')}`);
    this.name = 'WatcherFailed';
  }
}

interface Work {
  /** The record as it stands after this run's write (or as read, for an outbox re-publication). */
  record: WatchRecord;
}

export interface Watcher {
  /** Every configured account and region. Throws WatcherFailed (after finishing the others) if a scope could not be read. */
  runAll(): Promise<WatcherRun>;
  /** One ESM, named by a CloudTrail event. */
  runOne(target: EsmCallTarget): Promise<WatcherRun>;
  /**
   * One configured account (its key: the account id, or "self") and region: the fan-out's unit,
   * one invocation per scope (handlers/watcher.ts). Throws WatcherFailed if it could not be read.
   */
  runScope(accountKey: string, region: string): Promise<WatcherRun>;
}

export function createWatcher(deps: WatcherDeps): Watcher {
  const now = deps.now ?? (() => new Date());
  const holdMs = deps.holdMs ?? 5 * 60_000;
  const logger = deps.logger ?? createLogger({ name: 'esm-doctor.watcher' });
  const grace = deps.outboxGraceMs ?? 2 * 60_000;

  /** Writes each decision conditionally; returns the records whose outbox this run now owns. */
  async function record(scope: string, decisions: { before?: WatchRecord; observation?: Observation }[], run: ScopeRun): Promise<Work[]> {
    const work: Work[] = [];
    await pool(decisions, deps.writeConcurrency ?? 32, async ({ before, observation }) => {
      const d = decide(before, observation, { now: now(), holdMs });
      if (!d.next) return;
      if (!(await deps.store.write(scope, d.next, before?.version))) {
        run.conflicts += 1;
        return;
      }
      if (d.event) run.transitions += 1;
      if (d.next.pending.length) work.push({ record: d.next });
    });
    return work;
  }

  /** Publishes the outboxes, then empties each one that went out whole. */
  async function flush(scope: string, work: Work[], run: ScopeRun): Promise<void> {
    if (!work.length) return;
    const events: EsmStateChange[] = work.flatMap((w) => w.record.pending);
    const result = await deps.publisher.publish(events);
    const failed = new Set(result.failed.map((f) => f.change));
    run.published += result.published.length;
    run.unpublished += result.failed.length;
    for (const f of result.failed) {
      logger.event('warn', 'watcher.publish-failed', { scope, uuid: f.change.uuid, health: f.change.health, errorCode: f.errorCode });
    }
    await pool(work, deps.writeConcurrency ?? 32, async (w) => {
      if (w.record.pending.some((e) => failed.has(e))) return;
      await deps.store.settle(scope, w.record, now().toISOString());
    });
  }

  function stale(r: WatchRecord, at: number): boolean {
    return Date.parse(r.updatedAt) <= at - grace;
  }

  async function runScope(accountKey: string, account: string | undefined, region: string): Promise<ScopeRun> {
    const scope = scopeKey(accountKey, region);
    const run: ScopeRun = { scope, listed: 0, pages: 0, transitions: 0, published: 0, unpublished: 0, conflicts: 0 };
    try {
      const startedAt = now().getTime();
      const [listing, records] = await Promise.all([
        listKafkaEsms(deps.lambdaFor(accountKey, region), { region, ...(account ? { account } : {}) }),
        deps.store.load(scope),
      ]);
      run.listed = listing.esms.length;
      run.pages = listing.pages;
      if (deps.metricsFor) await markProgress(deps.metricsFor(accountKey, region), listing.esms, run);
      const known = new Map(records.map((r) => [r.uuid, r]));
      const decisions: { before?: WatchRecord; observation?: Observation }[] = [];
      for (const observation of listing.esms) {
        const before = known.get(observation.uuid);
        known.delete(observation.uuid);
        decisions.push({ ...(before ? { before } : {}), observation });
      }
      const leftovers: Work[] = [];
      for (const before of known.values()) {
        // Not listed: deleted — unless the record was written after this listing began (a
        // CloudTrail-triggered run added an ESM created meanwhile).
        if (!before.deleted && Date.parse(before.updatedAt) < startedAt) decisions.push({ before });
        else if (before.deleted && stale(before, startedAt)) leftovers.push({ record: before });
      }
      const work = await record(scope, decisions, run);
      const written = new Set(work.map((w) => w.record.uuid));
      for (const r of records) {
        if (!written.has(r.uuid) && !r.deleted && r.pending.length && stale(r, startedAt)) leftovers.push({ record: r });
      }
      await flush(scope, [...work, ...leftovers.filter((w) => !written.has(w.record.uuid))], run);
      // After the events are out: the index never delays an alert.
      const indexAccount = account ?? listing.esms.find((o) => o.account)?.account;
      if (indexAccount) await keepIndex(run, accountKey, region, (index, clients) => refreshIndexScope(index, clients, indexScope(indexAccount, region), listing.mappings, { startedAt: new Date(startedAt), now }));
      logger.event('info', 'watcher.scope', { ...run });
    } catch (err) {
      run.error = errorFields(err).error as string;
      logger.event('error', 'watcher.scope-failed', { scope, ...errorFields(err) });
    }
    return run;
  }

  /** Runs one index refresh; a failure is logged and leaves the index as it was (the scope is then not marked swept). */
  async function keepIndex(run: ScopeRun, accountKey: string, region: string, refresh: (index: DependencyIndex, clients: () => Promise<DependencyClients>) => Promise<IndexRefresh>): Promise<void> {
    if (!deps.dependencies) return;
    try {
      const { index, clientsFor } = deps.dependencies;
      run.index = await refresh(index, () => clientsFor(accountKey, region));
    } catch (err) {
      logger.event('warn', 'watcher.index-failed', { scope: run.scope, ...errorFields(err) });
    }
  }

  /** The stall round: marks each Enabled observation stalled or delivering from its function's OffsetLag trend. */
  async function markProgress(cloudwatch: MetricsReader, esms: Observation[], run: ScopeRun): Promise<void> {
    const enabled = esms.filter((o) => o.observed.state === 'Enabled' && o.functionArn);
    try {
      const { lags, calls } = await readFunctionLags(cloudwatch, enabled.map((o) => functionNameFromArn(o.functionArn)), {
        now: now(),
        ...(deps.stallWindowMinutes ? { windowMinutes: deps.stallWindowMinutes } : {}),
      });
      run.metricCalls = calls;
      run.stalled = 0;
      // One trend per function: mappings that share a function share its lag series.
      const trends = new Map<string, ReturnType<typeof lagTrend>>();
      const trendOf = (name: string) => {
        if (!trends.has(name)) {
          const lag = lags.get(name);
          trends.set(name, lag ? lagTrend(pointsOf({ namespace: 'AWS/Lambda', metric: 'OffsetLag', dimensions: {}, stat: 'Maximum', ...lag })) : undefined);
        }
        return trends.get(name);
      };
      for (const o of enabled) {
        const trend = trendOf(functionNameFromArn(o.functionArn));
        // Too few points is no evidence either way: leave the observation unmarked.
        if (!trend?.enough) continue;
        o.progress = trend.growing ? 'stalled' : 'delivering';
        if (trend.growing) run.stalled += 1;
      }
    } catch (err) {
      logger.event('warn', 'watcher.metrics-failed', { scope: run.scope, ...errorFields(err) });
    }
  }

  function summarise(trigger: WatcherRun['trigger'], scopes: ScopeRun[], ignored?: string): WatcherRun {
    return {
      trigger,
      scopes,
      published: scopes.reduce((n, s) => n + s.published, 0),
      unpublished: scopes.reduce((n, s) => n + s.unpublished, 0),
      ...(ignored ? { ignored } : {}),
    };
  }

  return {
    async runAll() {
      const targets = deps.accounts.flatMap((a) => deps.regions.map((region) => ({ a, region })));
      const scopes: ScopeRun[] = [];
      await pool(targets, deps.scopeConcurrency ?? 4, async ({ a, region }) => {
        scopes.push(await runScope(a.key, a.account, region));
      });
      const run = summarise('schedule', scopes);
      if (scopes.some((s) => s.error)) throw new WatcherFailed(run);
      return run;
    },

    async runScope(accountKey, region) {
      const ref = deps.accounts.find((a) => a.key === accountKey);
      if (!ref) return summarise('schedule', [], `account ${accountKey} is not watched`);
      if (!deps.regions.includes(region)) return summarise('schedule', [], `region ${region} is not watched`);
      const run = summarise('schedule', [await runScope(ref.key, ref.account, region)]);
      if (run.scopes.some((s) => s.error)) throw new WatcherFailed(run);
      return run;
    },

    async runOne(target) {
      // By account id; an own account whose id is not configured ("self") takes the calls no role claims.
      const ref =
        deps.accounts.find((a) => target.account !== undefined && a.account === target.account) ??
        deps.accounts.find((a) => a.key === 'self' && a.account === undefined);
      if (!ref) return summarise('cloudtrail', [], `account ${target.account ?? '(none)'} is not watched`);
      if (!deps.regions.includes(target.region)) return summarise('cloudtrail', [], `region ${target.region} is not watched`);
      const scope = scopeKey(ref.key, target.region);
      const run: ScopeRun = { scope, listed: 0, pages: 0, transitions: 0, published: 0, unpublished: 0, conflicts: 0 };
      const read = await readKafkaEsm(deps.lambdaFor(ref.key, target.region), target.uuid, {
        region: target.region,
        ...(ref.account ? { account: ref.account } : {}),
      });
      if (read === undefined) return summarise('cloudtrail', [], `${target.uuid} is not a Kafka event source mapping`);
      run.listed = read === 'deleted' ? 0 : 1;
      const before = await deps.store.get(scope, target.uuid);
      const work = await record(scope, [{ ...(before ? { before } : {}), ...(read === 'deleted' ? {} : { observation: read }) }], run);
      await flush(scope, work, run);
      const indexAccount = ref.account ?? (read === 'deleted' ? target.account : read.account);
      if (indexAccount) await keepIndex(run, ref.key, target.region, (index, clients) => refreshIndexOne(index, clients, indexScope(indexAccount, target.region), target.uuid, now()));
      logger.event('info', 'watcher.esm', { ...run, uuid: target.uuid, eventName: target.eventName });
      return summarise('cloudtrail', [run]);
    },
  };
}
