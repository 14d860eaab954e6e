/**
 * The alert messages, built on the Slack app's report message (blocks/ `renderReport`) so that an
 * alert looks, and its buttons work, exactly like an `/esm diagnose` answer. Pure functions.
 *
 *   live alert      the report, with an "Alert · failing since …" line and the history under the header
 *   closed alert    "Recovered after N min" (or deleted / no longer failing) header, the history, and
 *                   the last diagnosis while failing kept underneath (without the Acknowledge button)
 *   storm parent    "N ESMs of cluster X are failing" with the members; details in its thread
 */
import type { ContextBlock, KnownBlock } from '@slack/types';
import type { EsmStateChange } from '../model/events';
import { functionNameFromArn } from '../model/esm';
import type { HistoryEntry, StormMember } from '../model/alert';
import { ACTION_IDS, renderReport, slackDate, userMention, type RenderOptions, type SlackReport, type Stamp } from './blocks';
import { enforceLimits, escapeMrkdwn, fitLines, fitText, SLACK_LIMITS, unescapeMrkdwn, type SlackMessage } from './limits';

function context(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.map((text) => ({ type: 'mrkdwn' as const, text: fitText(text, SLACK_LIMITS.contextElementText) })) };
}

function mrkdwn(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.sectionText) } };
}

/** "12 min", "2 h 5 min", "less than a minute". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes === 0) return 'less than a minute';
  if (minutes < 120) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function clusterLabel(eventSource: string): string {
  const msk = /:cluster\/([^/]+)\//.exec(eventSource);
  if (msk) return msk[1]!;
  const brokers = eventSource.split(',').filter(Boolean);
  return brokers.length > 1 ? `${brokers[0]} (+${brokers.length - 1})` : (brokers[0] ?? eventSource);
}

export function functionLabel(change: Pick<EsmStateChange, 'functionArn' | 'uuid'>): string {
  return change.functionArn ? functionNameFromArn(change.functionArn) : `ESM ${change.uuid}`;
}

function subject(report: SlackReport | undefined, change: EsmStateChange): string {
  const name = functionLabel({ functionArn: report?.esm?.functionArn ?? change.functionArn, uuid: change.uuid });
  const topics = report?.esm?.topics ?? [];
  return topics.length ? `${name} ← ${topics.join(', ')}` : name;
}

function historyLines(history: HistoryEntry[]): string {
  const lines = history.map((h) => `${slackDate(h.at)} — ${h.text}`);
  // Newest last; when it does not fit, the oldest entries are summarised.
  const reversed = fitLines([...lines].reverse(), SLACK_LIMITS.contextElementText - 20, (n) => `…${n} earlier`);
  return reversed.split('\n').reverse().join('\n');
}

export interface AlertOptions {
  buttonValue: string;
  acknowledged?: Stamp;
  /** When the failure began. */
  since: string;
  history: HistoryEntry[];
  /** Offer Run live probe (probing is configured). */
  probe?: boolean;
  /** Signs Fix it buttons (remediation is on). */
  fixValue?: RenderOptions['fixValue'];
}

/**
 * The alert line and the history, shown under the report's header. Stored with the message as its
 * preface, so a Re-run or an Acknowledge on the alert keeps them.
 */
export function alertPreface(since: string, history: HistoryEntry[]): string[] {
  const lines = [`:rotating_light: *Alert* from the esm-doctor watcher · failing since ${slackDate(since)}`];
  if (history.length > 1) lines.push(`*History*\n${historyLines(history)}`);
  return lines;
}

/** What a closed alert keeps on top if someone re-runs it later: how it ended, and the history. */
export function closedPreface(headline: { emoji: string; text: string }, history: HistoryEntry[]): string[] {
  return [`${headline.emoji} *${headline.text}* · alert closed`, `*History*\n${historyLines(history)}`];
}

/** The live alert: the report message, with the alert line and the history under its header. */
export function renderAlert(report: SlackReport, options: AlertOptions): SlackMessage {
  return renderReport(report, {
    buttonValue: options.buttonValue,
    preface: alertPreface(options.since, options.history),
    ...(options.acknowledged ? { acknowledged: options.acknowledged } : {}),
    ...(options.probe ? { probe: true } : {}),
    ...(options.fixValue ? { fixValue: options.fixValue } : {}),
  });
}

export type Closure = 'recovered' | 'deleted';

export interface ClosedOptions {
  kind: Closure;
  /** How long it failed. */
  durationMs: number;
  history: HistoryEntry[];
  /** The event that closed it (its `current` says what the ESM is now). */
  change: EsmStateChange;
  buttonValue: string;
}

/**
 * How the alert ended, as one line of mrkdwn: the state and StateTransitionReason come from AWS, so
 * they are escaped here, once, for every place the line goes (history, thread note, preface).
 */
export function closedHeadline(kind: Closure, change: EsmStateChange, durationMs: number): { emoji: string; text: string } {
  const after = formatDuration(durationMs);
  if (kind === 'deleted') return { emoji: ':wastebasket:', text: `Deleted after failing for ${after}` };
  const state = change.current.state;
  if (state === 'Enabled' || state === 'Enabling' || state === 'Updating' || state === 'Creating') {
    return { emoji: ':large_green_circle:', text: `Recovered after ${after}` };
  }
  const reason = change.current.stateTransitionReason ? `, ${fitText(change.current.stateTransitionReason, 300)}` : '';
  return { emoji: ':white_circle:', text: escapeMrkdwn(`No longer failing after ${after} (now ${state}${reason})`) };
}

/** The history line that records who acknowledged the alert (kept when the alert closes). */
export function ackHistoryEntry(stamp: Stamp): HistoryEntry {
  return { at: stamp.at, text: `Acknowledged by ${userMention(stamp.by)}` };
}

/** The alert once closed: what happened, the history, and the last diagnosis kept underneath. */
export function renderClosed(report: SlackReport | undefined, options: ClosedOptions): SlackMessage {
  const headline = closedHeadline(options.kind, options.change, options.durationMs);
  // The header is plain_text, shown as written: the headline's escaping is undone for it.
  const title = `${headline.emoji} ${unescapeMrkdwn(headline.text)}: ${subject(report, options.change)}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', emoji: true, text: fitText(title, SLACK_LIMITS.headerText) } },
    context(`*History*\n${historyLines(options.history)}`),
  ];
  if (report) {
    const previous = renderReport(report, { buttonValue: options.buttonValue });
    blocks.push({ type: 'divider' }, context('_The last diagnosis while it was failing:_'));
    for (const block of previous.blocks.slice(1)) {
      if (block.type === 'actions') {
        // Nothing left to acknowledge; Re-run and the console links stay.
        const elements = block.elements.filter((e) => !('action_id' in e) || e.action_id !== ACTION_IDS.ack);
        if (elements.length) blocks.push({ ...block, elements });
        continue;
      }
      blocks.push(block);
    }
  }
  const lambdaSays = options.change.current.lastProcessingResult ? ` Lambda now says: ${options.change.current.lastProcessingResult}` : '';
  return enforceLimits({ text: `${headline.text}: ${escapeMrkdwn(`${subject(report, options.change)} (ESM ${options.change.uuid}).${lambdaSays}`)}`, blocks });
}

/** The message with a note under its header (an alert that had to go to another channel says why). */
export function withNote(message: SlackMessage, note: string): SlackMessage {
  const [header, ...rest] = message.blocks;
  return enforceLimits({ text: message.text, blocks: [header!, context(note), ...rest] });
}

/** A short reply in an alert's thread. */
export function renderThreadNote(text: string): SlackMessage {
  const fitted = fitText(text, SLACK_LIMITS.sectionText);
  return { text: fitted, blocks: [mrkdwn(fitted)] };
}

export interface StormOptions {
  cluster: string;
  members: StormMember[];
  openedAt: string;
  closedAt?: string;
  windowMinutes: number;
}

/** The storm's parent: one line per member; each member's full report is in the thread. */
export function renderStormParent(options: StormOptions): SlackMessage {
  const label = clusterLabel(options.cluster);
  const open = options.members.filter((m) => m.open);
  const total = options.members.length;
  const title = options.closedAt
    ? `:large_green_circle: All ${total} ESMs of ${label} recovered after ${formatDuration(Date.parse(options.closedAt) - Date.parse(options.openedAt))}`
    : `:rotating_light: ${open.length} of ${total} ESMs of ${label} are failing`;
  const lines = [...options.members]
    .sort((a, b) => Number(b.open) - Number(a.open) || a.at.localeCompare(b.at))
    .map((m) => `${m.open ? ':red_circle:' : ':large_green_circle:'} *${escapeMrkdwn(m.label)}* \`${m.uuid}\` — ${m.open ? `failing since ${slackDate(m.at)}` : `recovered ${m.closedAt ? slackDate(m.closedAt) : ''}`}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', emoji: true, text: fitText(title, SLACK_LIMITS.headerText) } },
    context(
      `Cluster \`${escapeMrkdwn(options.cluster)}\``,
      `${total} ESMs failed within ${options.windowMinutes} min, starting ${slackDate(options.openedAt)}: probably one cause on the cluster or the network, not ${total} separate ones`,
    ),
    mrkdwn(fitLines(lines, SLACK_LIMITS.sectionText, (n) => `_…and ${n} more_`)),
    context(':thread: Each ESM\'s diagnosis is in the thread (those that failed before the storm was recognised have their own message).'),
  ];
  return enforceLimits({ text: escapeMrkdwn(title.replace(/^:[a-z_]+: /, '')), blocks });
}
