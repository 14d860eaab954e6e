/**
 * ESM State Change → Slack. The alert handler (handlers/alert) and the local sandbox both call
 * `createAlertNotifier(deps).handle(change)`; everything it touches is a dependency.
 *
 *  - failing, no live alert   diagnose, post the report to the routed channel (or into the cluster's
 *                             storm thread), remember where it is;
 *  - failing, live alert      diagnose again and edit it in place; reply in its thread with what
 *                             changed — unless the ESM is acknowledged for this very cause;
 *  - recovered / deleted      edit it to "Recovered after N min" (history kept, last diagnosis kept
 *                             underneath), say so in the thread, clear the acknowledgement;
 *  - acknowledged             an ESM acknowledged for the cause the diagnosis finds is not alerted
 *                             again until it recovers (which clears the acknowledgement) or the
 *                             cause changes (the acknowledgement no longer matches).
 *
 * Duplicates: EventBridge delivers at least once, and the watcher may re-publish an outbox; an event
 * id and a transition (uuid, health, observedAt) are each claimed once. A failed invocation
 * releases its claims and throws, so Lambda's retry does the work again. Events that arrive late
 * (observedAt older than the last one applied) are ignored.
 *
 * Storms: when ≥ 5 ESMs of one cluster fail within 5 minutes (per channel), one parent message is
 * posted for the cluster and each further ESM's report goes into its thread. The diagnosis runs
 * between noting the failure and deciding where to post, so the events of one watcher run (which
 * arrive together) see each other. Every chat.postMessage takes a slot on its channel's lane, 1.1 s
 * apart (Slack allows about one message a second per channel), shared by all invocations through
 * the store.
 */
import type { WebClient } from '@slack/web-api';
import { isFailing, type EsmStateChange } from '../model/events';
import { EsmDoctorError } from '../model/errors';
import type { Target } from '../model/target';
import type { SlackReport } from '../slack/blocks';
import { signButtonValue } from '../slack/button';
import { causeOf } from '../slack/diff';
import type { Diagnose } from '../slack/engine';
import { slackErrorCode } from '../slack/failure';
import { escapeMrkdwn, fitText, type SlackMessage } from '../slack/limits';
import { createLogger, errorFields, redact, type SlackLogger } from '../slack/log';
import type { SlackStore } from '../slack/store';
import { ALERT_TTL, hashKey, MemoryAlertStore, type AlertRecord, type AlertStore, type HistoryEntry, type StormParent } from './alert-store';
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
import { sleep as realSleep } from './pool';
import type { ChannelRouter } from './router';
import { fixValueFor } from '../slack/remediation';

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

export interface AlertNotifierDeps {
  /** A Slack WebClient, or anything with the same chat.postMessage / chat.update. */
  slack: Pick<WebClient, 'chat'>;
  /** The Slack app's store: acknowledgements, and the report behind each message (so its buttons work). */
  store: SlackStore;
  /** Target → the report to show (bot/slack/engine `fromEngine`, or a sandbox's scenarios). */
  diagnose: Diagnose;
  /** Where an ESM's alerts go (router.ts), or a plain function. */
  router: ChannelRouter | ((change: EsmStateChange) => string | Promise<string>);
  /** Where an alert goes when the routed channel refuses it (the bot is not in it, it was archived). */
  fallbackChannel?: string;
  /** Signs the Re-run / Acknowledge button values (SlackConfig.buttonKey). */
  buttonKey: Buffer;
  /** Offer Run live probe on alerts (SlackConfig.probe is not off). */
  probe?: boolean;
  /** Offer Fix it on alerts whose findings have a plan (SlackConfig.remediation is set). */
  remediation?: boolean;
  now?: () => Date;
  /** Alert records, storms, claims, send slots. Default: in memory (one process). */
  alerts?: AlertStore;
  logger?: SlackLogger;
  sleep?: (ms: number) => Promise<void>;
  storm?: { threshold?: number; windowMinutes?: number };
  /** Milliseconds between two posts (and two storm-parent edits) in one channel. */
  pacing?: { postMs?: number; updateMs?: number };
}

export interface AlertNotifier {
  handle(change: EsmStateChange, meta?: { eventId?: string }): Promise<AlertResult>;
}

/** Another invocation is opening this ESM's alert right now: thrown so that the event is retried. */
export class AlertBusy extends Error {
  constructor(uuid: string) {
    super(`another invocation is opening the alert for ${uuid}; retry later`);
    this.name = 'AlertBusy';
  }
}

/** An `opening` claim older than this was abandoned (its invocation died): the next event takes over. */
const OPENING_TIMEOUT_MS = 3 * 60_000;
/** A storm older than this takes no new members: a failure a day later is a new incident. */
const STORM_MAX_AGE_MS = 12 * 3600_000;
/** Slack's answers for a channel the bot cannot post in: retrying will not help, another channel will. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
const HISTORY_KEEP = 30;

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

export function createAlertNotifier(deps: AlertNotifierDeps): AlertNotifier {
  const now = deps.now ?? (() => new Date());
  const alerts = deps.alerts ?? new MemoryAlertStore(() => now().getTime());
  const logger = deps.logger ?? createLogger({ name: 'esm-doctor.alerts' });
  const sleep = deps.sleep ?? realSleep;
  const threshold = deps.storm?.threshold ?? 5;
  const windowMs = (deps.storm?.windowMinutes ?? 5) * 60_000;
  const postMs = deps.pacing?.postMs ?? 1100;
  const updateMs = deps.pacing?.updateMs ?? 1200;
  const route = typeof deps.router === 'function' ? deps.router : deps.router.channelFor.bind(deps.router);

  const iso = () => now().toISOString();
  const buttonValue = (change: EsmStateChange) => signButtonValue(deps.buttonKey, targetOf(change));
  const fixOption = (change: EsmStateChange) => (deps.remediation ? { fixValue: fixValueFor(deps.buttonKey, targetOf(change)) } : {});

  async function waitForSlot(lane: string, spacing: number): Promise<void> {
    const slot = await alerts.reserveSlot(lane, spacing, now().getTime());
    const wait = slot - now().getTime();
    if (wait > 0) await sleep(wait);
  }

  async function post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    await waitForSlot(`post#${channel}`, postMs);
    const res = await deps.slack.chat.postMessage({
      channel,
      ...message,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!res.ts) throw new Error('chat.postMessage answered without a ts');
    return res.ts;
  }

  async function diagnose(change: EsmStateChange): Promise<SlackReport> {
    try {
      return await deps.diagnose(targetOf(change));
    } catch (err) {
      logger.event('warn', 'alert.diagnose-failed', { uuid: change.uuid, ...errorFields(err) });
      const why = err instanceof EsmDoctorError ? redact(err.message) : `${(err as Error)?.name ?? 'error'}; details in esm-doctor's logs`;
      return reportFromChange(change, why, now());
    }
  }

  // ------------------------------------------------------------------------------------------
  // Storms

  function stormMembersOf(members: Awaited<ReturnType<AlertStore['stormMembers']>>, openedAt: string) {
    // This storm's members: those that failed from one window before it was recognised on.
    const from = Date.parse(openedAt) - windowMs;
    return members.filter((m) => Date.parse(m.at) >= from);
  }

  async function waitForParent(stormKey: string): Promise<StormParent | undefined> {
    for (let i = 0; i < 20; i++) {
      const p = await alerts.getStormParent(stormKey);
      if (p?.ts && !p.closedAt) return p;
      await sleep(500);
    }
    return undefined; // post on our own rather than lose the alert
  }

  /** The storm thread this alert goes into, starting the storm if this failure makes it one. */
  async function joinStorm(stormKey: string, channel: string, cluster: string): Promise<StormParent | undefined> {
    const parent = await alerts.getStormParent(stormKey);
    // A storm with an ESM that never recovered would otherwise swallow the cluster's failures for ever.
    if (parent && !parent.closedAt && now().getTime() - Date.parse(parent.openedAt) < STORM_MAX_AGE_MS) {
      if (parent.ts) return parent;
      if (now().getTime() - Date.parse(parent.openedAt) < OPENING_TIMEOUT_MS) return waitForParent(stormKey);
    }
    const members = await alerts.stormMembers(stormKey);
    const from = now().getTime() - windowMs;
    const recent = members.filter((m) => m.open && Date.parse(m.at) >= from);
    if (recent.length < threshold) return undefined;
    const openedAt = recent.map((m) => m.at).sort()[0]!;
    const claim: StormParent = { channel, cluster, openedAt, version: (parent?.version ?? 0) + 1 };
    if (!(await alerts.putStormParent(stormKey, claim, parent?.version))) return waitForParent(stormKey);
    const ts = await post(channel, renderStormParent({ cluster, members: recent, openedAt, windowMinutes: windowMs / 60_000 }));
    const posted: StormParent = { ...claim, ts, version: claim.version + 1 };
    await alerts.putStormParent(stormKey, posted, claim.version);
    logger.event('info', 'alert.storm-started', { channel, cluster, members: recent.length, ts });
    return posted;
  }

  /** Re-renders the storm parent from its members; closes it when none is failing any more. */
  async function refreshStorm(stormKey: string): Promise<void> {
    const parent = await alerts.getStormParent(stormKey);
    if (!parent?.ts || parent.closedAt) return;
    const members = stormMembersOf(await alerts.stormMembers(stormKey), parent.openedAt);
    let shown = parent;
    if (members.length && members.every((m) => !m.open)) {
      const closed: StormParent = { ...parent, closedAt: iso(), version: parent.version + 1 };
      if (!(await alerts.putStormParent(stormKey, closed, parent.version))) return;
      shown = closed;
    }
    await waitForSlot(`update#${parent.channel}`, updateMs);
    const message = renderStormParent({
      cluster: parent.cluster,
      members,
      openedAt: parent.openedAt,
      ...(shown.closedAt ? { closedAt: shown.closedAt } : {}),
      windowMinutes: windowMs / 60_000,
    });
    await deps.slack.chat.update({ channel: parent.channel, ts: parent.ts, ...message });
  }

  // ------------------------------------------------------------------------------------------
  // Transitions

  async function openAlert(previous: AlertRecord | undefined, change: EsmStateChange): Promise<AlertResult> {
    const channel = await route(change);
    const stormKey = hashKey(`${channel}|${change.eventSource}`);
    const label = functionLabel(change);
    await alerts.putStormMember(stormKey, { uuid: change.uuid, at: change.observedAt, open: true, label });
    const report = await diagnose(change);
    const cause = causeOf(report);
    if (await deps.store.isAcknowledged(change.uuid, cause)) {
      logger.event('info', 'alert.suppressed', { uuid: change.uuid, cause, reason: 'acknowledged' });
      return { outcome: 'suppressed', reason: `acknowledged for ${cause}` };
    }
    const history: HistoryEntry[] = [{ at: change.observedAt, text: `Failing: ${escapeMrkdwn(fitText(report.headline, 300))}` }];
    const opening: AlertRecord = {
      uuid: change.uuid,
      status: 'opening',
      channel,
      stormKey,
      openedAt: change.observedAt,
      lastObservedAt: change.observedAt,
      cause,
      ...(change.current.lastProcessingResult ? { lastProcessingResult: change.current.lastProcessingResult } : {}),
      history,
      version: (previous?.version ?? 0) + 1,
      updatedAt: iso(),
    };
    if (!(await alerts.putAlert(opening, previous?.version))) throw new AlertBusy(change.uuid);
    try {
      const storm = await joinStorm(stormKey, channel, change.eventSource);
      const message = renderAlert(report, { buttonValue: buttonValue(change), since: change.observedAt, history, ...(deps.probe ? { probe: true } : {}), ...fixOption(change) });
      let postedIn = channel;
      let thread = storm?.ts;
      let ts: string;
      try {
        ts = await post(channel, message, thread);
      } catch (err) {
        const code = slackErrorCode(err);
        const fallback = deps.fallbackChannel;
        if (!code || !CANNOT_POST.has(code) || !fallback || fallback === channel) throw err;
        // Routed to a channel the bot cannot post in: the alert still has to reach someone.
        logger.event('warn', 'alert.channel-refused', { uuid: change.uuid, channel, slackError: code, fallback });
        const note = `:warning: This alert was routed to <#${channel}>, where I cannot post (\`${code}\`): invite @esm-doctor there.`;
        ts = await post(fallback, withNote(message, note));
        postedIn = fallback;
        thread = undefined;
      }
      const open: AlertRecord = { ...opening, status: 'open', channel: postedIn, ts, ...(thread ? { threadTs: thread } : {}), version: opening.version + 1, updatedAt: iso() };
      await alerts.putAlert(open, opening.version);
      await deps.store.putMessage({ channel: postedIn, ts, target: targetOf(change), report, preface: alertPreface(change.observedAt, history) });
      if (thread) await refreshStorm(stormKey);
      logger.event('info', 'alert.posted', { uuid: change.uuid, channel: postedIn, ts, cause, storm: Boolean(thread) });
      return { outcome: thread ? 'threaded' : 'posted', channel: postedIn, ts };
    } catch (err) {
      // Give the claim back so that the retry can open it.
      await alerts.putAlert({ ...opening, status: 'closed', version: opening.version + 1, updatedAt: iso() }, opening.version).catch(() => false);
      throw err;
    }
  }

  async function updateAlert(live: AlertRecord, change: EsmStateChange): Promise<AlertResult> {
    const report = await diagnose(change);
    const cause = causeOf(report);
    const ack = await deps.store.getAcknowledgement(change.uuid);
    const acknowledged = ack && ack.cause === cause ? { by: ack.by, at: ack.at } : undefined;
    const said = change.current.lastProcessingResult ?? change.current.state;
    const text =
      live.cause && cause !== live.cause
        ? `Cause changed: \`${live.cause}\` → \`${cause}\`. ${escapeMrkdwn(fitText(report.headline, 300))}`
        : `Still failing; Lambda now says: ${escapeMrkdwn(fitText(said, 300))}`;
    const history = [...live.history, { at: change.observedAt, text }].slice(-HISTORY_KEEP);
    const message = renderAlert(report, {
      buttonValue: buttonValue(change),
      since: live.openedAt,
      history,
      ...(acknowledged ? { acknowledged } : {}),
      ...(deps.probe ? { probe: true } : {}),
      ...fixOption(change),
    });
    await deps.slack.chat.update({ channel: live.channel, ts: live.ts!, ...message });
    await deps.store.putMessage({ channel: live.channel, ts: live.ts!, target: targetOf(change), report, preface: alertPreface(live.openedAt, history) });
    if (!acknowledged) await post(live.channel, renderThreadNote(`:arrows_counterclockwise: ${text}`), live.threadTs ?? live.ts);
    const next: AlertRecord = {
      ...live,
      cause,
      ...(change.current.lastProcessingResult ? { lastProcessingResult: change.current.lastProcessingResult } : {}),
      history,
      lastObservedAt: change.observedAt,
      version: live.version + 1,
      updatedAt: iso(),
    };
    if (!(await alerts.putAlert(next, live.version))) logger.event('warn', 'alert.record-conflict', { uuid: change.uuid });
    logger.event('info', acknowledged ? 'alert.updated-silently' : 'alert.updated', { uuid: change.uuid, cause, channel: live.channel, ts: live.ts });
    return acknowledged
      ? { outcome: 'suppressed', channel: live.channel, ts: live.ts!, reason: `acknowledged for ${cause}` }
      : { outcome: 'updated', channel: live.channel, ts: live.ts! };
  }

  async function closeAlert(live: AlertRecord, change: EsmStateChange, kind: Closure): Promise<AlertResult> {
    const durationMs = Date.parse(change.observedAt) - Date.parse(live.openedAt);
    const headline = closedHeadline(kind, change, durationMs);
    // Who acknowledged it stays in the closed alert's history (the acknowledgement itself is cleared below).
    const ack = await deps.store.getAcknowledgement(change.uuid);
    const history = [...live.history, ...(ack ? [ackHistoryEntry(ack)] : []), { at: change.observedAt, text: headline.text }].slice(-HISTORY_KEEP);
    const stored = live.ts ? await deps.store.getMessage(live.channel, live.ts) : undefined;
    if (live.ts) {
      const message = renderClosed(stored?.report, { kind, durationMs, history, change, buttonValue: buttonValue(change) });
      await deps.slack.chat.update({ channel: live.channel, ts: live.ts, ...message });
      // A later Re-run on the closed alert shows a fresh report under how the alert ended.
      if (stored) await deps.store.putMessage({ ...stored, preface: closedPreface(headline, history) });
      // Storm members are summed up in the parent instead of one reply each.
      if (!live.threadTs) await post(live.channel, renderThreadNote(`${headline.emoji} ${headline.text}.`), live.ts);
    }
    // "Until it recovers": the next failure alerts again, whatever its cause.
    await deps.store.clearAcknowledgement(change.uuid);
    const closed: AlertRecord = { ...live, status: 'closed', closedAt: change.observedAt, history, lastObservedAt: change.observedAt, version: live.version + 1, updatedAt: iso() };
    if (!(await alerts.putAlert(closed, live.version))) logger.event('warn', 'alert.record-conflict', { uuid: change.uuid });
    if (live.stormKey) {
      await alerts.putStormMember(live.stormKey, { uuid: change.uuid, at: live.openedAt, open: false, label: functionLabel(change), closedAt: change.observedAt });
      await refreshStorm(live.stormKey);
    }
    logger.event('info', 'alert.closed', { uuid: change.uuid, kind, minutes: Math.round(durationMs / 60_000), channel: live.channel, ts: live.ts });
    return { outcome: 'closed', channel: live.channel, ...(live.ts ? { ts: live.ts } : {}) };
  }

  async function apply(change: EsmStateChange): Promise<AlertResult> {
    const record = await alerts.getAlert(change.uuid);
    if (record && Date.parse(change.observedAt) < Date.parse(record.lastObservedAt)) {
      return { outcome: 'stale', reason: `older than ${record.lastObservedAt}` };
    }
    if (record?.status === 'opening' && now().getTime() - Date.parse(record.updatedAt) < OPENING_TIMEOUT_MS) throw new AlertBusy(change.uuid);
    const live = record?.status === 'open' && record.ts ? record : undefined;
    const deleted = change.current.state === 'Deleted';
    if (change.health === 'failing' || (change.health === 'changed' && live && !deleted && isFailing(change.current))) {
      return live ? updateAlert(live, change) : openAlert(record, change);
    }
    if (change.health === 'recovered' || deleted) {
      if (live) return closeAlert(live, change, deleted ? 'deleted' : 'recovered');
      await deps.store.clearAcknowledgement(change.uuid);
      return { outcome: 'ignored', reason: 'no live alert' };
    }
    return { outcome: 'ignored', reason: `a ${change.health} change of a healthy ESM` };
  }

  return {
    async handle(change, meta = {}) {
      const keys = [...(meta.eventId ? [`event#${meta.eventId}`] : []), `transition#${change.uuid}#${change.health}#${change.observedAt}`];
      const claimed: string[] = [];
      for (const key of keys) {
        if (!(await alerts.claim(key, ALERT_TTL.claimSeconds))) {
          logger.event('info', 'alert.duplicate', { uuid: change.uuid, health: change.health, key });
          return { outcome: 'duplicate' };
        }
        claimed.push(key);
      }
      try {
        return await apply(change);
      } catch (err) {
        await Promise.allSettled(claimed.map((k) => alerts.release(k)));
        throw err;
      }
    },
  };
}
