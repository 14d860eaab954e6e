/**
 * Report → Slack message (Block Kit), by part of the message: report.ts puts them together,
 * glance.ts (header, notes, facts, what Lambda says), cause.ts (cause, evidence, the other
 * problems), remedy.ts (the fix and its code blocks), changes.ts (what changed before the failure), steps.ts (trend, by-step line), buttons.ts
 * (buttons, console links, Fix it), short.ts (usage, progress, notices); options.ts holds what a
 * render takes besides the Report, text.ts the helpers they share.
 */
/** The finding the engine named as the most likely cause (one rule, in bot/model/cause.ts). */
export { causeOf as causeFinding } from '../../model/cause';
export { ACTION_IDS, type FixedNote, type PollerMode, type RenderOptions, type RerunNote, type SlackReport, type Stamp } from './options';
export { slackDate, userMention } from './text';
export { ackStamp, firstSentence } from './glance';
export { evidenceLines } from './cause';
export { formatFix, remedyBlocks } from './remedy';
export { formatRunTime, stepLine } from './steps';
export { consoleUrls, fixableFindings, planOf } from './buttons';
export { renderReport } from './report';
export { renderNotice, renderProgress, renderUsage, USAGE } from './short';
