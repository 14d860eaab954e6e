/**
 * The deployed dependency index: resource key → the ESMs whose diagnosis reads it, per account and
 * region, kept in the state table (./dependency-index-dynamodb) so that the pre-alert can find an
 * event's dependents without listing every ESM of the account and reading what each depends on.
 *
 * Who keeps it right:
 *  - every deployed diagnosis (alert, Slack worker, pre-alert) records the diagnosed ESM's keys,
 *    computed from the snapshot it just collected (`recordingDependencies`);
 *  - the watcher (./index-refresh) reads the dependencies of the ESMs it sees created or whose
 *    configuration changed, removes the ESMs that are gone, and marks the scope swept.
 *
 * When the pre-alert trusts it (`indexedDependents`): only for a scope the watcher swept within
 * `maxAgeMs` (default 5 minutes: the watcher runs every minute, so a fresh mark means it is alive and
 * has seen every ESM of the scope; a few late or failed runs are tolerated), and only when the index
 * names at least one dependent of what the call touched. Otherwise the live read answers: a scope
 * nobody sweeps, a dead watcher, or a resource the index has never seen (a dependency that formed
 * after the last refresh, e.g. a route table newly associated with an ESM's subnet) must not turn
 * into "nothing depends on it".
 */
import { createHash } from 'node:crypto';
import type { EsmConfig, Snapshot } from '../model/snapshot';
import { dependenciesOf, type Dependencies, type DependencyFacts } from './dependencies';

/** One ESM as the index holds it. */
export interface IndexedEsm extends Dependencies {
  /** `configHash` of the ESM configuration the keys were computed from. */
  config: string;
  refreshedAt: string;
  version: number;
}

export type Dependent = Pick<Dependencies, 'uuid' | 'arn' | 'functionArn'>;

export interface RecordOutcome {
  /** `renewed`: the keys were the same and only the entry's refreshedAt moved (RecordOptions.renew). */
  outcome: 'unchanged' | 'written' | 'renewed' | 'conflict';
  /** Items written or deleted (the figure docs/impact.md quotes). */
  writes: number;
}

export interface RecordOptions {
  /**
   * The keys come from reads some of which failed (`keysIncomplete`): they are recorded only for an
   * ESM the index does not have yet (some keys beat none); a complete entry is not replaced by fewer keys.
   */
  incomplete?: boolean;
  /**
   * The watcher's renewal of an old entry: when the complete read finds the same keys, refreshedAt
   * still moves to `now` (one write), so the entry is not read again on the next run.
   */
  renew?: boolean;
}

export interface DependencyIndex {
  /** Every ESM recorded in a scope (the watcher compares them with its listing). */
  load(scope: string): Promise<IndexedEsm[]>;
  /**
   * Replaces the ESM's keys with `deps.keys`: the keys it no longer has stop naming it. Writes
   * nothing when keys, identity and configuration are unchanged.
   */
  record(scope: string, deps: Dependencies, config: string, now: string, options?: RecordOptions): Promise<RecordOutcome>;
  /** The ESM and every key naming it go. */
  remove(scope: string, uuid: string): Promise<RecordOutcome>;
  /** The ESMs recorded under any of `keys`, each once. */
  dependents(scope: string, keys: readonly string[]): Promise<Dependent[]>;
  markSwept(scope: string, at: string): Promise<void>;
  sweptAt(scope: string): Promise<string | undefined>;
}

/** The index's scope: the account and region the ESM lives in (from its ARN, which Lambda always returns). */
export function indexScope(account: string, region: string): string {
  return `${account}#${region}`;
}

const ESM_ARN = /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:/;

export function scopeOfEsm(esmArn: string | undefined): string | undefined {
  const m = esmArn ? ESM_ARN.exec(esmArn) : null;
  return m ? indexScope(m[2]!, m[1]!) : undefined;
}

/**
 * What of an ESM's configuration its dependencies follow from: the function, the source (cluster or
 * bootstrap servers) and the access configurations (secrets, self-managed subnets and groups). A
 * change of state, batch size or filters changes none of them, so it costs no refresh.
 */
export function configHash(esm: Pick<EsmConfig, 'FunctionArn' | 'EventSourceArn' | 'SelfManagedEventSource' | 'SourceAccessConfigurations'>): string {
  const relevant = {
    f: esm.FunctionArn,
    s: esm.EventSourceArn ?? null,
    m: esm.SelfManagedEventSource?.Endpoints ?? null,
    a: (esm.SourceAccessConfigurations ?? []).map((c) => `${c.Type}=${c.URI}`).sort(),
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

/** Whether the record already says what `deps` and `config` say. */
export function sameEntry(before: IndexedEsm | undefined, deps: Dependencies, config: string): boolean {
  if (!before || before.config !== config || before.functionArn !== deps.functionArn || before.arn !== deps.arn) return false;
  return before.keys.length === deps.keys.length && before.keys.every((k, i) => k === deps.keys[i]);
}

/** Whether `record` leaves the entry as it is: it already says the same, or the new keys are incomplete and there is an entry. */
export function keepEntry(before: IndexedEsm | undefined, deps: Dependencies, config: string, options: RecordOptions): boolean {
  return sameEntry(before, deps, config) || (before !== undefined && options.incomplete === true);
}

/** Whether a read the keys come from failed (denied, throttled): then they may miss some. */
export function keysIncomplete(facts: DependencyFacts): boolean {
  const failed = (f: { ok: boolean } | undefined) => f !== undefined && !f.ok;
  const n = facts.network;
  return (
    failed(facts.function) ||
    failed(facts.cluster) ||
    [n?.subnets, n?.routeTables, n?.vpcEndpoints, n?.networkAcls].some(failed) ||
    (facts.secrets ?? []).some((s) => failed(s.describe) || failed(s.kmsKey))
  );
}

/** In memory: tests and the bench. */
export class MemoryDependencyIndex implements DependencyIndex {
  private readonly scopes = new Map<string, Map<string, IndexedEsm>>();
  private readonly swept = new Map<string, string>();

  private scope(scope: string): Map<string, IndexedEsm> {
    if (!this.scopes.has(scope)) this.scopes.set(scope, new Map());
    return this.scopes.get(scope)!;
  }

  async load(scope: string): Promise<IndexedEsm[]> {
    return structuredClone([...this.scope(scope).values()]);
  }

  async record(scope: string, deps: Dependencies, config: string, now: string, options: RecordOptions = {}): Promise<RecordOutcome> {
    const before = this.scope(scope).get(deps.uuid);
    if (before && options.renew && !options.incomplete && sameEntry(before, deps, config)) {
      this.scope(scope).set(deps.uuid, { ...before, refreshedAt: now, version: before.version + 1 });
      return { outcome: 'renewed', writes: 1 };
    }
    if (keepEntry(before, deps, config, options)) return { outcome: 'unchanged', writes: 0 };
    this.scope(scope).set(deps.uuid, { ...structuredClone(deps), config, refreshedAt: now, version: (before?.version ?? 0) + 1 });
    return { outcome: 'written', writes: 1 };
  }

  async remove(scope: string, uuid: string): Promise<RecordOutcome> {
    const gone = this.scope(scope).delete(uuid);
    return { outcome: gone ? 'written' : 'unchanged', writes: gone ? 1 : 0 };
  }

  async dependents(scope: string, keys: readonly string[]): Promise<Dependent[]> {
    const wanted = new Set(keys);
    return [...this.scope(scope).values()]
      .filter((e) => e.keys.some((k) => wanted.has(k)))
      .map(({ uuid, arn, functionArn }) => ({ uuid, ...(arn ? { arn } : {}), functionArn }));
  }

  async markSwept(scope: string, at: string): Promise<void> {
    this.swept.set(scope, at);
  }

  async sweptAt(scope: string): Promise<string | undefined> {
    return this.swept.get(scope);
  }
}

/** Records what a snapshot's ESM depends on. Never throws: a failed write only leaves the index older. */
export async function recordSnapshot(index: DependencyIndex, snapshot: Pick<Snapshot, 'esm'> & Partial<Snapshot>, now: Date, onError?: (err: unknown) => void): Promise<RecordOutcome | undefined> {
  const scope = scopeOfEsm(snapshot.esm.EventSourceMappingArn);
  if (!scope) return undefined;
  try {
    return await index.record(scope, dependenciesOf(snapshot), configHash(snapshot.esm), now.toISOString(), { incomplete: keysIncomplete(snapshot) });
  } catch (err) {
    onError?.(err);
    return undefined;
  }
}

/**
 * A diagnose function (bot/diagnose, the Slack engine) that also records each diagnosed ESM's
 * dependencies. The report is returned whatever the index says.
 */
export function recordingDependencies<A extends unknown[], D extends { snapshot?: Pick<Snapshot, 'esm'> & Partial<Snapshot> }>(
  diagnose: (...args: A) => Promise<D>,
  index: DependencyIndex,
  options: { now?: () => Date; onError?: (err: unknown) => void } = {},
): (...args: A) => Promise<D> {
  return async (...args) => {
    const out = await diagnose(...args);
    if (out.snapshot?.esm) await recordSnapshot(index, out.snapshot, options.now?.() ?? new Date(), options.onError);
    return out;
  };
}

export const INDEX_MAX_AGE_MS = 5 * 60_000;

/**
 * The dependents of `keys` from the index, or undefined when the live read must answer (see the
 * file's comment): the scope not swept within `maxAgeMs`, no entry for any key, or the index unreadable.
 */
export async function indexedDependents(
  index: DependencyIndex,
  scope: string,
  keys: readonly string[],
  options: { now?: Date; maxAgeMs?: number; onError?: (err: unknown) => void } = {},
): Promise<Dependent[] | undefined> {
  try {
    const swept = await index.sweptAt(scope);
    const now = (options.now ?? new Date()).getTime();
    if (!swept || now - Date.parse(swept) > (options.maxAgeMs ?? INDEX_MAX_AGE_MS)) return undefined;
    const found = await index.dependents(scope, keys);
    return found.length ? found : undefined;
  } catch (err) {
    options.onError?.(err);
    return undefined;
  }
}
