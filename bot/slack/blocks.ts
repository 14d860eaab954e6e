/**
 * Report → Slack message (Block Kit). Pure: no clock, no I/O; everything that changes between two
 * renders (the signed button value, who re-ran or acknowledged it and when) comes in `options`.
 *
 * Layout, top to bottom, in the order an on-call engineer needs it:
 *   header        status, function ← topic
 *   notes         acknowledged by / re-run by, what changed / re-running…
 *   context       account · region · ESM · cluster or brokers · on-demand/provisioned · auth
 *   Lambda says   LastProcessingResult, quoted (the PROBLEM: text), and the state
 *   cause         the first failing step: "step N of 9 — <name>", evidence, fix
 *   also          the other fails, warnings and checks that could not run, one line each
 *   by step       every step's checks, counted by status
 *   buttons       Re-run checks · Acknowledge · ESM in console · Function in console
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Finding, Report, Status, Step, Verdict } from '../model/report';
import { STEP_NAMES } from '../model/report';
import type { Target } from '../model/target';
import { mostLikelyCause } from '../checks/engine';
import { enforceLimits, escapeMrkdwn, fitLines, fitText, SLACK_LIMITS, type SlackMessage } from './limits';
import { isProblem, summariseDiff, type ReportDiff } from './diff';
import { trendLines } from '../render/sparkline';

export type PollerMode = 'on-demand' | 'provisioned';

/** A Report, plus what the Slack message shows that the Report contract does not carry (yet). */
export type SlackReport = Report & { pollerMode?: PollerMode };

export const ACTION_IDS = {
  recheck: 'esm_recheck',
  probe: 'esm_probe',
  ack: 'esm_ack',
  openEsm: 'esm_open_esm',
  openFunction: 'esm_open_function',
} as const;

export interface Stamp {
  /** Slack user id. */
  by: string;
  /** ISO 8601. */
  at: string;
}

export interface RerunNote extends Stamp {
  /** Absent when there was no earlier run of this message to compare with. */
  diff?: ReportDiff;
  /** The re-run included the live probe. */
  probe?: boolean;
}

export interface RenderOptions {
  /** The signed `{uuid, region, account}` both buttons carry (see button.ts). */
  buttonValue: string;
  acknowledged?: Stamp;
  rerun?: RerunNote;
  /** A re-run is under way, requested by this user (with the live probe when `probe`). */
  pending?: { by: string; probe?: boolean };
  /** Offer the Run live probe button (probing is configured). */
  probe?: boolean;
  /**
   * Context lines shown under the header whatever else changes (an alert's "failing since" and its
   * history). Stored with the message, so a re-run or an acknowledgement keeps them.
   */
  preface?: string[];
}

const VERDICT: Record<Verdict, { emoji: string; label: string }> = {
  failing: { emoji: ':red_circle:', label: 'Failing' },
  'at-risk': { emoji: ':large_yellow_circle:', label: 'At risk' },
  healthy: { emoji: ':large_green_circle:', label: 'Healthy' },
  unknown: { emoji: ':white_circle:', label: 'Unknown' },
};

const STATUS_ICON: Record<Status, string> = {
  fail: ':x:',
  error: ':grey_question:',
  warn: ':warning:',
  pass: ':white_check_mark:',
  skip: ':heavy_minus_sign:',
};

const STATUS_RANK: Record<Status, number> = { fail: 0, error: 1, warn: 2, pass: 3, skip: 4 };

// ---------------------------------------------------------------------------------------------
// Small formatting helpers

function mrkdwn(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(...texts: string[]): ContextBlock {
  return { type: 'context', elements: texts.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

/** Slack renders this in the reader's own time zone; the fallback is for clients that cannot. */
export function slackDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeMrkdwn(iso);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

function user(id: string): string {
  return /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

interface ParsedArn {
  partition: string;
  name: string;
  qualifier?: string;
}

function parseFunctionArn(arn: string | undefined): ParsedArn | undefined {
  const m = arn ? /^arn:([a-z-]+):lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::(.+))?$/.exec(arn) : null;
  if (!m) return undefined;
  return { partition: m[1]!, name: m[2]!, ...(m[3] ? { qualifier: m[3] } : {}) };
}

function clusterName(clusterArn: string): string {
  return /:cluster\/([^/]+)\//.exec(clusterArn)?.[1] ?? clusterArn;
}

function consoleBase(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn/lambda/home?region=${region}`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com/lambda/home?region=${region}`;
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}`;
}

/** Console links. The ESM page is the one the Lambda console's "Event source mappings" list opens. */
export function consoleUrls(report: Pick<Report, 'target' | 'esm'>): { esm: string; function?: string } {
  const fn = parseFunctionArn(report.esm?.functionArn);
  const partition = fn?.partition ?? /^arn:([a-z-]+):/.exec(report.target.arn ?? '')?.[1] ?? 'aws';
  const base = consoleBase(partition, report.target.region);
  return {
    esm: `${base}#/event-source-mappings/${encodeURIComponent(report.target.uuid)}`,
    ...(fn ? { function: `${base}#/functions/${encodeURIComponent(fn.name)}` } : {}),
  };
}

function functionLabel(report: Report): string {
  const fn = parseFunctionArn(report.esm?.functionArn);
  if (fn) return fn.qualifier ? `${fn.name}:${fn.qualifier}` : fn.name;
  return report.esm?.functionArn ?? `ESM ${report.target.uuid}`;
}

function subject(report: Report): string {
  const topics = report.esm?.topics ?? [];
  return topics.length ? `${functionLabel(report)} ← ${topics.join(', ')}` : functionLabel(report);
}

function stepLabel(step: Step): string {
  return step === 0 ? `ESM status (what Lambda reports)` : `step ${step} of 9 — ${STEP_NAMES[step]}`;
}

// ---------------------------------------------------------------------------------------------
// The report message

function headerBlock(report: Report): KnownBlock {
  const v = VERDICT[report.verdict];
  return {
    type: 'header',
    text: { type: 'plain_text', emoji: true, text: fitText(`${v.emoji} ${v.label}: ${subject(report)}`, SLACK_LIMITS.headerText) },
  };
}

function notesBlocks(options: RenderOptions): KnownBlock[] {
  const blocks: KnownBlock[] = (options.preface ?? []).map((line) => context(fitText(line, SLACK_LIMITS.contextElementText)));
  if (options.pending) {
    const what = options.pending.probe ? 'Running the checks and the live probe' : 'Re-running the checks';
    blocks.push(context(`:hourglass_flowing_sand: ${what} for ${user(options.pending.by)}…`));
  }
  if (options.rerun) {
    const { diff } = options.rerun;
    const by = `${options.rerun.probe ? ':satellite_antenna: Live probe' : ':repeat: Re-run'} by ${user(options.rerun.by)} ${slackDate(options.rerun.at)}`;
    if (!diff) {
      blocks.push(context(`${by}: no earlier run of this message to compare with`));
      return blocks.concat(ackNote(options));
    }
    const texts = [`${by}: *${summariseDiff(diff)}*`];
    const list = (label: string, changes: ReportDiff['fixed'], arrow: boolean) =>
      changes.length
        ? `${label}: ${changes
            .map((c) => `\`${c.check}\`${arrow && c.before && c.after ? ` (${c.before} → ${c.after})` : ''}`)
            .join(', ')}`
        : undefined;
    const detail = [list('Fixed', diff.fixed, false), list('New', diff.appeared, false), list('Changed', diff.changed, true)]
      .filter((t): t is string => t !== undefined)
      .join(' · ');
    if (detail) texts.push(fitText(detail, SLACK_LIMITS.contextElementText));
    blocks.push(context(...texts));
  }
  return blocks.concat(ackNote(options));
}

function ackNote(options: RenderOptions): KnownBlock[] {
  if (!options.acknowledged) return [];
  return [
    context(
      `:white_check_mark: Acknowledged by ${user(options.acknowledged.by)} ${slackDate(options.acknowledged.at)} — re-alerts for this cause are paused until the ESM recovers or the cause changes`,
    ),
  ];
}

function facts(report: SlackReport): string[] {
  const out: string[] = [];
  if (report.target.account) out.push(`Account *${report.target.account}*`);
  out.push(`Region *${report.target.region}*`);
  out.push(`ESM \`${report.target.uuid}\``);
  const esm = report.esm;
  if (esm?.clusterArn) out.push(`MSK cluster *${escapeMrkdwn(clusterName(esm.clusterArn))}*`);
  else if (esm?.bootstrapServers?.length) out.push(`Brokers ${esm.bootstrapServers.map((b) => `\`${escapeMrkdwn(b)}\``).join(', ')}`);
  else if (esm) out.push(esm.source === 'msk' ? 'Amazon MSK' : 'Self-managed Kafka');
  if (report.pollerMode) out.push(report.pollerMode === 'provisioned' ? 'Provisioned mode' : 'On-demand mode');
  if (esm) out.push(`Auth *${escapeMrkdwn(esm.auth)}*`);
  return out;
}

function lambdaSaysBlock(report: Report): KnownBlock | undefined {
  const esm = report.esm;
  if (!esm) return undefined;
  const lines = ['*What Lambda says*'];
  if (esm.lastProcessingResult) lines.push(`>${escapeMrkdwn(esm.lastProcessingResult).replace(/\n/g, '\n>')}`);
  else lines.push('_No processing result reported yet._');
  const state = esm.stateTransitionReason ? `${esm.state} (${esm.stateTransitionReason})` : esm.state;
  lines.push(`State: *${escapeMrkdwn(state)}*`);
  return mrkdwn(fitText(lines.join('\n'), SLACK_LIMITS.sectionText));
}

/**
 * Checks write commands as lines indented by two spaces (as the text renderer shows them); Slack
 * drops the indentation, so each run of such lines becomes a code block that copies cleanly.
 */
export function formatFix(fix: string): string {
  const out: string[] = [];
  let code: string[] = [];
  const flush = () => {
    if (code.length) out.push(`\`\`\`${code.join('\n')}\`\`\``);
    code = [];
  };
  for (const line of fix.split('\n')) {
    if (/^ {2,}\S/.test(line)) code.push(escapeMrkdwn(line.trim()));
    else {
      flush();
      out.push(escapeMrkdwn(line));
    }
  }
  flush();
  return out.join('\n');
}

function causeBlocks(report: Report, cause: Finding | undefined): KnownBlock[] {
  if (!cause) {
    return [mrkdwn(fitText(`*${escapeMrkdwn(report.headline)}*`, SLACK_LIMITS.sectionText))];
  }
  const head = `*Most likely cause — ${stepLabel(cause.step)}*\n${STATUS_ICON[cause.status]} *${escapeMrkdwn(cause.title)}*`;
  const evidence = mrkdwn(`${head}\n${fitText(escapeMrkdwn(cause.detail), SLACK_LIMITS.sectionText - head.length - 1)}`);
  const blocks: KnownBlock[] = [evidence];
  const fixParts: string[] = [];
  if (cause.fix) fixParts.push(`*Fix:* ${formatFix(cause.fix)}`);
  if (cause.resources?.length) fixParts.push(`*Resources:* ${cause.resources.map((r) => `\`${escapeMrkdwn(r)}\``).join(', ')}`);
  if (fixParts.length) blocks.push(mrkdwn(fitLines(fixParts, SLACK_LIMITS.sectionText - 60, () => '_(resources left out)_')));
  const footer = [`check \`${cause.check}\``];
  if (cause.docs) footer.push(`<${cause.docs}|AWS documentation>`);
  blocks.push(context(footer.join(' · ')));
  return blocks;
}

function othersBlock(report: Report, cause: Finding | undefined): KnownBlock | undefined {
  const others = report.findings
    .filter((f) => f !== cause && isProblem(f.status))
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.step - b.step);
  if (!others.length) return undefined;
  const heading = cause ? '*Also found*' : '*Found*';
  const lines = others.map(
    (f) => `${STATUS_ICON[f.status]} *${escapeMrkdwn(fitText(f.title, 200))}* — step ${f.step} · \`${f.check}\``,
  );
  return mrkdwn(
    `${heading}\n${fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1, (n) => `_…and ${n} more (see the summary by step below)_`)}`,
  );
}

function stepSummaryBlock(report: Report): KnownBlock | undefined {
  if (!report.findings.length) return undefined;
  const steps = new Map<Step, Finding[]>();
  for (const f of report.findings) steps.set(f.step, [...(steps.get(f.step) ?? []), f]);
  const lines = [...steps.keys()]
    .sort((a, b) => a - b)
    .map((step) => {
      const findings = steps.get(step)!;
      const worst = findings.reduce((w, f) => (STATUS_RANK[f.status] < STATUS_RANK[w] ? f.status : w), 'skip' as Status);
      const counts = (['fail', 'error', 'warn', 'pass', 'skip'] as const)
        .map((s) => [s, findings.filter((f) => f.status === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ');
      return `${STATUS_ICON[worst]} *${step}* ${STEP_NAMES[step]} — ${counts}`;
    });
  const heading = '*All checks by step*';
  return mrkdwn(`${heading}\n${fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1, (n) => `_…and ${n} more steps_`)}`);
}

function actionsBlock(report: Report, options: RenderOptions): ActionsBlock {
  const urls = consoleUrls(report);
  const elements: Button[] = [
    {
      type: 'button',
      action_id: ACTION_IDS.recheck,
      text: { type: 'plain_text', text: 'Re-run checks' },
      style: 'primary',
      value: options.buttonValue,
    },
    ...(options.probe
      ? [{ type: 'button' as const, action_id: ACTION_IDS.probe, text: { type: 'plain_text' as const, text: 'Run live probe' }, value: options.buttonValue }]
      : []),
    { type: 'button', action_id: ACTION_IDS.ack, text: { type: 'plain_text', text: 'Acknowledge' }, value: options.buttonValue },
    { type: 'button', action_id: ACTION_IDS.openEsm, text: { type: 'plain_text', text: 'ESM in console' }, url: urls.esm },
  ];
  if (urls.function) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.openFunction,
      text: { type: 'plain_text', text: 'Function in console' },
      url: urls.function,
    });
  }
  return { type: 'actions', block_id: 'esm_actions', elements };
}

function fallbackText(report: Report): string {
  const v = VERDICT[report.verdict];
  return `${v.label}: ${subject(report)} (ESM ${report.target.uuid}, ${report.target.region}) — ${report.headline}`;
}

export function renderReport(report: SlackReport, options: RenderOptions): SlackMessage {
  const cause = mostLikelyCause(report.findings);
  const blocks: KnownBlock[] = [headerBlock(report), ...notesBlocks(options), context(...facts(report))];
  const says = lambdaSaysBlock(report);
  if (says) blocks.push(says);
  blocks.push({ type: 'divider' }, ...causeBlocks(report, cause));
  const others = othersBlock(report, cause);
  if (others) blocks.push(others);
  const trend = trendBlock(report);
  if (trend) blocks.push(trend);
  const summary = stepSummaryBlock(report);
  if (summary) blocks.push({ type: 'divider' }, summary);
  blocks.push(
    context(`Checked ${slackDate(report.startedAt)} in ${(report.durationMs / 1000).toFixed(1)} s`),
    actionsBlock(report, options),
  );
  return enforceLimits({ text: escapeMrkdwn(fallbackText(report)), blocks });
}

// ---------------------------------------------------------------------------------------------
// Trend (progress metrics): the lag and error sparklines, in a code span so they keep their alignment

function trendBlock(report: Report): KnownBlock | undefined {
  const rows = trendLines(report, 24);
  if (!rows.length) return undefined;
  return mrkdwn(fitText(`*Trend*\n\`\`\`${rows.join('\n')}\`\`\``, SLACK_LIMITS.sectionText));
}

// ---------------------------------------------------------------------------------------------
// Short messages: usage, progress, problems

export const USAGE = [
  '*Usage*',
  '`/esm diagnose <uuid|arn> [region]` — find out why a Kafka event source mapping fails, and how to fix it',
  '`/esm help` — this message',
  'Examples: `/esm diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2 eu-west-1` · `/esm diagnose arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2`',
].join('\n');

export function renderUsage(problem?: string, defaultRegion?: string): SlackMessage {
  const region = defaultRegion ? `\nWithout a region or an ARN, the region is *${defaultRegion}*.` : '';
  const blocks: KnownBlock[] = [];
  if (problem) blocks.push(mrkdwn(fitText(`:warning: ${escapeMrkdwn(problem)}`, SLACK_LIMITS.sectionText)));
  blocks.push(mrkdwn(`${USAGE}${region}`));
  return enforceLimits({ text: problem ? escapeMrkdwn(problem) : 'How to use /esm', blocks });
}

export function renderProgress(target: Target): SlackMessage {
  const text = `:hourglass_flowing_sand: Diagnosing \`${target.uuid}\` in ${target.region}… the report will appear in this channel.`;
  return { text, blocks: [mrkdwn(text)] };
}

/** One line for the person who clicked or typed: a refusal, a problem, an apology. */
export function renderNotice(text: string): SlackMessage {
  const fitted = fitText(text, SLACK_LIMITS.sectionText);
  return { text: fitted, blocks: [mrkdwn(fitted)] };
}
