/**
 * Report → Slack message (Block Kit). Pure: no clock, no I/O; everything that changes between two
 * renders (the signed button value, who re-ran or acknowledged it and when) comes in `options`.
 *
 * Layout, top to bottom, so that the first lines answer "what is wrong" at a glance:
 *   header        the status and the cause in plain words ("Failing: No cluster security group …")
 *   notes         alert line and history, re-running… / re-run by, what changed
 *   context       function ← topic · account · region · ESM · cluster or brokers · mode · auth
 *   Lambda says   LastProcessingResult's first sentence and the state; the full message under it
 *   cause         "step N of 9 — <name>", the evidence as short lines
 *   remedy        the summary as prose, then each document and each command in its own code block
 *   changed       what changed before the failure (CloudTrail), when the deployment looks it up
 *   also          the other fails, warnings and checks that could not run, one line each
 *   by step       one line: every step's worst status, step 7 included ("no checks")
 *   buttons       Re-run checks · Acknowledge (or the stamp, once acknowledged) · console links
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { verifyPlanHash, type FixPlan } from '../model/fix-plan';
import type { Finding, Report, Status, Step, Verdict } from '../model/report';
import { STEP_NAMES } from '../model/report';
import type { Target } from '../model/target';
import { codeBlock, enforceLimits, escapeMrkdwn, fitLines, fitText, SLACK_LIMITS, type SlackMessage } from './limits';
import { isProblem, summariseDiff, type ReportDiff } from './diff';
import { trendLines } from '../render/sparkline';
import { changesBlock } from './changes-block';

export type PollerMode = 'on-demand' | 'provisioned';

/** A Report, plus what the Slack message shows that the Report contract does not carry (yet). */
export type SlackReport = Report & { pollerMode?: PollerMode };

export const ACTION_IDS = {
  recheck: 'esm_recheck',
  probe: 'esm_probe',
  ack: 'esm_ack',
  openEsm: 'esm_open_esm',
  openFunction: 'esm_open_function',
  /** Fix it buttons are esm_fix_0, esm_fix_1, … (action ids must differ within a block). */
  fix: 'esm_fix_',
  fixApprove: 'esm_fix_approve',
  fixCancel: 'esm_fix_cancel',
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
  /**
   * Signs a Fix it button for a finding's plan; given only when the deployment enables remediation
   * (bot/slack/fix-flow.ts). Without it no Fix it button is shown.
   */
  fixValue?: (plan: FixPlan) => string;
  /** A fix was applied to this ESM from this message (shown under the header). */
  fixed?: FixedNote;
}

export interface FixedNote {
  check: string;
  requestedBy: string;
  approvedBy: string;
  /** ISO 8601. */
  at: string;
  diff?: ReportDiff;
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

/** A Slack user id as a mention; anything else (a sandbox or test name) as escaped text. */
export function userMention(id: string): string {
  return /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

const user = userMention;

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

/** The finding the engine named as the most likely cause (one rule, in bot/model/cause.ts). */
export { causeOf as causeFinding } from '../model/cause';
import { causeOf as causeFinding } from '../model/cause';

function headerBlock(report: Report, cause: Finding | undefined): KnownBlock {
  const v = VERDICT[report.verdict];
  // plain_text: shown as written, so nothing is escaped here.
  const what = cause ? cause.title : subject(report);
  return {
    type: 'header',
    text: { type: 'plain_text', emoji: true, text: fitText(`${v.emoji} ${v.label}: ${what}`, SLACK_LIMITS.headerText) },
  };
}

function notesBlocks(options: RenderOptions): KnownBlock[] {
  const blocks: KnownBlock[] = (options.preface ?? []).map((line) => context(fitText(line, SLACK_LIMITS.contextElementText)));
  if (options.fixed) {
    const f = options.fixed;
    const texts = [
      `:wrench: *Fix applied* for \`${escapeMrkdwn(f.check)}\` · asked by ${user(f.requestedBy)}, approved by ${user(f.approvedBy)} ${slackDate(f.at)} · re-diagnosed: *${f.diff ? summariseDiff(f.diff) : 'see below'}*`,
    ];
    blocks.push(context(...texts));
  }
  if (options.pending) {
    const what = options.pending.probe ? 'Running the checks and the live probe' : 'Re-running the checks';
    blocks.push(context(`:hourglass_flowing_sand: ${what} for ${user(options.pending.by)}…`));
  }
  if (options.rerun) {
    const { diff } = options.rerun;
    const by = `${options.rerun.probe ? ':satellite_antenna: Live probe' : ':repeat: Re-run'} by ${user(options.rerun.by)} ${slackDate(options.rerun.at)}`;
    if (!diff) {
      blocks.push(context(`${by}: no earlier run of this message to compare with`));
      return blocks;
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
  return blocks;
}

/** Where the Acknowledge button was: who acknowledged it and when. */
export function ackStamp(stamp: Stamp): string {
  return `:white_check_mark: Acknowledged by ${user(stamp.by)} ${slackDate(stamp.at)} · no re-alert for this cause until it recovers`;
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

function facts(report: SlackReport): string[] {
  const out: string[] = [];
  const topics = report.esm?.topics ?? [];
  out.push(topics.length ? `*${escapeMrkdwn(functionLabel(report))}* ← ${topics.map(code).join(', ')}` : `*${escapeMrkdwn(functionLabel(report))}*`);
  if (report.target.account) out.push(`Account *${escapeMrkdwn(report.target.account)}*`);
  out.push(`Region *${escapeMrkdwn(report.target.region)}*`);
  out.push(`ESM ${code(report.target.uuid)}`);
  const esm = report.esm;
  if (esm?.clusterArn) out.push(`MSK cluster *${escapeMrkdwn(clusterName(esm.clusterArn))}*`);
  else if (esm?.bootstrapServers?.length) out.push(`Brokers ${esm.bootstrapServers.map(code).join(', ')}`);
  else if (esm) out.push(esm.source === 'msk' ? 'Amazon MSK' : 'Self-managed Kafka');
  if (report.pollerMode) out.push(report.pollerMode === 'provisioned' ? 'Provisioned mode' : 'On-demand mode');
  if (esm) out.push(`Auth *${escapeMrkdwn(esm.auth)}*`);
  return out;
}

/** "PROBLEM: Connection error. Please check …" → "PROBLEM: Connection error." (and the rest). */
export function firstSentence(text: string): { first: string; rest: string } {
  const m = /^([\s\S]*?[.!?])(\s+)(?=\S)/.exec(text);
  if (!m || m[1]!.length < 8) return { first: text, rest: '' };
  return { first: m[1]!, rest: text.slice(m[0].length) };
}

function lambdaSaysBlocks(report: Report): KnownBlock[] {
  const esm = report.esm;
  if (!esm) return [];
  const said = esm.lastProcessingResult ? firstSentence(esm.lastProcessingResult) : undefined;
  const quote = said ? `>${escapeMrkdwn(fitText(said.first, 600)).replace(/\n/g, '\n>')}` : '_No processing result reported yet._';
  const reason = esm.stateTransitionReason ? ` (${escapeMrkdwn(esm.stateTransitionReason)})` : '';
  const blocks: KnownBlock[] = [mrkdwn(`*What Lambda says* · state *${escapeMrkdwn(esm.state)}*${reason}\n${quote}`)];
  if (said?.rest) {
    blocks.push(context(`_Full message:_ ${escapeMrkdwn(fitText(esm.lastProcessingResult!, SLACK_LIMITS.contextElementText - 200))}`));
  }
  return blocks;
}

/**
 * The evidence as a few short lines: the check's detail, one sentence or list item a line, at
 * most `max` lines; what does not fit is counted, never cut mid-word.
 */
export function evidenceLines(detail: string, max = 4): string[] {
  const sentences = detail
    .split('\n')
    .flatMap((line) => (/^\s*[-•*] /.test(line) ? [line] : line.split(/(?<=\.)\s+(?=[A-Z"'(])/)))
    .map((s) => s.trim().replace(/^[-•*]\s+/, ''))
    .filter(Boolean);
  const kept = sentences.slice(0, max).map((s) => `• ${escapeMrkdwn(fitText(s, 320))}`);
  if (sentences.length > max) kept.push(`_…and ${sentences.length - max} more (the CLI shows the whole evidence)_`);
  return kept;
}

/**
 * A fix without a remedy (an older report, or a check not converted yet) writes commands as lines
 * indented by two spaces, or as a line of its own starting with `aws `; Slack drops indentation, so
 * each such command becomes a code block of its own.
 */
export function formatFix(fix: string): string {
  const out: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) out.push(codeBlock(lines.join('\n')) ?? lines.map(escapeMrkdwn).join('\n'));
    lines = [];
  };
  for (const line of fix.split('\n')) {
    if (/^ {2,}\S/.test(line) || /^aws [a-z0-9-]+ [a-z0-9-]+/.test(line)) {
      // One command a block, as for a remedy; a line ending in \ continues the same command.
      if (lines.length && !lines.at(-1)!.endsWith('\\')) flush();
      lines.push(line.trim());
    }
    else {
      flush();
      out.push(escapeMrkdwn(line));
    }
  }
  flush();
  return out.join('\n');
}

const CODE_BUDGET = SLACK_LIMITS.sectionText - 200;

/** A document as JSON in a code block: pretty-printed, or compact when pretty does not fit. */
function documentBlock(title: string, json: unknown): string {
  const heading = `_${escapeMrkdwn(fitText(title, 150))}_`;
  for (const text of [JSON.stringify(json, null, 2), JSON.stringify(json)]) {
    const block = text === undefined ? undefined : codeBlock(text);
    if (block && block.length <= CODE_BUDGET) return `${heading}\n${block}`;
  }
  return `${heading}\n_Too large to show in Slack whole: \`esm-doctor diagnose --format markdown\` prints it._`;
}

function commandBlock(command: string): string {
  const block = codeBlock(command);
  if (block && block.length <= CODE_BUDGET) return block;
  return `_A command too long to show in Slack whole: \`esm-doctor diagnose --format markdown\` prints it._`;
}

/** The fix: the remedy's summary as prose, then each document and each command in its own block. */
export function remedyBlocks(finding: Finding): KnownBlock[] {
  const remedy = finding.remedy;
  if (!remedy) {
    return finding.fix ? [mrkdwn(fitText(`*Fix:* ${formatFix(finding.fix)}`, SLACK_LIMITS.sectionText))] : [];
  }
  const blocks: KnownBlock[] = [];
  blocks.push(mrkdwn(fitText(`*Fix:* ${escapeMrkdwn(remedy.summary)}`.trim(), SLACK_LIMITS.sectionText)));
  for (const doc of remedy.documents ?? []) blocks.push(mrkdwn(documentBlock(doc.title, doc.json)));
  for (const command of remedy.commands ?? []) blocks.push(mrkdwn(commandBlock(command)));
  return blocks;
}

function causeBlocks(report: Report, cause: Finding | undefined): KnownBlock[] {
  if (!cause) {
    return [mrkdwn(fitText(`*${escapeMrkdwn(report.headline)}*`, SLACK_LIMITS.sectionText))];
  }
  const head = `*Most likely cause — ${stepLabel(cause.step)}*\n${STATUS_ICON[cause.status]} *${escapeMrkdwn(cause.title)}*`;
  const blocks: KnownBlock[] = [mrkdwn(`${head}\n${fitLines(evidenceLines(cause.detail), SLACK_LIMITS.sectionText - head.length - 1, (n) => `_…and ${n} more_`)}`)];
  blocks.push(...remedyBlocks(cause));
  const footer = [`check \`${escapeMrkdwn(cause.check)}\``];
  if (cause.resources?.length) {
    const shown = cause.resources.slice(0, 3).map((r) => code(fitText(r, 200)));
    footer.push(`resources ${shown.join(', ')}${cause.resources.length > 3 ? ` and ${cause.resources.length - 3} more` : ''}`);
  }
  if (cause.docs && /^https:\/\/[^\s<>|]+$/.test(cause.docs)) footer.push(`<${cause.docs}|AWS documentation>`);
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
    (f) => `${STATUS_ICON[f.status]} *${escapeMrkdwn(fitText(f.title, 200))}* — step ${f.step} · \`${escapeMrkdwn(f.check)}\``,
  );
  return mrkdwn(
    `${heading}\n${fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1, (n) => `_…and ${n} more (the CLI lists them all)_`)}`,
  );
}

const ALL_STEPS: Step[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * Every step on one line, by its worst status; a step no check covers says so ("7 no checks")
 * instead of disappearing, so that a gap never reads as a pass.
 */
export function stepLine(findings: Finding[]): string {
  const parts = ALL_STEPS.map((step) => {
    const here = findings.filter((f) => f.step === step);
    if (!here.length) return `${step} _no checks_`;
    const worst = here.reduce((w, f) => (STATUS_RANK[f.status] < STATUS_RANK[w] ? f.status : w), 'skip' as Status);
    return `${step} ${STATUS_ICON[worst]}`;
  });
  const counts = (['fail', 'error', 'warn', 'pass', 'skip'] as const)
    .map((s) => [s, findings.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return `*All checks by step:* ${parts.join(' · ')} — ${findings.length} checks: ${counts}`;
}

/** "in 8.4 s", or "in 37 ms" for an offline run that takes less than a tenth of a second. */
export function formatRunTime(ms: number): string {
  if (ms < 100) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The plan a finding carries, when it is well-formed and its hash is its own. */
export function planOf(finding: Finding): FixPlan | undefined {
  const plan = (finding.remedy as { plan?: unknown } | undefined)?.plan;
  return plan !== undefined && verifyPlanHash(plan) ? plan : undefined;
}

/** The findings a Fix it can be offered for: problems with a plan, the cause first, at most three. */
export function fixableFindings(report: Report): { finding: Finding; plan: FixPlan }[] {
  const cause = causeFinding(report);
  return report.findings
    .filter((f) => (f.status === 'fail' || f.status === 'warn') && planOf(f))
    .sort((a, b) => Number(b === cause) - Number(a === cause) || STATUS_RANK[a.status] - STATUS_RANK[b.status])
    .slice(0, 3)
    .map((finding) => ({ finding, plan: planOf(finding)! }));
}

function fixButtons(report: Report, options: RenderOptions): Button[] {
  if (!options.fixValue) return [];
  const fixable = fixableFindings(report);
  return fixable.map(({ finding, plan }, i) => ({
    type: 'button' as const,
    action_id: `${ACTION_IDS.fix}${i}`,
    text: { type: 'plain_text' as const, text: fitText(fixable.length === 1 ? 'Fix it' : `Fix it: ${finding.check}`, 75) },
    value: options.fixValue!(plan),
  }));
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
    // Nothing to acknowledge on a healthy report; once acknowledged, the stamp replaces the button.
    ...(report.verdict !== 'healthy' && !options.acknowledged
      ? [{ type: 'button' as const, action_id: ACTION_IDS.ack, text: { type: 'plain_text' as const, text: 'Acknowledge' }, value: options.buttonValue }]
      : []),
    ...fixButtons(report, options),
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
  const cause = causeFinding(report);
  const blocks: KnownBlock[] = [headerBlock(report, cause), ...notesBlocks(options), context(...facts(report)), ...lambdaSaysBlocks(report)];
  blocks.push({ type: 'divider' }, ...causeBlocks(report, cause));
  const changed = changesBlock(report);
  if (changed) blocks.push(changed);
  const others = othersBlock(report, cause);
  if (others) blocks.push(others);
  const trend = trendBlock(report);
  if (trend) blocks.push(trend);
  blocks.push({ type: 'divider' });
  if (report.findings.length) blocks.push(context(stepLine(report.findings)));
  blocks.push(context(`Checked ${slackDate(report.startedAt)} in ${formatRunTime(report.durationMs)}`));
  if (options.acknowledged) blocks.push(context(ackStamp(options.acknowledged)));
  blocks.push(actionsBlock(report, options));
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
  '`/esm diagnose &lt;uuid|arn&gt; [region]` — find out why a Kafka event source mapping fails, and how to fix it',
  '`/esm help` — this message',
  'Examples: `/esm diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2 eu-west-1` · `/esm diagnose arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2`',
].join('\n');

export function renderUsage(problem?: string, defaultRegion?: string): SlackMessage {
  const region = defaultRegion ? `\nWithout a region or an ARN, the region is *${escapeMrkdwn(defaultRegion)}*.` : '';
  const blocks: KnownBlock[] = [];
  if (problem) blocks.push(mrkdwn(fitText(`:warning: ${escapeMrkdwn(problem)}`, SLACK_LIMITS.sectionText)));
  blocks.push(mrkdwn(`${USAGE}${region}`));
  return enforceLimits({ text: problem ? escapeMrkdwn(problem) : 'How to use /esm', blocks });
}

export function renderProgress(target: Target): SlackMessage {
  const text = `:hourglass_flowing_sand: Diagnosing \`${escapeMrkdwn(target.uuid)}\` in ${escapeMrkdwn(target.region)}… the report will appear in this channel.`;
  return { text, blocks: [mrkdwn(text)] };
}

/** One line for the person who clicked or typed: a refusal, a problem, an apology. */
export function renderNotice(text: string): SlackMessage {
  const fitted = fitText(text, SLACK_LIMITS.sectionText);
  return { text: fitted, blocks: [mrkdwn(fitted)] };
}
