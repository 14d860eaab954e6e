/**
 * The watcher's side of the dependency index (./dependency-index): after each scope's run, the ESMs
 * it lists that the index does not have, or has for another configuration (`configHash`), have
 * their dependencies read (bot/collect/dependencies, reads shared between them) and recorded; the
 * indexed ESMs it no longer lists are removed; and when nothing is left over the scope is marked
 * swept, which is what lets the pre-alert trust the index.
 *
 * Cost of a quiet minute: one Query of the scope's ESM items and one PutItem (the mark); no AWS
 * read. A created or re-pointed ESM: its dependency reads (shared) and one GetItem + at most one
 * TransactWriteItems of (1 + keys gained + keys lost) items. An ESM whose reads failed (denied,
 * throttled) keeps the keys it had; one the index does not have yet gets the keys that could be read. At most `maxRefreshes` ESMs are read per
 * run (the first run over thousands of ESMs is spread over a few minutes); until the backlog is
 * done the scope is not marked swept, so the pre-alert keeps reading live.
 *
 * What an ESM depends on can change without its configuration changing (the function gets another
 * role, a secret another KMS key, a subnet another route table), and a diagnosis renews only the
 * ESMs that are diagnosed. So each run also re-reads up to `maxRenewals` entries older than
 * `renewAfterMs` (oldest first, in the room `maxRefreshes` leaves): new keys are written, the same
 * keys cost one write that moves refreshedAt. 1,000 ESMs at the defaults: each re-read once a day,
 * about one a minute.
 */
import { jsonSafe } from '../collect/fact';
import { dependencyReader, type DependencyClients } from '../collect/dependencies';
import { readEventSourceMapping } from '../collect/inventory';
import { esmSource } from '../model/esm';
import { EsmConfig } from '../model/snapshot';
import { pool } from '../alerts/pool';
import { dependenciesOf } from './dependencies';
import { configHash, type DependencyIndex, type RecordOutcome } from './dependency-index';

export interface IndexRefresh {
  /** ESMs whose dependencies were read. */
  refreshed: number;
  /** ESM entries written (keys changed) or removed. */
  written: number;
  removed: number;
  /** Items put or deleted in the table. */
  writes: number;
  /** Entries older than `renewAfterMs` that were re-read and found unchanged (refreshedAt moved). */
  renewed: number;
  /** ESMs left for the next run (over `maxRefreshes`). */
  backlog: number;
  swept: boolean;
}

export const MAX_REFRESHES_PER_RUN = 500;
export const RENEW_AFTER_MS = 24 * 3600_000;
export const MAX_RENEWALS_PER_RUN = 20;

/** The dependency reads' clients for the scope's account and region, made on first need. */
export type ClientsProvider = () => Promise<DependencyClients>;

/** A listed mapping as the dependency reads take it; undefined for a mapping that is not Kafka. */
function kafkaConfig(mapping: unknown): EsmConfig | undefined {
  const parsed = EsmConfig.safeParse(jsonSafe(mapping));
  return parsed.success && esmSource(parsed.data) ? parsed.data : undefined;
}

function tally(run: IndexRefresh, out: RecordOutcome, kind: 'written' | 'removed'): void {
  run.writes += out.writes;
  if (out.outcome === 'written') run[kind] += 1;
  if (out.outcome === 'renewed') run.renewed += 1;
}

/**
 * One scope after the watcher listed it. `mappings` are the listed Kafka mappings as Lambda returned
 * them; `startedAt` is when the listing began (an entry written after it, by a diagnosis of an ESM
 * created meanwhile, is not "gone").
 */
export async function refreshIndexScope(
  index: DependencyIndex,
  clients: ClientsProvider,
  scope: string,
  mappings: readonly unknown[],
  options: { startedAt: Date; now: () => Date; maxRefreshes?: number; concurrency?: number; renewAfterMs?: number; maxRenewals?: number },
): Promise<IndexRefresh> {
  const run: IndexRefresh = { refreshed: 0, written: 0, removed: 0, renewed: 0, writes: 0, backlog: 0, swept: false };
  const indexed = new Map((await index.load(scope)).map((e) => [e.uuid, e]));
  const stale: Array<{ esm: EsmConfig; config: string; renew?: true }> = [];
  const aged: Array<{ esm: EsmConfig; config: string; renew: true; at: number }> = [];
  const renewBefore = options.now().getTime() - (options.renewAfterMs ?? RENEW_AFTER_MS);
  const listed = new Set<string>();
  for (const mapping of mappings) {
    const esm = kafkaConfig(mapping);
    if (!esm) continue;
    listed.add(esm.UUID);
    const config = configHash(esm);
    const entry = indexed.get(esm.UUID);
    if (entry?.config !== config) stale.push({ esm, config });
    else if (Date.parse(entry.refreshedAt) < renewBefore) aged.push({ esm, config, renew: true, at: Date.parse(entry.refreshedAt) });
  }
  const now = () => options.now().toISOString();
  const room = options.maxRefreshes ?? MAX_REFRESHES_PER_RUN;
  const batch = stale.slice(0, room);
  run.backlog = stale.length - batch.length;
  // Renewals only in the room the changed ESMs leave: they never hold the sweep back.
  const renewals = aged.sort((a, b) => a.at - b.at).slice(0, Math.max(0, Math.min(options.maxRenewals ?? MAX_RENEWALS_PER_RUN, room - batch.length)));
  const reads = [...batch, ...renewals];
  // The clients (and the SDK behind them) load only when there is something to read.
  const read = reads.length ? dependencyReader(await clients()) : undefined;
  await pool(reads, options.concurrency ?? 8, async ({ esm, config, renew }) => {
    const { facts, errors } = await read!(esm);
    run.refreshed += 1;
    tally(run, await index.record(scope, dependenciesOf(facts), config, now(), { incomplete: errors.length > 0, ...(renew ? { renew } : {}) }), 'written');
  });
  const gone = [...indexed.values()].filter((e) => !listed.has(e.uuid) && Date.parse(e.refreshedAt) < options.startedAt.getTime());
  await pool(gone, options.concurrency ?? 8, async (e) => tally(run, await index.remove(scope, e.uuid), 'removed'));
  if (run.backlog === 0) {
    await index.markSwept(scope, options.startedAt.toISOString());
    run.swept = true;
  }
  return run;
}

/** One ESM named by a CloudTrail call (created, updated, deleted): re-read and recorded, or removed. */
export async function refreshIndexOne(index: DependencyIndex, provide: ClientsProvider, scope: string, uuid: string, now: Date): Promise<IndexRefresh> {
  const run: IndexRefresh = { refreshed: 0, written: 0, removed: 0, renewed: 0, writes: 0, backlog: 0, swept: false };
  const clients = await provide();
  const mapping = await readEventSourceMapping(clients.lambda, uuid);
  const esm = mapping === 'not-found' || mapping.State === 'Deleting' ? undefined : kafkaConfig(mapping);
  if (!esm) {
    tally(run, await index.remove(scope, uuid), 'removed');
    return run;
  }
  const { facts, errors } = await dependencyReader(clients)(esm);
  run.refreshed = 1;
  tally(run, await index.record(scope, dependenciesOf(facts), configHash(esm), now.toISOString(), { incomplete: errors.length > 0 }), 'written');
  return run;
}
