/**
 * The sandbox's "AWS account": one ESM per bundled scenario, each diagnosed by the real checks from
 * its snapshot. Several scenarios are variations of the same baseline and share its ESM UUID; here
 * every ESM needs its own, so a scenario whose UUID is already taken gets a stable one derived from
 * its id, substituted everywhere in the snapshot (ARN, consumer group, IAM resources) so the facts
 * stay consistent and the checks find what the scenario expects (pinned by test/sandbox).
 *
 * One ESM is "watched": it starts healthy, and the sandbox watcher switches it to a failing scenario
 * and back, as a real ESM would fail when someone edits a security group.
 */
import { createHash } from 'node:crypto';
import { diagnoseSnapshot } from '../diagnose';
import { TargetNotFound } from '../model/errors';
import type { ObservedState, EsmStateChange, EsmHealth } from '../model/events';
import type { Snapshot } from '../model/snapshot';
import type { Target } from '../model/target';
import type { EngineDiagnose } from '../slack/engine';
import { SCENARIOS, type Scenario } from '../../scenarios/index';
import type { FixPlan } from '../model/fix-plan';
import type { RemediationClients } from '../remediate/apply';
import { fakeAccountState, fakeRemediationClients, type FakeAccountState } from './fake-writes';

export interface SandboxEsm {
  uuid: string;
  region: string;
  account: string;
  /** The scenario it is (for the watched ESM: the one it is now). */
  scenario: Scenario;
  functionName: string;
  topics: string[];
  /** Switched between two scenarios by the watcher. */
  watched: boolean;
}

export interface WatchedPair {
  /** Scenario ids: the healthy state and the failing one. */
  healthy: string;
  failing: string;
}

export const DEFAULT_WATCHED: WatchedPair = { healthy: 'msk-iam-healthy', failing: 'msk-sg-missing-self-rule' };

/** The ESM the sandbox watcher stalls: a busy mapping that a poison batch stops while Lambda keeps saying OK. */
export const DEFAULT_STALL_WATCHED: WatchedPair = { healthy: 'busy-catching-up', failing: 'stall-poison-batch' };

/** A UUID (version 4 layout) from a name, the same on every run. */
export function derivedUuid(name: string): string {
  const h = createHash('sha256').update(`esm-doctor sandbox ${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The snapshot with every occurrence of its ESM UUID replaced. */
function withUuid(snapshot: Snapshot, uuid: string): Snapshot {
  const original = snapshot.target.uuid;
  if (original === uuid) return snapshot;
  return JSON.parse(JSON.stringify(snapshot).split(original).join(uuid)) as Snapshot;
}

function functionName(snapshot: Snapshot): string {
  return /:function:([^:]+)/.exec(snapshot.esm.FunctionArn ?? '')?.[1] ?? snapshot.esm.FunctionArn ?? 'unknown';
}

/** What ListEventSourceMappings would say of the ESM in this snapshot. */
export function observedState(snapshot: Snapshot): ObservedState {
  const esm = snapshot.esm;
  return {
    state: esm.State ?? 'Unknown',
    ...(esm.LastProcessingResult ? { lastProcessingResult: esm.LastProcessingResult } : {}),
    ...(esm.StateTransitionReason ? { stateTransitionReason: esm.StateTransitionReason } : {}),
  };
}

/** The ESM State Change event the production watcher would publish for this transition. */
export function stateChange(previous: Snapshot, current: Snapshot, health: EsmHealth, observedAt: Date): EsmStateChange {
  const esm = current.esm;
  const servers = esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS;
  return {
    uuid: current.target.uuid,
    esmArn: esm.EventSourceMappingArn ?? `arn:aws:lambda:${current.target.region}:${current.target.account}:event-source-mapping:${current.target.uuid}`,
    functionArn: esm.FunctionArn ?? '',
    eventSource: esm.EventSourceArn ?? servers?.join(',') ?? '',
    region: current.target.region,
    account: current.target.account ?? '',
    health,
    previous: observedState(previous),
    current: observedState(current),
    observedAt: observedAt.toISOString(),
  };
}

interface Entry {
  esm: SandboxEsm;
  snapshot: () => Snapshot;
  /** Facts changed by a fix applied here (the ESM's own copy of the account from then on). */
  written?: FakeAccountState;
  /** The scenario's facts, before any fix. */
  base: () => Snapshot;
}

export class SandboxAccounts {
  private readonly entries = new Map<string, Entry>();
  private readonly watchedStates: { healthy: Entry; failing: Entry } | undefined;
  private watchedPhase: 'healthy' | 'failing' = 'healthy';
  readonly watchedUuid: string | undefined;
  private readonly stallStates: { healthy: Entry; failing: Entry } | undefined;
  private stallPhase: 'healthy' | 'failing' = 'healthy';
  /** The ESM the watcher stalls (its metrics say so; Lambda says OK), when the scenarios have the pair. */
  readonly stallUuid: string | undefined;

  constructor(scenarios: readonly Scenario[] = SCENARIOS, watched: WatchedPair | undefined = DEFAULT_WATCHED, stall: WatchedPair | undefined = DEFAULT_STALL_WATCHED) {
    for (const scenario of scenarios) {
      const base = scenario.snapshot();
      const uuid = this.entries.has(base.target.uuid) ? derivedUuid(scenario.id) : base.target.uuid;
      this.entries.set(uuid, this.entry(scenario, uuid, false));
    }
    if (watched) {
      const healthy = scenarios.find((s) => s.id === watched.healthy);
      const failing = scenarios.find((s) => s.id === watched.failing);
      if (!healthy || !failing) throw new Error(`the watched scenarios ${watched.healthy} / ${watched.failing} are not bundled`);
      const uuid = [...this.entries.values()].find((e) => e.esm.scenario === healthy)!.esm.uuid;
      this.watchedStates = { healthy: this.entry(healthy, uuid, true), failing: this.entry(failing, uuid, true) };
      this.watchedUuid = uuid;
      this.entries.set(uuid, this.watchedStates.healthy);
    }
    const stallHealthy = stall && scenarios.find((sc) => sc.id === stall.healthy);
    const stallFailing = stall && scenarios.find((sc) => sc.id === stall.failing);
    const stallEntry = stallHealthy && [...this.entries.values()].find((e) => e.esm.scenario === stallHealthy && !e.esm.watched);
    if (stallHealthy && stallFailing && stallEntry) {
      const uuid = stallEntry.esm.uuid;
      this.stallStates = { healthy: this.entry(stallHealthy, uuid, true), failing: this.entry(stallFailing, uuid, true) };
      this.stallUuid = uuid;
      this.entries.set(uuid, this.stallStates.healthy);
    }
  }

  private entry(scenario: Scenario, uuid: string, watched: boolean): Entry {
    const snapshot = () => withUuid(scenario.snapshot(), uuid);
    const first = snapshot();
    return {
      snapshot,
      base: snapshot,
      esm: {
        uuid,
        region: first.target.region,
        account: first.target.account ?? '',
        scenario,
        functionName: functionName(first),
        topics: first.esm.Topics ?? [],
        watched,
      },
    };
  }

  list(): SandboxEsm[] {
    return [...this.entries.values()].map((e) => e.esm);
  }

  get(uuid: string): SandboxEsm | undefined {
    return this.entries.get(uuid.toLowerCase())?.esm;
  }

  /** The snapshot the ESM has now, as `esm-doctor collect` would have read it; TargetNotFound elsewhere. */
  snapshotOf(target: Pick<Target, 'uuid' | 'region' | 'account'>): Snapshot {
    const entry = this.entries.get(target.uuid.toLowerCase());
    if (!entry || entry.esm.region !== target.region || (target.account && target.account !== entry.esm.account)) {
      throw new TargetNotFound(target.uuid, target.region);
    }
    return entry.snapshot();
  }

  /** Switches the watched ESM; returns the transition (undefined when nothing changed). */
  setWatchedPhase(phase: 'healthy' | 'failing', observedAt = new Date()): EsmStateChange | undefined {
    if (!this.watchedStates || phase === this.watchedPhase) return undefined;
    const previous = this.watchedStates[this.watchedPhase];
    const next = this.watchedStates[phase];
    this.watchedPhase = phase;
    // The watcher breaks (or heals) the ESM afresh: a fix applied in an earlier phase does not carry over.
    delete next.written;
    next.snapshot = next.base;
    this.entries.set(next.esm.uuid, next);
    return stateChange(previous.snapshot(), next.snapshot(), phase === 'failing' ? 'failing' : 'recovered', observedAt);
  }

  /** Stalls the stall-watched ESM (health `stalled`: Lambda still says OK) or lets it deliver again. */
  setStallPhase(phase: 'healthy' | 'failing', observedAt = new Date()): EsmStateChange | undefined {
    if (!this.stallStates || phase === this.stallPhase) return undefined;
    const previous = this.stallStates[this.stallPhase];
    const next = this.stallStates[phase];
    this.stallPhase = phase;
    this.entries.set(next.esm.uuid, next);
    return stateChange(previous.snapshot(), next.snapshot(), phase === 'failing' ? 'stalled' : 'recovered', observedAt);
  }

  /**
   * The scripted change (bot/sandbox/change.ts): the watched ESM's resources now look like its
   * failing scenario, but Lambda has not noticed — no transition yet (setWatchedPhase publishes it
   * later). Answers every ESM's snapshot as it is after the change.
   */
  applyWatchedChange(): Snapshot[] {
    if (this.watchedStates && this.watchedUuid) this.entries.set(this.watchedUuid, this.watchedStates.failing);
    return [...this.entries.values()].map((e) => e.snapshot());
  }

  get watchedPhaseNow(): 'healthy' | 'failing' {
    return this.watchedPhase;
  }

  /**
   * The clients a fix plan for this ESM is applied with: from the first write on, the ESM keeps its
   * own changed copy of the facts, which every later diagnosis reads.
   */
  remediationClients(plan: Pick<FixPlan, 'esm'>): RemediationClients {
    const entry = this.entries.get(plan.esm.uuid.toLowerCase());
    if (!entry || entry.esm.region !== plan.esm.region) throw new TargetNotFound(plan.esm.uuid, plan.esm.region);
    if (!entry.written) {
      const state = fakeAccountState(entry.snapshot());
      entry.written = state;
      entry.snapshot = () => structuredClone(state.snapshot);
    }
    return fakeRemediationClients(entry.written);
  }

  /**
   * Lambda's next poll, at once: after a fix, a mapping whose only remaining failure is the last
   * processing result Lambda reported (the error the fix removed) reports OK, as it would within a
   * minute or so in AWS.
   */
  settle(uuid: string): void {
    const state = this.entries.get(uuid.toLowerCase())?.written;
    if (!state || !state.snapshot.esm.LastProcessingResult || state.snapshot.esm.LastProcessingResult === 'OK') return;
    const fails = diagnoseSnapshot(state.snapshot).findings.filter((f) => f.status === 'fail');
    if (fails.every((f) => f.check === 'esm.last-result')) state.snapshot.esm.LastProcessingResult = 'OK';
  }

  /** The engine's entry point over these snapshots: what `diagnose` does with AWS, offline. */
  engine(options: { delayMs?: number } = {}): EngineDiagnose {
    return async (target) => {
      const started = Date.now();
      const snapshot = this.snapshotOf(target);
      // A real diagnosis takes seconds (a dozen AWS calls); a short pause shows the same progress
      // states in the channel ("Re-running the checks…") that a real one does.
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      // The pause stands in for collecting: timed from its start, as diagnose() times collection,
      // or every report would say "in 0.0 s" (the checks alone take milliseconds).
      const report = diagnoseSnapshot(snapshot);
      return { report: { ...report, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started }, snapshot };
    };
  }
}
