import { z } from 'zod';
import { FixPlan } from './fix-plan';
import { optionalStrings, strings } from './fields';
import { metricWindow } from './snapshot/metrics';

/** error = the check could not run (a call was denied or throttled); never a crash. */
export const Status = z.enum(['fail', 'warn', 'pass', 'skip', 'error']);
export type Status = z.infer<typeof Status>;

/** 0 = the ESM's own status; 1..9 = the setup steps in the order Lambda runs them. */
export const Step = z.union([
  z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4),
  z.literal(5), z.literal(6), z.literal(7), z.literal(8), z.literal(9),
]);
export type Step = z.infer<typeof Step>;

export const STEP_NAMES: Record<Step, string> = {
  0: 'ESM status',
  1: 'STS: assume the execution role',
  2: 'Secrets Manager: read the auth secret',
  3: 'Find the brokers',
  4: 'Network path to the brokers',
  5: 'Authenticate (TLS / SASL)',
  6: 'Authorize: topic and consumer group',
  7: 'Poll records',
  8: 'Build the batch (schema, ≤ 6 MB)',
  9: 'Invoke the function',
};

/**
 * What to do about a finding, as data: renderers lay each command and document out verbatim (a code
 * block in Slack, a fence in markdown, never wrapped in a terminal), so what is copied runs as printed.
 */
export const Remedy = z.object({
  /** One or two sentences of prose: what to change and why. */
  summary: z.string(),
  /** Complete shell commands, one per entry, each runnable as printed (`--region` always, real ids). */
  commands: z.array(z.string()).optional(),
  /** Documents to apply, e.g. the policy statement to add, as JSON. */
  documents: z.array(z.object({ title: z.string(), json: z.unknown() })).optional(),
  /** The same fix as API calls esm-doctor can apply itself (bot/remediate), when it is mechanical and reversible. */
  plan: FixPlan.optional(),
});
export type Remedy = z.infer<typeof Remedy>;

export const Finding = z.object({
  check: z.string(),
  step: Step,
  status: Status,
  title: z.string(),
  detail: z.string(),
  /** Kept for compatibility: the plain-text rendering of `remedy` (or a fix that has no structure). */
  fix: z.string().optional(),
  remedy: Remedy.optional(),
  resources: z.array(z.string()).optional(),
  docs: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const Verdict = z.enum(['healthy', 'failing', 'at-risk', 'unknown']);
export type Verdict = z.infer<typeof Verdict>;

/** A management event on a resource a failing finding names (CloudTrail), newest first. */
export const Change = z.object({
  ...strings('time', 'event', 'resource', 'principal'),
  source: z.literal('cloudtrail'),
});
export type Change = z.infer<typeof Change>;

/** A metric series the message draws as a sparkline: one value per period of the window, null where CloudWatch had no point. */
export const Trend = z.object({
  /** lag | errors | throttles */
  name: z.string(),
  label: z.string(),
  ...metricWindow,
  values: z.array(z.number().nullable()),
});
export type Trend = z.infer<typeof Trend>;

export const Report = z.object({
  target: z.object({ ...strings('uuid', 'region'), ...optionalStrings('account', 'arn') }),
  esm: z
    .object({
      state: z.string(),
      ...optionalStrings('stateTransitionReason', 'lastProcessingResult'),
      source: z.enum(['msk', 'self-managed']),
      functionArn: z.string(),
      topics: z.array(z.string()),
      clusterArn: z.string().optional(),
      bootstrapServers: z.array(z.string()).optional(),
      auth: z.string(),
    })
    .optional(),
  verdict: Verdict,
  headline: z.string(),
  /** The check id of the most likely cause; renderers read it instead of re-deriving it. */
  cause: z.string().optional(),
  findings: z.array(Finding),
  changes: z.array(Change).optional(),
  /** The progress metrics' lag and error series over the diagnosis window (CloudWatch), for sparklines. */
  trends: z.array(Trend).optional(),
  /** Why `changes` is missing or partial (LookupEvents denied or throttled); the diagnosis stands. */
  changesNote: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type Report = z.infer<typeof Report>;
