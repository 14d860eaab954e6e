/**
 * A check is a pure function of the Snapshot (like a cdk-nag rule of a resolved resource): it never
 * fetches, it answers fail / warn / pass, `skip` when it does not apply (with the reason), and
 * `error` when a fact it needs could not be read (naming the call and the permission).
 */
import type { FactError, Fact, Snapshot } from '../model/snapshot';
import type { Remedy, Status, Step } from '../model/report';
import { remedyText } from '../model/remedy';
import { CROSS_ACCOUNT_CLUSTER } from '../model/esm';
import type { CheckId } from './registry';
import type { Symptom } from './status/symptoms';

export interface Outcome {
  status: Status;
  /** Overrides the check's default title with a specific one-liner ("Cluster SG sg-1 does not admit 9098"). */
  title?: string;
  detail: string;
  /** Plain-text fix; prefer `remedy`, from which the engine derives `fix` when this is absent. */
  fix?: string;
  /** What to do, as data (summary, commands, documents): every fail and warn that has a fix carries one. */
  remedy?: Remedy;
  resources?: string[];
  /**
   * Checks that would confirm this finding (esm.last-result decodes Lambda's message into a category
   * and names them). The engine adds to the detail which of them fail in the same report.
   */
  related?: readonly CheckId[];
}

/**
 * How the live probe speaks to a static check's verdict (the engine's reconciliation pass reads it):
 * a probe step confirms or contradicts it, and the probe is trusted when they disagree.
 */
export interface ProbeRule<ProbeId extends string = string> {
  /** The probe check that confirms or contradicts this one. */
  probe: ProbeId;
  /**
   * A passing probe step proves the static failure wrong (the probe connected where the static
   * check said it could not). False where the static check covers more than the probe sees
   * (egress on 443, a secret's PBES2 key that Node accepts and Lambda's Java does not).
   */
  probeCanClear: boolean;
  /** Only a probe from the ESM's own network position (remote) can speak to it. */
  networkPosition: boolean;
}

export interface Check<Id extends string = string, Ref extends string = string> {
  /** Stable id from checks.md: the contract with reports, tests and users' automation. The file is named after it. */
  id: Id;
  step: Step;
  /** Plain-language title used when the outcome gives none. */
  title: string;
  /** A page of AWS_DOCS (bot/checks/lib/aws-docs.ts). */
  docs?: string;
  /** The live probe steps that confirm or contradict this check, in the order the engine applies them. */
  probe?: readonly ProbeRule<Ref>[];
  /**
   * What Lambda says (a LastProcessingResult family, a disable code, a stuck transition) that a
   * failure of this check would explain: the status findings name this check as a confirmation.
   */
  explains?: readonly Symptom[];
  /**
   * Declare the return type (`run(snapshot): Outcome {`): CheckId is derived from the checks
   * themselves, so a return type inferred from a body that names ids would be circular (TS7023).
   */
  run(snapshot: Snapshot): Outcome;
}

/** What a check starts from (a fact, the ESM's position, the metrics), or the outcome to answer instead. */
export type Needed<T> = { ok: true; value: T } | { ok: false; outcome: Outcome };

/**
 * A check as written: a Check, plus, when it cannot judge without something read from the snapshot,
 * `needs`, which gives that (a fact, the ESM's position, the metrics) or the outcome to answer
 * instead (not collected, could not read, does not apply); `run` then receives it. The prelude
 * every such check would repeat is said once, here.
 */
export interface CheckSpec<Id extends string, Ref extends string, T> extends Omit<Check<Id, Ref>, 'run'> {
  needs?(snapshot: Snapshot): Needed<T>;
  run(snapshot: Snapshot, needed: T): Outcome;
}

/**
 * A check with its id kept as a literal type, so the registry can derive the union of check ids
 * (CheckId) and reject, at compile time, a probe rule or a `related` id that names no check.
 */
export function defineCheck<const Id extends string, const Ref extends string = never, T = undefined>(spec: CheckSpec<Id, Ref, T>): Check<Id, Ref> {
  const { needs, run, ...meta } = spec;
  if (!needs) return { ...meta, run: (snapshot) => run(snapshot, undefined as T) };
  return {
    ...meta,
    run(snapshot) {
      const needed = needs(snapshot);
      return needed.ok ? run(snapshot, needed.value) : needed.outcome;
    },
  };
}

export const pass = (detail: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'pass', detail, ...extra });
export const skip = (detail: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'skip', detail, ...extra });
/** What a fail or warn says to do: a Remedy, or prose alone (a fix with no command or document). */
export type Fix = string | Remedy;

/** The remedy, and `fix` as its plain-text rendering (what readers of older reports and the tests read). */
export function fixFields(fix: Fix | undefined): Pick<Outcome, 'remedy' | 'fix'> {
  if (fix === undefined || fix === '') return {};
  const remedy = typeof fix === 'string' ? { summary: fix } : fix;
  return { remedy, fix: remedyText(remedy) };
}

export const fail = (title: string, detail: string, fix: Fix, extra: Partial<Outcome> = {}): Outcome => ({
  status: 'fail', title, detail, ...fixFields(fix), ...extra,
});
export const warn = (title: string, detail: string, fix?: Fix, extra: Partial<Outcome> = {}): Outcome => ({
  status: 'warn', title, detail, ...fixFields(fix), ...extra,
});

/** The `error` outcome for a fact that could not be read: which call, which error, what to grant. */
export function couldNotRead(what: string, f: { source: string; error: FactError }): Outcome {
  const action = f.error.action ?? f.source;
  // Not a failure to read but a fact this account cannot have: a cross-account ESM's cluster lives in
  // the cluster owner's account (msk-cross-account); msk.vpc-connection reads what this account can.
  if (f.error.code === CROSS_ACCOUNT_CLUSTER) {
    return {
      status: 'skip',
      title: 'Not checked: the cluster is in another account',
      detail: `This needs ${what}, which this account cannot read: the ESM reaches another account's cluster through a managed VPC connection, and ${action} works only in the cluster's own account. msk.vpc-connection and the network checks judge what this account holds.`,
    };
  }
  const denied = /AccessDenied|Unauthorized|Forbidden|not authorized/i.test(`${f.error.code} ${f.error.message}`);
  const throttled = /Throttl|TooManyRequests|RequestLimitExceeded/i.test(f.error.code);
  const detail = `Could not read ${what}: ${action} answered ${f.error.code}: ${f.error.message}`;
  const fix = denied
    ? `Grant the identity running esm-doctor ${action} (read-only), then re-run.`
    : throttled
      ? 'AWS throttled the call; re-run in a minute.'
      : `Re-run; if it persists, check ${action} from this account and region.`;
  return { status: 'error', title: `Could not check: ${what} unreadable (${f.error.code})`, detail, fix };
}

/** The `error` outcome for a fact the collector did not record at all (an older or partial snapshot). */
export function notCollected(what: string, call: string): Outcome {
  return {
    status: 'error',
    title: `Could not check: ${what} is not in the snapshot`,
    detail: `The snapshot holds no ${what}: the collector did not record the answer of ${call}.`,
    fix: `Collect the snapshot again (esm-doctor collect) with an identity allowed to call ${call}.`,
  };
}

/**
 * A fact the check cannot do without: its value, or the `error` outcome naming the call (not
 * collected) or the error (could not read). `whenFailed` turns an error that is itself the answer
 * (the resource does not exist) into the check's own outcome.
 */
export function need<T>(f: Fact<T> | undefined, what: string, call: string, whenFailed?: (error: FactError) => Outcome | undefined): Needed<T> {
  if (!f) return { ok: false, outcome: notCollected(what, call) };
  if (!f.ok) return { ok: false, outcome: whenFailed?.(f.error) ?? couldNotRead(what, f) };
  return { ok: true, value: f.value };
}

/** The value of a fact, or undefined (absent or failed). */
export function valueOf<T>(f: Fact<T> | undefined): T | undefined {
  return f && f.ok ? f.value : undefined;
}
