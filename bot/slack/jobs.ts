/**
 * The slow half of a Slack request: diagnose, then post (a new diagnosis) or edit in place (a
 * re-run). It runs in the worker Lambda in AWS — the Slack handler must answer within 3 seconds and
 * a diagnosis takes longer — and in-process locally. A job is plain JSON, validated on both sides.
 *
 * Idempotent by `idempotencyKey`: a retried Slack request and an async invoke that Lambda delivers
 * twice both end in one post.
 */
import { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import { Target } from '../model/target';
import { renderNotice, renderReport, type RerunNote, type SlackReport, type Stamp } from './blocks';
import { signButtonValue } from './button';
import { fixValueFor } from './remediation';
import { causeOf, diffReports } from './diff';
import type { Diagnose } from './engine';
import { cannotPost, explainFailure, slackErrorCode } from './failure';
import { escapeMrkdwn, type SlackMessage } from './limits';
import { errorFields, type SlackLogger } from './log';
import { acknowledgedFor, type SlackStore } from './store';

export const Job = z
  .object({
    /** `stamp`: re-render a message with its acknowledgement (recorded already by the Slack handler). */
    kind: z.enum(['diagnose', 'recheck', 'stamp']),
    target: Target,
    channel: z.string().regex(/^[CGD][A-Z0-9]+$/),
    /** The message to edit (recheck). */
    messageTs: z.string().regex(/^\d+\.\d+$/).optional(),
    /** Where to answer the requester privately (errors, "invite me"). */
    responseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Slack user id of who asked. */
    user: z.string().regex(/^[UW][A-Z0-9]+$/),
    idempotencyKey: z.string().min(1).max(300),
    /** Run the live probe too (the Run live probe button). */
    probe: z.boolean().optional(),
  })
  .refine((job) => job.kind === 'diagnose' || job.messageTs !== undefined, {
    message: 'a recheck or a stamp needs the message ts',
    path: ['messageTs'],
  });
export type Job = z.infer<typeof Job>;

export type JobOutcome = 'posted' | 'updated' | 'duplicate' | 'failed';

export interface JobDeps {
  slack: Pick<WebClient, 'chat'>;
  store: SlackStore;
  diagnose: Diagnose;
  buttonKey: Buffer;
  logger: SlackLogger;
  /** Offer the Run live probe button on the messages this job renders. */
  probe?: boolean;
  /** Offer Fix it on findings with a plan (the deployment enables remediation). */
  remediation?: boolean;
  now?: () => Date;
  /** Posts to a response_url; fetch by default. */
  respond?: (url: string, message: SlackMessage) => Promise<void>;
}

export async function respondViaUrl(url: string, message: SlackMessage): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
}

async function tell(job: Job, deps: JobDeps, text: string): Promise<void> {
  if (!job.responseUrl) return;
  try {
    await (deps.respond ?? respondViaUrl)(job.responseUrl, renderNotice(text));
  } catch (err) {
    deps.logger.event('warn', 'slack.respond-failed', { kind: job.kind, ...errorFields(err) });
  }
}

/** Edits the message in place; when Slack refuses, tells the user why and answers false. */
async function updateOrTell(job: Job, deps: JobDeps, ts: string, message: SlackMessage): Promise<boolean> {
  try {
    await deps.slack.chat.update({ channel: job.channel, ts, ...message });
    return true;
  } catch (err) {
    await tell(job, deps, explainFailure(err, deps.logger, { kind: job.kind, channel: job.channel }));
    return false;
  }
}

/** The acknowledgement to stamp on a report: only one for this ESM's current cause counts. */
async function currentAck(store: SlackStore, report: SlackReport): Promise<Stamp | undefined> {
  return acknowledgedFor(await store.getAcknowledgement(report.target.uuid), causeOf(report));
}

/** The target as the button and the store keep it: with the account, once the report knows it. */
function withAccount(target: Target, report: SlackReport): Target {
  const account = target.account ?? report.target.account;
  return account ? { ...target, account } : target;
}

function buttonValue(deps: JobDeps, target: Target, report: SlackReport, channel: string): string {
  return signButtonValue(deps.buttonKey, withAccount(target, report), channel);
}

/** What every rendering of a message carries besides the report: the buttons (bound to the channel) and the kept preface. */
function common(deps: JobDeps, channel: string, target: Target, report: SlackReport, preface?: string[]) {
  return {
    buttonValue: buttonValue(deps, target, report, channel),
    ...(deps.probe ? { probe: true } : {}),
    ...(preface?.length ? { preface } : {}),
    ...(deps.remediation ? { fixValue: fixValueFor(deps.buttonKey, withAccount(target, report)) } : {}),
  };
}

async function postDiagnosis(job: Job, deps: JobDeps, report: SlackReport): Promise<JobOutcome> {
  const acknowledged = await currentAck(deps.store, report);
  const message = renderReport(report, { ...common(deps, job.channel, job.target, report), ...(acknowledged ? { acknowledged } : {}) });
  let ts: string | undefined;
  try {
    const res = await deps.slack.chat.postMessage({ channel: job.channel, ...message, unfurl_links: false, unfurl_media: false });
    ts = res.ts;
  } catch (err) {
    const code = cannotPost(err);
    if (code) {
      deps.logger.event('info', 'slack.cannot-post', { channel: job.channel, slackError: code });
      await tell(job, deps, `:warning: I can't post in this channel (\`${code}\`). Invite me with \`/invite @esm-doctor\` and run the command again. Meanwhile: ${escapeMrkdwn(report.headline)}`);
      return 'failed';
    }
    await tell(job, deps, explainFailure(err, deps.logger, { kind: job.kind, channel: job.channel }));
    return 'failed';
  }
  if (ts) await deps.store.putMessage({ channel: job.channel, ts, target: withAccount(job.target, report), report });
  deps.logger.event('info', 'diagnosis.posted', { uuid: job.target.uuid, verdict: report.verdict, channel: job.channel, ts });
  return 'posted';
}

async function editInPlace(job: Job, deps: JobDeps): Promise<JobOutcome> {
  const ts = job.messageTs!;
  const now = (deps.now ?? (() => new Date()))();
  const previous = await deps.store.getMessage(job.channel, ts);
  if (previous && previous.target.uuid !== job.target.uuid) {
    // A genuine value, but from another report's button: never overwrite this report with that ESM.
    deps.logger.event('warn', 'button.refused', { reason: 'value names another ESM', user: job.user, channel: job.channel });
    await tell(job, deps, ':no_entry: That button belongs to another report, so I ignored it.');
    return 'failed';
  }
  if (previous) {
    // Show at once that something is happening; a diagnosis takes seconds.
    const acknowledged = await currentAck(deps.store, previous.report);
    const pending = renderReport(previous.report, {
      ...common(deps, job.channel, job.target, previous.report, previous.preface),
      pending: { by: job.user, ...(job.probe ? { probe: true } : {}) },
      ...(previous.rerun ? { rerun: previous.rerun } : {}),
      ...(acknowledged ? { acknowledged } : {}),
    });
    await deps.slack.chat.update({ channel: job.channel, ts, ...pending }).catch((err: unknown) =>
      deps.logger.event('warn', 'slack.pending-update-failed', { channel: job.channel, slackError: slackErrorCode(err) }),
    );
  }
  let report: SlackReport;
  try {
    report = await (job.probe ? deps.diagnose(job.target, { probe: true }) : deps.diagnose(job.target));
  } catch (err) {
    if (previous) {
      const acknowledged = await currentAck(deps.store, previous.report);
      const restored = renderReport(previous.report, {
        ...common(deps, job.channel, job.target, previous.report, previous.preface),
        ...(previous.rerun ? { rerun: previous.rerun } : {}),
        ...(acknowledged ? { acknowledged } : {}),
      });
      await deps.slack.chat.update({ channel: job.channel, ts, ...restored }).catch(() => undefined);
    }
    await tell(job, deps, explainFailure(err, deps.logger, { kind: job.kind, uuid: job.target.uuid }));
    return 'failed';
  }
  // "Until it recovers": a healthy run ends the acknowledgement, so the next failure alerts again.
  if (report.verdict === 'healthy') await deps.store.clearAcknowledgement(report.target.uuid);
  const rerun: RerunNote = {
    by: job.user,
    at: now.toISOString(),
    ...(previous ? { diff: diffReports(previous.report, report) } : {}),
    ...(job.probe ? { probe: true } : {}),
  };
  const acknowledged = await currentAck(deps.store, report);
  const message = renderReport(report, {
    ...common(deps, job.channel, job.target, report, previous?.preface),
    rerun,
    ...(acknowledged ? { acknowledged } : {}),
  });
  if (!(await updateOrTell(job, deps, ts, message))) return 'failed';
  await deps.store.putMessage({
    channel: job.channel,
    ts,
    target: withAccount(job.target, report),
    report,
    rerun,
    ...(previous?.preface ? { preface: previous.preface } : {}),
  });
  deps.logger.event('info', 'diagnosis.updated', { uuid: job.target.uuid, verdict: report.verdict, channel: job.channel, ts });
  return 'updated';
}

/**
 * The Acknowledge stamp: the Slack handler acked the click and recorded the acknowledgement within
 * Slack's 3 seconds; the edit happens here, where waiting out a 429 (the WebClient honours
 * Retry-After) keeps nobody waiting. The stamp shown is whatever the store holds for the message's
 * cause now, so a late or repeated job never shows a stale one.
 */
async function stampInPlace(job: Job, deps: JobDeps): Promise<JobOutcome> {
  const ts = job.messageTs!;
  const stored = await deps.store.getMessage(job.channel, ts);
  if (!stored || stored.target.uuid !== job.target.uuid) return 'failed';
  const acknowledged = await currentAck(deps.store, stored.report);
  const message = renderReport(stored.report, {
    ...common(deps, job.channel, stored.target, stored.report, stored.preface),
    ...(stored.rerun ? { rerun: stored.rerun } : {}),
    ...(acknowledged ? { acknowledged } : {}),
  });
  if (!(await updateOrTell(job, deps, ts, message))) return 'failed';
  deps.logger.event('info', 'acknowledgement.stamped', { uuid: stored.target.uuid, channel: job.channel, ts });
  return 'updated';
}

export async function runJob(job: Job, deps: JobDeps): Promise<JobOutcome> {
  if (!(await deps.store.claim(`job#${job.idempotencyKey}`))) {
    deps.logger.event('info', 'job.duplicate', { kind: job.kind, key: job.idempotencyKey });
    return 'duplicate';
  }
  try {
    if (job.kind === 'recheck') return await editInPlace(job, deps);
    if (job.kind === 'stamp') return await stampInPlace(job, deps);
    let report: SlackReport;
    try {
      report = await deps.diagnose(job.target);
    } catch (err) {
      await tell(job, deps, explainFailure(err, deps.logger, { kind: job.kind, uuid: job.target.uuid }));
      return 'failed';
    }
    return await postDiagnosis(job, deps, report);
  } catch (err) {
    // The store or Slack failed outside the paths above; never let a job end without an answer.
    await tell(job, deps, explainFailure(err, deps.logger, { kind: job.kind }));
    return 'failed';
  }
}

/** Runs jobs in this process, without making the request wait; `idle()` resolves when all are done. */
export function inProcessRunner(deps: JobDeps): { dispatch: (job: Job) => Promise<void>; idle: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();
  return {
    dispatch: async (job) => {
      const parsed = Job.parse(job);
      const run = runJob(parsed, deps).finally(() => running.delete(run));
      running.add(run);
    },
    idle: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
