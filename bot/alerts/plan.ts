/**
 * The alert path's judgement, pure (as transitions.ts `decide()` is for the watcher): given what
 * the store holds about an ESM, the event and the time, what to do — which step, which messages,
 * which records to write. No Slack, no store, no clock: notifier.ts reads the state, asks here and
 * performs the answer.
 *
 *  - failing, no live alert   open: diagnose, post to the routed channel (or into the cluster's
 *                             storm thread), remember where it is;
 *  - failing, live alert      update: edit it in place; reply in its thread with what changed —
 *                             unless the ESM is acknowledged for this very cause;
 *  - recovered / deleted      close: edit it to "Recovered after N min", say so in the thread,
 *                             clear the acknowledgement;
 *  - older than the record    stale; an `opening` claim younger than OPENING_TIMEOUT_MS: busy.
 */
import { isFailing, type EsmStateChange } from '../model/events';
import type { Target } from '../model/target';
import type { SlackReport, Stamp } from '../slack/blocks';
import { signButtonValue } from '../slack/button';
import { fixValueFor } from '../slack/remediation';
import { causeOf } from '../slack/diff';
import { escapeMrkdwn, fitText, type SlackMessage } from '../slack/limits';
import type { Acknowledgement, StoredMessage } from '../slack/store';
import { acknowledgedFor } from '../slack/store';
import {
  ackHistoryEntry,
  alertPreface,
  closedHeadline,
  closedPreface,
  functionLabel,
  renderAlert,
  renderClosed,
  renderStormParent,
  renderThreadNote,
  withNote,
  type Closure,
} from '../slack/alert-messages';
import { hashKey, type AlertRecord, type HistoryEntry, type StormMember, type StormParent } from './alert-store';

export type AlertOutcome =
  | 'posted' // a new alert in the channel
  | 'threaded' // a new alert in a storm's thread
  | 'updated' // the live alert edited, and a reply in its thread
  | 'suppressed' // acknowledged for this cause: edited silently, or not posted at all
  | 'closed' // recovered or deleted: the alert edited to say so
  | 'duplicate' // this event or transition was handled already
  | 'stale' // older than what the alert already shows
  | 'ignored'; // nothing to do (no live alert to close, a healthy change)

export interface AlertResult {
  outcome: AlertOutcome;
  channel?: string;
  ts?: string;
  reason?: string;
}

/** An `opening` claim older than this was abandoned (its invocation died): the next event takes over. */
export const OPENING_TIMEOUT_MS = 3 * 60_000;
/** A storm older than this takes no new members: a failure a day later is a new incident. */
export const STORM_MAX_AGE_MS = 12 * 3600_000;
export const HISTORY_KEEP = 30;

export interface PlanOptions {
  buttonKey: Buffer;
  /** Offer Run live probe on alerts. */
  probe: boolean;
  /** Offer Fix it on findings with a plan (guarded remediation is on). */
  remediation?: boolean;
  storm: { threshold: number; windowMs: number };
}

/** Fix it buttons, bound to the ESM, when remediation is on. */
function fixOption(options: PlanOptions, change: EsmStateChange) {
  return options.remediation ? { fixValue: fixValueFor(options.buttonKey, targetOf(change)) } : {};
}

export function targetOf(change: EsmStateChange): Target {
  return { uuid: change.uuid, region: change.region, ...(/^\d{12}$/.test(change.account) ? { account: change.account } : {}), arn: change.esmArn };
}

/** What to show when the diagnosis itself fails: what Lambda said, and why there is no more. */
export function reportFromChange(change: EsmStateChange, why: string, at: Date): SlackReport {
  const msk = change.eventSource.startsWith('arn:');
  const said = change.current.lastProcessingResult ?? `${change.current.state}${change.current.stateTransitionReason ? ` (${change.current.stateTransitionReason})` : ''}`;
  return {
    target: targetOf(change),
    esm: {
      state: change.current.state,
      ...(change.current.stateTransitionReason ? { stateTransitionReason: change.current.stateTransitionReason } : {}),
      ...(change.current.lastProcessingResult ? { lastProcessingResult: change.current.lastProcessingResult } : {}),
      source: msk ? 'msk' : 'self-managed',
      functionArn: change.functionArn,
      topics: [],
      ...(msk ? { clusterArn: change.eventSource } : { bootstrapServers: change.eventSource.split(',') }),
      auth: 'unknown',
    },
    verdict: isFailing(change.current) ? 'failing' : 'unknown',
    headline: fitText(`Lambda reports: ${said} — esm-doctor could not run its checks (${why}).`, 1000),
    findings: [],
    startedAt: at.toISOString(),
    durationMs: 0,
  };
}

// ------------------------------------------------------------------------------------------------
// Which step

export type AlertStep =
  | { step: 'stale'; result: AlertResult }
  | { step: 'busy' }
  | { step: 'open'; previous?: AlertRecord }
  | { step: 'update'; live: AlertRecord }
  | { step: 'close'; live: AlertRecord; closure: Closure }
  | { step: 'ignore'; result: AlertResult; clearAcknowledgement: boolean };

export function planAlert(state: { record?: AlertRecord }, change: EsmStateChange, now: Date): AlertStep {
  const { record } = state;
  if (record && Date.parse(change.observedAt) < Date.parse(record.lastObservedAt)) {
    return { step: 'stale', result: { outcome: 'stale', reason: `older than ${record.lastObservedAt}` } };
  }
  if (record?.status === 'opening' && now.getTime() - Date.parse(record.updatedAt) < OPENING_TIMEOUT_MS) return { step: 'busy' };
  const live = record?.status === 'open' && record.ts ? record : undefined;
  const deleted = change.current.state === 'Deleted';
  if (change.health === 'failing' || change.health === 'stalled' || (change.health === 'changed' && live && !deleted && isFailing(change.current))) {
    return live ? { step: 'update', live } : { step: 'open', ...(record ? { previous: record } : {}) };
  }
  if (change.health === 'recovered' || deleted) {
    if (live) return { step: 'close', live, closure: deleted ? 'deleted' : 'recovered' };
    return { step: 'ignore', result: { outcome: 'ignored', reason: 'no live alert' }, clearAcknowledgement: true };
  }
  return { step: 'ignore', result: { outcome: 'ignored', reason: `a ${change.health} change of a healthy ESM` }, clearAcknowledgement: false };
}

// ------------------------------------------------------------------------------------------------
// Effects: what the executor performs, in order

export type AlertEffect =
  /** `alert`: the ESM's own alert message; if someone deleted it, post it anew and move the record there. */
  | { do: 'update'; channel: string; ts: string; message: SlackMessage; alert?: true }
  | { do: 'post'; channel: string; message: SlackMessage; threadTs?: string }
  | { do: 'putMessage'; message: StoredMessage }
  | { do: 'clearAcknowledgement'; uuid: string }
  | { do: 'putAlert'; record: AlertRecord; expected: number }
  | { do: 'putStormMember'; stormKey: string; member: StormMember }
  | { do: 'refreshStorm'; stormKey: string };

export interface EffectPlan {
  effects: AlertEffect[];
  result: AlertResult;
  /** The log event that says what was done. */
  log: { name: string; fields: Record<string, unknown> };
}

function buttonValue(options: PlanOptions, change: EsmStateChange, channel: string): string {
  return signButtonValue(options.buttonKey, targetOf(change), channel);
}

// ------------------------------------------------------------------------------------------------
// Open

export function stormKeyOf(channel: string, change: EsmStateChange): string {
  return hashKey(`${channel}|${change.eventSource}`);
}

export type OpenPlan =
  | { suppressed: true; result: AlertResult; cause: string }
  | { suppressed: false; opening: AlertRecord; message: SlackMessage; preface: string[]; cause: string; messageFor: (channel: string) => SlackMessage };

/** After the diagnosis: suppress (acknowledged for this cause), or the `opening` claim and the message. */
export function planOpen(
  previous: AlertRecord | undefined,
  change: EsmStateChange,
  context: { channel: string; report: SlackReport; ack: Acknowledgement | undefined; now: Date },
  options: PlanOptions,
): OpenPlan {
  const { channel, report } = context;
  const cause = causeOf(report);
  if (acknowledgedFor(context.ack, cause)) return { suppressed: true, cause, result: { outcome: 'suppressed', reason: `acknowledged for ${cause}` } };
  const history: HistoryEntry[] = [{ at: change.observedAt, text: `Failing: ${escapeMrkdwn(fitText(report.headline, 300))}` }];
  const opening: AlertRecord = {
    uuid: change.uuid,
    status: 'opening',
    channel,
    stormKey: stormKeyOf(channel, change),
    openedAt: change.observedAt,
    lastObservedAt: change.observedAt,
    cause,
    ...(change.current.lastProcessingResult ? { lastProcessingResult: change.current.lastProcessingResult } : {}),
    history,
    version: (previous?.version ?? 0) + 1,
    updatedAt: context.now.toISOString(),
  };
  // Buttons are bound to the channel they are posted in; the fallback channel gets its own.
  const messageFor = (to: string) =>
    renderAlert(report, { buttonValue: buttonValue(options, change, to), since: change.observedAt, history, ...(options.probe ? { probe: true } : {}), ...fixOption(options, change) });
  return { suppressed: false, opening, message: messageFor(channel), messageFor, preface: alertPreface(change.observedAt, history), cause };
}

/** The alert, for the fallback channel: with a note on where it should have gone and why it did not. */
export function fallbackMessage(message: SlackMessage, routed: string, code: string): SlackMessage {
  return withNote(message, `:warning: This alert was routed to <#${routed}>, where I cannot post (\`${code}\`): invite @esm-doctor there.`);
}

/** The record once the message is live. */
export function openedRecord(opening: AlertRecord, posted: { channel: string; ts: string; threadTs?: string }, now: Date): AlertRecord {
  return { ...opening, status: 'open', channel: posted.channel, ts: posted.ts, ...(posted.threadTs ? { threadTs: posted.threadTs } : {}), version: opening.version + 1, updatedAt: now.toISOString() };
}

/** Posting failed: the claim is given back so that the retry can open it. */
export function abandonedRecord(opening: AlertRecord, now: Date): AlertRecord {
  return { ...opening, status: 'closed', version: opening.version + 1, updatedAt: now.toISOString() };
}

// ------------------------------------------------------------------------------------------------
// Update

export function planUpdate(live: AlertRecord, change: EsmStateChange, context: { report: SlackReport; ack: Acknowledgement | undefined; now: Date }, options: PlanOptions): EffectPlan {
  const { report } = context;
  const cause = causeOf(report);
  const acknowledged: Stamp | undefined = acknowledgedFor(context.ack, cause);
  const said = change.current.lastProcessingResult ?? change.current.state;
  const text =
    live.cause && cause !== live.cause
      ? `Cause changed: \`${live.cause}\` → \`${cause}\`. ${escapeMrkdwn(fitText(report.headline, 300))}`
      : `Still failing; Lambda now says: ${escapeMrkdwn(fitText(said, 300))}`;
  const history = [...live.history, { at: change.observedAt, text }].slice(-HISTORY_KEEP);
  const message = renderAlert(report, {
    buttonValue: buttonValue(options, change, live.channel),
    since: live.openedAt,
    history,
    ...(acknowledged ? { acknowledged } : {}),
    ...(options.probe ? { probe: true } : {}),
    ...fixOption(options, change),
  });
  const ts = live.ts!;
  const effects: AlertEffect[] = [
    { do: 'update', channel: live.channel, ts, message, alert: true },
    { do: 'putMessage', message: { channel: live.channel, ts, target: targetOf(change), report, preface: alertPreface(live.openedAt, history) } },
  ];
  if (!acknowledged) effects.push({ do: 'post', channel: live.channel, message: renderThreadNote(`:arrows_counterclockwise: ${text}`), threadTs: live.threadTs ?? ts });
  effects.push({
    do: 'putAlert',
    expected: live.version,
    record: {
      ...live,
      cause,
      ...(change.current.lastProcessingResult ? { lastProcessingResult: change.current.lastProcessingResult } : {}),
      history,
      lastObservedAt: change.observedAt,
      version: live.version + 1,
      updatedAt: context.now.toISOString(),
    },
  });
  return {
    effects,
    result: acknowledged ? { outcome: 'suppressed', channel: live.channel, ts, reason: `acknowledged for ${cause}` } : { outcome: 'updated', channel: live.channel, ts },
    log: { name: acknowledged ? 'alert.updated-silently' : 'alert.updated', fields: { uuid: change.uuid, cause, channel: live.channel, ts } },
  };
}

// ------------------------------------------------------------------------------------------------
// Close

export function planClose(
  live: AlertRecord,
  change: EsmStateChange,
  context: { kind: Closure; stored: StoredMessage | undefined; ack?: Acknowledgement | undefined; now: Date },
  options: PlanOptions,
): EffectPlan {
  const { kind, stored, ack } = context;
  const durationMs = Date.parse(change.observedAt) - Date.parse(live.openedAt);
  const headline = closedHeadline(kind, change, durationMs);
  // Who acknowledged it stays in the closed alert's history (the acknowledgement itself is cleared below).
  const history = [...live.history, ...(ack ? [ackHistoryEntry(ack)] : []), { at: change.observedAt, text: headline.text }].slice(-HISTORY_KEEP);
  const effects: AlertEffect[] = [];
  if (live.ts) {
    const message = renderClosed(stored?.report, { kind, durationMs, history, change, buttonValue: buttonValue(options, change, live.channel) });
    effects.push({ do: 'update', channel: live.channel, ts: live.ts, message, alert: true });
    // A later Re-run on the closed alert shows a fresh report under how the alert ended.
    if (stored) effects.push({ do: 'putMessage', message: { ...stored, preface: closedPreface(headline, history) } });
    // Storm members are summed up in the parent instead of one reply each.
    if (!live.threadTs) effects.push({ do: 'post', channel: live.channel, message: renderThreadNote(`${headline.emoji} ${headline.text}.`), threadTs: live.ts });
  }
  // "Until it recovers": the next failure alerts again, whatever its cause.
  effects.push({ do: 'clearAcknowledgement', uuid: change.uuid });
  effects.push({
    do: 'putAlert',
    expected: live.version,
    record: { ...live, status: 'closed', closedAt: change.observedAt, history, lastObservedAt: change.observedAt, version: live.version + 1, updatedAt: context.now.toISOString() },
  });
  if (live.stormKey) {
    effects.push({ do: 'putStormMember', stormKey: live.stormKey, member: { uuid: change.uuid, at: live.openedAt, open: false, label: functionLabel(change), closedAt: change.observedAt } });
    effects.push({ do: 'refreshStorm', stormKey: live.stormKey });
  }
  return {
    effects,
    result: { outcome: 'closed', channel: live.channel, ...(live.ts ? { ts: live.ts } : {}) },
    log: { name: 'alert.closed', fields: { uuid: change.uuid, kind, minutes: Math.round(durationMs / 60_000), channel: live.channel, ts: live.ts } },
  };
}

// ------------------------------------------------------------------------------------------------
// Storms

export type StormPlan =
  | { storm: 'none' }
  /** The live parent: post into its thread. */
  | { storm: 'join'; parent: StormParent }
  /** Another invocation is posting the parent: wait for it. */
  | { storm: 'wait' }
  /** This failure makes it a storm: claim the parent (conditionally on `expected`) and post it. */
  | { storm: 'start'; claim: StormParent; expected: number | undefined; members: StormMember[]; message: SlackMessage };

/** The storm thread this alert goes into, given the parent and members the store holds. */
export function planStorm(parent: StormParent | undefined, members: StormMember[], context: { channel: string; cluster: string; now: Date }, options: PlanOptions): StormPlan {
  const now = context.now.getTime();
  // A storm with an ESM that never recovered would otherwise swallow the cluster's failures for ever.
  if (parent && !parent.closedAt && now - Date.parse(parent.openedAt) < STORM_MAX_AGE_MS) {
    if (parent.ts) return { storm: 'join', parent };
    // Its poster may be waiting out a 429 for minutes: the members wait with it (the group is kept)
    // until the claim is so old that its invocation must have died; then one of them takes over.
    if (now - Date.parse(parent.claimedAt ?? parent.openedAt) < OPENING_TIMEOUT_MS) return { storm: 'wait' };
  }
  const { threshold, windowMs } = options.storm;
  const recent = members.filter((m) => m.open && Date.parse(m.at) >= now - windowMs);
  if (recent.length < threshold) return { storm: 'none' };
  const openedAt = recent.map((m) => m.at).sort()[0]!;
  const claim: StormParent = { channel: context.channel, cluster: context.cluster, openedAt, claimedAt: context.now.toISOString(), version: (parent?.version ?? 0) + 1 };
  const message = renderStormParent({ cluster: context.cluster, members: recent, openedAt, windowMinutes: windowMs / 60_000 });
  return { storm: 'start', claim, expected: parent?.version, members: recent, message };
}

/** The message moved (the old one was deleted): later effects follow it; its thread is gone with it. */
export function followMove(effect: AlertEffect, from: string, to: string): AlertEffect | undefined {
  switch (effect.do) {
    case 'post':
      // A note for the deleted message's thread: the new message says it all.
      return effect.threadTs === from ? undefined : effect;
    case 'putMessage':
      return effect.message.ts === from ? { ...effect, message: { ...effect.message, ts: to } } : effect;
    case 'putAlert': {
      if (effect.record.ts !== from) return effect;
      const { threadTs: _thread, ...record } = effect.record;
      return { ...effect, record: { ...record, ts: to } };
    }
    default:
      return effect;
  }
}

/** The parent re-rendered from its members; closed when none is failing any more. */
export function planStormRefresh(parent: StormParent, members: StormMember[], context: { now: Date }, options: PlanOptions): { closed?: StormParent; message: SlackMessage } {
  // This storm's members: those that failed from one window before it was recognised on.
  const from = Date.parse(parent.openedAt) - options.storm.windowMs;
  const mine = members.filter((m) => Date.parse(m.at) >= from);
  const closed = mine.length && mine.every((m) => !m.open) ? { ...parent, closedAt: context.now.toISOString(), version: parent.version + 1 } : undefined;
  const message = renderStormParent({
    cluster: parent.cluster,
    members: mine,
    openedAt: parent.openedAt,
    ...(closed ? { closedAt: closed.closedAt } : {}),
    windowMinutes: options.storm.windowMs / 60_000,
  });
  return { ...(closed ? { closed } : {}), message };
}
