/**
 * The pre-alert: a CloudTrail call that breaks healthy ESMs is announced in each ESM's routed
 * channel before Lambda notices — who changed what and when, the cause and the remedy (the report),
 * with Re-run and Acknowledge like any alert. A change that breaks nothing posts nothing.
 *
 * One thread, not two alerts: the pre-alert opens the ESM's alert record (bot/alerts/alert-store)
 * exactly as the notifier does for a failure, with the pre-alert's message as the live alert. When
 * the watcher later publishes `failing` for that ESM, the notifier finds the live alert and edits it
 * in place with a reply in its thread, as for any still-failing ESM; nothing in the notifier changes.
 * When an alert is already live (the ESM was failing before), the change goes into its thread.
 *
 * `planPreAlerts` is the decision (pure); `createPreAlerter` carries it out.
 */
import type { WebClient } from '@slack/web-api';
import type { AlertRecord, AlertStore } from '../alerts/alert-store';
import type { ChannelRouter } from '../alerts/router';
import type { EsmStateChange } from '../model/events';
import type { Report } from '../model/report';
import type { Target } from '../model/target';
import { renderAlert, renderThreadNote, withNote } from '../slack/alert-messages';
import { signButtonValue } from '../slack/button';
import { causeOf } from '../slack/diff';
import { escapeMrkdwn, fitText, type SlackMessage } from '../slack/limits';
import type { SlackStore } from '../slack/store';
import type { ImpactResult } from './run';

export interface PreAlert {
  uuid: string;
  target: Target;
  report: Report;
  cause: string;
  /** One mrkdwn line: who changed what, when, and what it breaks. */
  note: string;
  /** Dedupe key: one pre-alert per event and ESM however often EventBridge delivers the event. */
  key: string;
}

const code = (s: string) => `\`${escapeMrkdwn(s).replace(/`/g, "'")}\``;

/** The ESMs the change breaks (a check that now fails names what the call touched); none → post nothing. */
export function planPreAlerts(result: ImpactResult, eventId: string): PreAlert[] {
  const e = result.event;
  if (e.failed) return [];
  return result.esms
    .filter((x) => x.broken && x.verdict === 'failing')
    .map((x) => {
      const cause = x.cause!;
      const finding = x.report.findings.find((f) => f.check === cause);
      const note = fitText(
        `:warning: *Pre-alert* · ${code(e.name)} on ${e.resources.map(code).join(', ')} by ${code(e.principal)} at ${e.time} breaks this ESM: ${code(cause)}${finding ? ` — ${escapeMrkdwn(finding.title)}` : ''}. Lambda has not reported it yet.`,
        1500,
      );
      const target: Target = { uuid: x.uuid, region: x.report.target.region || e.region, ...(e.account ? { account: e.account } : {}), ...(x.arn ? { arn: x.arn } : {}) };
      return { uuid: x.uuid, target, report: x.report, cause, note, key: `prealert#${eventId}#${x.uuid}` };
    });
}

export interface PreAlerterDeps {
  slack: Pick<WebClient, 'chat'>;
  store: SlackStore;
  alerts: AlertStore;
  router: ChannelRouter | ((change: EsmStateChange) => string | Promise<string>);
  buttonKey: Buffer;
  probe?: boolean;
  now?: () => Date;
}

export type PreAlertOutcome = { uuid: string; outcome: 'posted' | 'threaded' | 'duplicate' | 'acknowledged'; channel?: string; ts?: string };

/** What the router and the alert record need, for an ESM that Lambda still reports healthy. */
function changeOf(pre: PreAlert, observedAt: string): EsmStateChange {
  const esm = pre.report.esm;
  const state = { state: esm?.state ?? 'Enabled', ...(esm?.lastProcessingResult ? { lastProcessingResult: esm.lastProcessingResult } : {}) };
  return {
    uuid: pre.uuid,
    esmArn: pre.target.arn ?? `arn:aws:lambda:${pre.target.region}:${pre.target.account ?? '000000000000'}:event-source-mapping:${pre.uuid}`,
    functionArn: esm?.functionArn ?? '',
    eventSource: esm?.clusterArn ?? esm?.bootstrapServers?.join(',') ?? '',
    region: pre.target.region,
    account: pre.target.account ?? '',
    health: 'changed',
    previous: state,
    current: state,
    observedAt,
  } as EsmStateChange;
}

export function createPreAlerter(deps: PreAlerterDeps) {
  const now = deps.now ?? (() => new Date());
  const route = typeof deps.router === 'function' ? deps.router : deps.router.channelFor.bind(deps.router);

  async function post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const res = await deps.slack.chat.postMessage({ channel, ...message, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false });
    if (!res.ts) throw new Error('chat.postMessage answered without a ts');
    return res.ts;
  }

  async function one(pre: PreAlert, at: string): Promise<PreAlertOutcome> {
    if (!(await deps.alerts.claim(pre.key, 24 * 3600))) return { uuid: pre.uuid, outcome: 'duplicate' };
    try {
      const cause = causeOf(pre.report);
      if (await deps.store.isAcknowledged(pre.uuid, cause)) return { uuid: pre.uuid, outcome: 'acknowledged' };
      const record = await deps.alerts.getAlert(pre.uuid);
      if (record?.status === 'open' && record.ts) {
        // Already alerting: the change belongs in that thread.
        const ts = await post(record.channel, renderThreadNote(pre.note), record.threadTs ?? record.ts);
        return { uuid: pre.uuid, outcome: 'threaded', channel: record.channel, ts };
      }
      const change = changeOf(pre, at);
      const channel = await route(change);
      const history = [{ at, text: pre.note }];
      const buttonValue = signButtonValue(deps.buttonKey, pre.target);
      const message = withNote(renderAlert(pre.report, { buttonValue, since: at, history, ...(deps.probe ? { probe: true } : {}) }), pre.note);
      const ts = await post(channel, message);
      const open: AlertRecord = {
        uuid: pre.uuid,
        status: 'open',
        channel,
        ts,
        openedAt: at,
        // The failure event the watcher publishes later is newer, so the notifier applies it to this alert.
        lastObservedAt: at,
        cause,
        history,
        version: (record?.version ?? 0) + 1,
        updatedAt: now().toISOString(),
      };
      await deps.alerts.putAlert(open, record?.version);
      await deps.store.putMessage({ channel, ts, target: pre.target, report: pre.report, preface: [pre.note] });
      return { uuid: pre.uuid, outcome: 'posted', channel, ts };
    } catch (err) {
      await deps.alerts.release(pre.key);
      throw err;
    }
  }

  return {
    /** Posts each pre-alert (sequentially: one channel's rate limit is about one message a second). */
    async run(result: ImpactResult, eventId: string): Promise<PreAlertOutcome[]> {
      const out: PreAlertOutcome[] = [];
      for (const pre of planPreAlerts(result, eventId)) out.push(await one(pre, result.event.time));
      return out;
    },
  };
}
