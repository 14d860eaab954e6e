/**
 * ESM State Change → Slack: the executor of plan.ts. The alert handler (handlers/alert) and the local
 * sandbox both call `createAlertNotifier(deps).handle(change)`; it reads what the store holds, asks
 * plan.ts what to do, and performs it (Slack calls, store writes). Everything it touches is a
 * dependency. What is decided, and why, is in plan.ts.
 *
 * Duplicates: EventBridge delivers at least once, and the watcher may re-publish an outbox; an event
 * id and a transition (uuid, health, observedAt) are each claimed once. A failed invocation
 * releases its claims and throws, so Lambda's retry does the work again. Events that arrive late
 * (observedAt older than the last one applied) are ignored.
 *
 * Storms: when ≥ 5 ESMs of one cluster fail within 5 minutes (per channel), one parent message is
 * posted for the cluster and each further ESM's report goes into its thread. The diagnosis runs
 * between noting the failure and deciding where to post, so the events of one watcher run (which
 * arrive together) see each other. Every chat.postMessage takes its turn on its channel's lane:
 * one call at a time, starting 1.1 s after the previous one returned (Slack allows about one
 * message a second per channel), shared by all invocations through the store (see lanes.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { EsmStateChange } from '../model/events';
import { EsmDoctorError } from '../model/errors';
import type { SlackReport } from '../slack/blocks';
import type { Diagnose } from '../slack/engine';
import { cannotPost, messageGone } from '../slack/failure';
import type { SlackMessage } from '../slack/limits';
import { functionLabel } from '../slack/alert-messages';
import { createLogger, errorFields, redact, type SlackLogger } from '../slack/log';
import type { SlackStore } from '../slack/store';
import { ALERT_TTL, MemoryAlertStore, type AlertRecord, type AlertStore, type StormParent } from './alert-store';
import {
  abandonedRecord,
  fallbackMessage,
  followMove,
  openedRecord,
  planAlert,
  planClose,
  planOpen,
  planStorm,
  planStormRefresh,
  planUpdate,
  reportFromChange,
  stormKeyOf,
  targetOf,
  type AlertEffect,
  type AlertResult,
  type EffectPlan,
  type PlanOptions,
} from './plan';
import { createLanes } from './lanes';
import { sleep as realSleep } from './pool';
import type { ChannelRouter } from './router';

export { reportFromChange, targetOf, type AlertOutcome, type AlertResult } from './plan';

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

const PARENT_POLL_MS = 500;

export function createAlertNotifier(deps: AlertNotifierDeps): AlertNotifier {
  const now = deps.now ?? (() => new Date());
  const alerts = deps.alerts ?? new MemoryAlertStore(() => now().getTime());
  const logger = deps.logger ?? createLogger({ name: 'esm-doctor.alerts' });
  const sleep = deps.sleep ?? realSleep;
  const options: PlanOptions = {
    buttonKey: deps.buttonKey,
    probe: Boolean(deps.probe),
    remediation: Boolean(deps.remediation),
    storm: { threshold: deps.storm?.threshold ?? 5, windowMs: (deps.storm?.windowMinutes ?? 5) * 60_000 },
  };
  const postMs = deps.pacing?.postMs ?? 1100;
  const updateMs = deps.pacing?.updateMs ?? 1200;
  const route = typeof deps.router === 'function' ? deps.router : deps.router.channelFor.bind(deps.router);
  const { paced } = createLanes({ alerts, now, sleep, logger });

  async function post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const send = (thread?: string) =>
      paced(`post#${channel}`, postMs, async () => {
        const res = await deps.slack.chat.postMessage({
          channel,
          ...message,
          ...(thread ? { thread_ts: thread } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!res.ts) throw new Error('chat.postMessage answered without a ts');
        return res.ts;
      });
    try {
      return await send(threadTs);
    } catch (err) {
      if (!threadTs || !messageGone(err)) throw err;
      // The thread's first message was deleted: the reply goes to the channel instead of nowhere.
      logger.event('warn', 'alert.thread-gone', { channel, threadTs });
      return send(undefined);
    }
  }

  async function update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await paced(`update#${channel}`, updateMs, () => deps.slack.chat.update({ channel, ts, ...message }));
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

  async function perform(effect: AlertEffect): Promise<void> {
    switch (effect.do) {
      case 'update':
        return update(effect.channel, effect.ts, effect.message);
      case 'post':
        await post(effect.channel, effect.message, effect.threadTs);
        return;
      case 'putMessage':
        return deps.store.putMessage(effect.message);
      case 'clearAcknowledgement':
        return deps.store.clearAcknowledgement(effect.uuid);
      case 'putAlert':
        if (!(await alerts.putAlert(effect.record, effect.expected))) logger.event('warn', 'alert.record-conflict', { uuid: effect.record.uuid });
        return;
      case 'putStormMember':
        return alerts.putStormMember(effect.stormKey, effect.member);
      case 'refreshStorm':
        return refreshStorm(effect.stormKey);
    }
  }

  async function execute(plan: EffectPlan): Promise<AlertResult> {
    let effects = plan.effects;
    let result = plan.result;
    while (effects.length) {
      const [effect, ...rest] = effects;
      effects = rest;
      if (effect!.do === 'update' && effect!.alert) {
        const { channel, ts, message } = effect!;
        try {
          await update(channel, ts, message);
        } catch (err) {
          if (!messageGone(err)) throw err;
          // Someone deleted the alert: a message that is gone is posted anew, and the record moves to it.
          const moved = await post(channel, message);
          logger.event('warn', 'alert.message-gone', { channel, ts, movedTo: moved });
          effects = effects.map((e) => followMove(e, ts, moved)).filter((e): e is AlertEffect => e !== undefined);
          if (result.ts === ts) result = { ...result, ts: moved };
        }
        continue;
      }
      await perform(effect!);
    }
    logger.event('info', plan.log.name, { ...plan.log.fields, ...(result.ts ? { ts: result.ts } : {}) });
    return result;
  }

  // ------------------------------------------------------------------------------------------
  // Storms

  /** The storm thread this alert goes into, starting the storm if this failure makes it one. */
  async function joinStorm(stormKey: string, channel: string, cluster: string): Promise<StormParent | undefined> {
    for (;;) {
      const parent = await alerts.getStormParent(stormKey);
      const plan = planStorm(parent, await alerts.stormMembers(stormKey), { channel, cluster, now: now() }, options);
      if (plan.storm === 'none') return undefined;
      if (plan.storm === 'join') return plan.parent;
      if (plan.storm === 'wait') {
        // Another invocation is posting the parent (perhaps waiting out a 429): keep the group.
        await sleep(PARENT_POLL_MS);
        continue;
      }
      if (!(await alerts.putStormParent(stormKey, plan.claim, plan.expected))) continue;
      let ts: string;
      try {
        ts = await post(channel, plan.message);
      } catch (err) {
        // Give the claim up at once, so that a member takes over without waiting for it to age.
        await alerts.putStormParent(stormKey, { ...plan.claim, claimedAt: new Date(0).toISOString(), version: plan.claim.version + 1 }, plan.claim.version).catch(() => false);
        throw err;
      }
      const posted: StormParent = { ...plan.claim, ts, version: plan.claim.version + 1 };
      await alerts.putStormParent(stormKey, posted, plan.claim.version);
      logger.event('info', 'alert.storm-started', { channel, cluster, members: plan.members.length, ts });
      return posted;
    }
  }

  /**
   * Re-renders the parent from its members. Coalesced: while one refresh waits for its turn on the update lane,
   * the others skip (it reads the members after giving its claim back, so it shows theirs too) —
   * otherwise 100 members would queue 100 edits of one message.
   */
  async function refreshStorm(stormKey: string): Promise<void> {
    const first = await alerts.getStormParent(stormKey);
    if (!first?.ts || first.closedAt) return;
    const claim = `refresh#${stormKey}`;
    if (!(await alerts.claim(claim, 60))) return;
    let claimed = true;
    const giveBack = async () => {
      if (claimed) await alerts.release(claim);
      claimed = false;
    };
    try {
      // The claim is given back once the turn is ours; the members are read after that, so the
      // refreshes that skipped meanwhile are shown by this edit.
      await paced(`update#${first.channel}`, updateMs, async () => {
        await giveBack();
        const parent = await alerts.getStormParent(stormKey);
        if (!parent?.ts || parent.closedAt) return;
        const plan = planStormRefresh(parent, await alerts.stormMembers(stormKey), { now: now() }, options);
        if (plan.closed && !(await alerts.putStormParent(stormKey, plan.closed, parent.version))) return;
        try {
          await deps.slack.chat.update({ channel: parent.channel, ts: parent.ts, ...plan.message });
        } catch (err) {
          if (!messageGone(err)) throw err;
          // The parent was deleted: end this storm, so that new failures do not go into a thread that is gone.
          logger.event('warn', 'alert.storm-parent-gone', { channel: parent.channel, ts: parent.ts });
          const latest = await alerts.getStormParent(stormKey);
          if (latest && !latest.closedAt) await alerts.putStormParent(stormKey, { ...latest, closedAt: now().toISOString(), version: latest.version + 1 }, latest.version);
        }
      });
    } finally {
      await giveBack();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Steps

  async function openAlert(previous: AlertRecord | undefined, change: EsmStateChange): Promise<AlertResult> {
    const channel = await route(change);
    const stormKey = stormKeyOf(channel, change);
    await alerts.putStormMember(stormKey, { uuid: change.uuid, at: change.observedAt, open: true, label: functionLabel(change) });
    const report = await diagnose(change);
    const plan = planOpen(previous, change, { channel, report, ack: await deps.store.getAcknowledgement(change.uuid), now: now() }, options);
    if (plan.suppressed) {
      logger.event('info', 'alert.suppressed', { uuid: change.uuid, cause: plan.cause, reason: 'acknowledged' });
      return plan.result;
    }
    const { opening } = plan;
    if (!(await alerts.putAlert(opening, previous?.version))) throw new AlertBusy(change.uuid);
    try {
      const storm = await joinStorm(stormKey, channel, change.eventSource);
      let postedIn = channel;
      let thread = storm?.ts;
      let ts: string;
      try {
        ts = await post(channel, plan.message, thread);
      } catch (err) {
        const code = cannotPost(err);
        const fallback = deps.fallbackChannel;
        if (!code || !fallback || fallback === channel) throw err;
        // Routed to a channel the bot cannot post in: the alert still has to reach someone.
        logger.event('warn', 'alert.channel-refused', { uuid: change.uuid, channel, slackError: code, fallback });
        ts = await post(fallback, fallbackMessage(plan.messageFor(fallback), channel, code));
        postedIn = fallback;
        thread = undefined;
      }
      await alerts.putAlert(openedRecord(opening, { channel: postedIn, ts, ...(thread ? { threadTs: thread } : {}) }, now()), opening.version);
      await deps.store.putMessage({ channel: postedIn, ts, target: targetOf(change), report, preface: plan.preface });
      if (thread) await refreshStorm(stormKey);
      logger.event('info', 'alert.posted', { uuid: change.uuid, channel: postedIn, ts, cause: plan.cause, storm: Boolean(thread) });
      return { outcome: thread ? 'threaded' : 'posted', channel: postedIn, ts };
    } catch (err) {
      // Give the claim back so that the retry can open it.
      await alerts.putAlert(abandonedRecord(opening, now()), opening.version).catch(() => false);
      throw err;
    }
  }

  async function apply(change: EsmStateChange): Promise<AlertResult> {
    const step = planAlert({ record: await alerts.getAlert(change.uuid) }, change, now());
    switch (step.step) {
      case 'stale':
        return step.result;
      case 'busy':
        throw new AlertBusy(change.uuid);
      case 'open':
        return openAlert(step.previous, change);
      case 'update': {
        const report = await diagnose(change);
        return execute(planUpdate(step.live, change, { report, ack: await deps.store.getAcknowledgement(change.uuid), now: now() }, options));
      }
      case 'close': {
        const stored = step.live.ts ? await deps.store.getMessage(step.live.channel, step.live.ts) : undefined;
        return execute(planClose(step.live, change, { kind: step.closure, stored, ack: await deps.store.getAcknowledgement(change.uuid), now: now() }, options));
      }
      case 'ignore':
        if (step.clearAcknowledgement) await deps.store.clearAcknowledgement(change.uuid);
        return step.result;
    }
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
