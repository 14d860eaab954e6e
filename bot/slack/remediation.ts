/**
 * Applying an approved fix: what the remediation Lambda (bot/handlers/remediate.ts) runs, and the
 * in-process runner runs in the sandbox and the tests. A job names a request (plan hash + request
 * id); everything else comes from the store, never from the event.
 *
 *  1. claim: approved → applying, a conditional write — a re-delivered event or a second approval
 *     finds it taken and does nothing (at most once: a crash mid-apply is never silently re-run);
 *  2. diagnose again and rebuild the plan: if the finding is gone there is nothing to do; if the plan
 *     is no longer the approved one (someone changed the SG meanwhile), nothing is applied and a new
 *     approval is needed;
 *  3. apply the calls (bot/remediate, with this function's own role), logging each as it happens;
 *  4. diagnose again, edit the report or alert message with what changed, and record in the thread
 *     who asked, who approved, what was called and how to undo it.
 */
import { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import type { FixPlan } from '../model/fix-plan';
import { fixableFindings, planOf, renderReport, type SlackReport } from './blocks';
import { signButtonValue } from './button';
import { diffReports } from './diff';
import type { Diagnose } from './engine';
import { slackErrorCode } from './failure';
import { signFixValue } from './fix-button';
import { renderFixOutcome, renderFixRequest } from './fix-messages';
import { errorFields, type SlackLogger } from './log';
import type { FixRequest, SlackStore } from './store';
import type { Target } from '../model/target';

export const RemediationJob = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  id: z.uuid(),
});
export type RemediationJob = z.infer<typeof RemediationJob>;

/**
 * Applies a plan's calls in order; `log` gets a line per call and per undo as it happens. Resolves
 * with how many calls were made; on failure throws, with `applied` on the error when some were.
 */
export type ApplyFixPlan = (plan: FixPlan, log: (line: string) => void) => Promise<{ applied: number }>;

export interface RemediationDeps {
  slack: Pick<WebClient, 'chat'>;
  store: SlackStore;
  diagnose: Diagnose;
  apply: ApplyFixPlan;
  buttonKey: Buffer;
  logger: SlackLogger;
  approvers: { users: string[]; groups: string[] };
  /** Offer Run live probe on the re-rendered message. */
  probe?: boolean;
  now?: () => Date;
}

export type RemediationOutcome = 'applied' | 'failed' | 'refused' | 'duplicate';

/** What a report message carries when remediation is on: its Fix it buttons' signer. */
export function fixValueFor(key: Buffer, target: Target): (plan: FixPlan) => string {
  return (plan) => signFixValue(key, { uuid: target.uuid, region: target.region, ...(target.account ? { account: target.account } : {}), check: plan.check, hash: plan.hash });
}

async function editRequest(deps: RemediationDeps, request: FixRequest): Promise<void> {
  if (!request.planTs) return;
  await deps.slack.chat
    .update({ channel: request.channel, ts: request.planTs, ...renderFixRequest(request, { approvers: deps.approvers }) })
    .catch((err: unknown) => deps.logger.event('warn', 'fix.request-update-failed', { slackError: slackErrorCode(err) }));
}

async function reply(deps: RemediationDeps, request: FixRequest, message: ReturnType<typeof renderFixOutcome>): Promise<void> {
  await deps.slack.chat
    .postMessage({ channel: request.channel, thread_ts: request.ts, ...message, unfurl_links: false, unfurl_media: false })
    .catch((err: unknown) => deps.logger.event('error', 'fix.outcome-post-failed', { slackError: slackErrorCode(err) }));
}

async function finish(deps: RemediationDeps, request: FixRequest, state: 'applied' | 'failed' | 'refused', outcome: string): Promise<FixRequest> {
  const done = await deps.store.updateFixRequest(request.hash, request.id, ['applying'], { state, outcome });
  const final = done ?? { ...request, state, outcome };
  await editRequest(deps, final);
  return final;
}

/** The same finding's plan in a fresh report (undefined when it no longer fails or has no plan). */
function currentPlan(report: SlackReport, check: string): FixPlan | undefined {
  const finding = fixableFindings(report).find((f) => f.finding.check === check)?.finding;
  return finding ? planOf(finding) : undefined;
}

export async function runRemediation(job: RemediationJob, deps: RemediationDeps): Promise<RemediationOutcome> {
  const now = () => (deps.now ?? (() => new Date()))();
  const request = await deps.store.updateFixRequest(job.hash, job.id, ['approved'], { state: 'applying' });
  if (!request) {
    const existing = await deps.store.getFixRequest(job.hash);
    deps.logger.event('info', 'fix.duplicate', { hash: job.hash, state: existing?.id === job.id ? existing.state : 'superseded' });
    return 'duplicate';
  }
  const log = (fields: Record<string, unknown>) => deps.logger.event('info', 'fix.progress', { hash: job.hash, uuid: request.target.uuid, ...fields });
  log({ step: 'claimed', requestedBy: request.requestedBy, approvedBy: request.approvedBy });

  let before: SlackReport;
  try {
    before = await deps.diagnose(request.target);
  } catch (err) {
    deps.logger.event('error', 'fix.diagnose-failed', errorFields(err));
    const final = await finish(deps, request, 'refused', 'the ESM could not be diagnosed before applying; nothing was changed');
    await reply(deps, final, renderFixOutcome(final, { calls: [], error: 'the ESM could not be diagnosed before applying' }));
    return 'refused';
  }
  const fresh = currentPlan(before, request.plan.check);
  if (!fresh || fresh.hash !== request.hash) {
    const why = fresh
      ? 'the plan changed since it was approved (the ESM or its resources changed); press Fix it again for a new approval'
      : 'the finding no longer fails, so there is nothing to apply';
    log({ step: 'refused', why });
    const final = await finish(deps, request, 'refused', why);
    return final.state === 'refused' ? 'refused' : 'duplicate';
  }

  let applied = 0;
  let failure: string | undefined;
  try {
    applied = (await deps.apply(request.plan, (line) => log({ step: 'call', line }))).applied;
  } catch (err) {
    applied = typeof (err as { applied?: unknown }).applied === 'number' ? (err as { applied: number }).applied : 0;
    failure = (err as { name?: string }).name && (err as Error).message ? `${(err as Error).name}: ${(err as Error).message}` : String(err);
    deps.logger.event('error', 'fix.apply-failed', { hash: job.hash, applied, ...errorFields(err) });
  }

  let after: SlackReport | undefined;
  try {
    after = await deps.diagnose(request.target);
  } catch (err) {
    deps.logger.event('warn', 'fix.rediagnose-failed', errorFields(err));
  }
  if (after) {
    if (after.verdict === 'healthy') await deps.store.clearAcknowledgement(after.target.uuid).catch(() => undefined);
    const previous = await deps.store.getMessage(request.channel, request.ts);
    const target = previous?.target ?? request.target;
    const fixed = {
      check: request.plan.check,
      requestedBy: request.requestedBy,
      approvedBy: request.approvedBy ?? '?',
      at: now().toISOString(),
      diff: diffReports(previous?.report ?? before, after),
    };
    const message = renderReport(after, {
      buttonValue: signButtonValue(deps.buttonKey, target),
      fixValue: fixValueFor(deps.buttonKey, target),
      fixed,
      ...(deps.probe ? { probe: true } : {}),
      ...(previous?.preface?.length ? { preface: previous.preface } : {}),
    });
    try {
      await deps.slack.chat.update({ channel: request.channel, ts: request.ts, ...message });
      await deps.store.putMessage({ channel: request.channel, ts: request.ts, target, report: after, ...(previous?.preface ? { preface: previous.preface } : {}) });
    } catch (err) {
      deps.logger.event('warn', 'fix.report-update-failed', { slackError: slackErrorCode(err) });
    }
  }
  const calls = request.plan.steps.slice(0, applied).map((s) => s.command);
  const outcome = failure
    ? `${applied} of ${request.plan.steps.length} calls made; ${failure}`
    : `${applied} ${applied === 1 ? 'call' : 'calls'} made; the ESM is now ${after?.verdict ?? 'not re-diagnosed'}`;
  const final = await finish(deps, request, failure ? 'failed' : 'applied', outcome);
  await reply(deps, final, renderFixOutcome(final, { calls, ...(failure ? { error: failure } : {}), ...(after ? { verdict: after.verdict, headline: after.headline } : {}) }));
  deps.logger.event('info', failure ? 'fix.failed' : 'fix.applied', { hash: job.hash, uuid: request.target.uuid, applied, verdict: after?.verdict, requestedBy: request.requestedBy, approvedBy: request.approvedBy });
  return failure ? 'failed' : 'applied';
}

/** Runs approved fixes in this process (sandbox, Socket Mode, tests); `idle()` resolves when all are done. */
export function inProcessRemediation(deps: RemediationDeps): { dispatch: (job: RemediationJob) => Promise<void>; idle: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();
  return {
    dispatch: async (job) => {
      const parsed = RemediationJob.parse(job);
      const run = runRemediation(parsed, deps)
        .catch((err: unknown) => deps.logger.event('error', 'fix.unhandled', errorFields(err)))
        .finally(() => running.delete(run));
      running.add(run);
    },
    idle: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

type WriterResult = { status: string; error?: string; operation: string };

/**
 * An ApplyFixPlan over bot/remediate's applyPlan (passed in, so this module loads no AWS client):
 * every step applied or already in effect resolves; a failed step throws, after applyPlan has rolled
 * back what this run changed — `applied` then counts only the calls whose rollback failed.
 */
export function applyWithWriter<C>(
  applyPlan: (plan: FixPlan, clients: C, log: (line: string) => void) => Promise<WriterResult[]>,
  clientsFor: (plan: FixPlan) => C,
): ApplyFixPlan {
  return async (plan, log) => {
    const results = await applyPlan(plan, clientsFor(plan), log);
    const failed = results.find((r) => r.status === 'failed');
    if (!failed) return { applied: plan.steps.length };
    const stuck = results.filter((r) => r.status === 'rollback-failed').length;
    const rolledBack = results.filter((r) => r.status === 'rolled-back').length;
    throw Object.assign(new Error(`${failed.operation} failed: ${failed.error ?? 'unknown error'}${rolledBack ? `; the ${rolledBack} earlier ${rolledBack === 1 ? 'call was' : 'calls were'} rolled back` : ''}${stuck ? `; ${stuck} could not be rolled back (run the undo below)` : ''}`), {
      name: 'FixFailed',
      applied: stuck,
    });
  };
}
