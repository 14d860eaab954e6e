/**
 * The watcher's and the alert handler's configuration, read from the environment once per
 * container and validated with zod. Like the Slack configuration, a bad variable stops the process
 * with a message that names it and never echoes its value.
 */
import { z } from 'zod';
import { EsmDoctorError } from '../model/errors';
import { REGION_PATTERN } from '../model/target';
import { issueLines } from '../model/parse-issues';

export class AlertsConfigError extends EsmDoctorError {}

/** Where the code runs decides what it needs: the watcher publishes, the alert handler posts. */
/** `alert-worker`: the Slack worker, which only needs the watched accounts' roles. */
export type AlertsMode = 'watcher' | 'alert' | 'alert-worker';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const CHANNEL = /^[CG][A-Z0-9]{2,}$/;

/** Another account, watched through a role esm-doctor assumes there (with an ExternalId). */
export const WatchedAccount = z.object({
  roleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
  /** The ExternalId the role's trust policy requires (the confused-deputy guard). */
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/-_]').optional(),
});
export type WatchedAccount = z.infer<typeof WatchedAccount>;

export function accountOfRole(roleArn: string): string {
  return ROLE_ARN.exec(roleArn)?.[1] ?? '';
}

const json = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON (${what})` });
        return z.NEVER;
      }
    })
    .pipe(schema.optional());

const positive = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s === '' ? fallback : Number(s)))
    .pipe(z.number().int('must be a whole number').min(0, 'must be 0 or more').max(max, `must be at most ${max}`));

const Env = z.object({
  ESM_DOCTOR_TABLE: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name').optional(),
  ESM_DOCTOR_EVENT_BUS: z.string().min(1).max(1600).optional(),
  ESM_DOCTOR_REGIONS: z
    .string()
    .optional()
    .transform((s) => (s ?? '').split(/[\s,]+/).filter(Boolean))
    .refine((rs) => rs.every((r) => REGION_PATTERN.test(r)), { message: 'must be a comma-separated list of region names (like eu-west-1)' }),
  ESM_DOCTOR_ACCOUNTS: json(z.array(WatchedAccount), 'a list of {"roleArn": ..., "externalId": ...}'),
  /** The account the functions run in; CloudTrail events name it as recipientAccountId. */
  ESM_DOCTOR_ACCOUNT_ID: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id').optional(),
  /** Watch the ESMs of the account esm-doctor itself runs in (default true). */
  ESM_DOCTOR_WATCH_OWN_ACCOUNT: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  ESM_DOCTOR_RECOVERY_HOLD_MINUTES: positive(5, 120),
  ESM_DOCTOR_ALERT_CHANNEL: z.string().regex(CHANNEL, 'must be a channel id (C…, G…)').optional(),
  ESM_DOCTOR_CHANNEL_PREFIXES: json(
    z.record(z.string().min(1), z.string().regex(CHANNEL, 'must map function-name prefixes to channel ids (C…)')),
    'an object like {"orders-": "C0ORDERS"}',
  ),
  ESM_DOCTOR_CHANNEL_TAG: z.string().min(1).max(128).optional(),
  ESM_DOCTOR_STORM_THRESHOLD: positive(5, 1000),
  ESM_DOCTOR_STORM_WINDOW_MINUTES: positive(5, 120),
  AWS_REGION: z.string().optional(),
  AWS_DEFAULT_REGION: z.string().optional(),
});

export interface AlertsConfig {
  table: string;
  eventBus?: string;
  regions: string[];
  accounts: WatchedAccount[];
  ownAccount?: string;
  watchOwnAccount: boolean;
  recoveryHoldMinutes: number;
  defaultChannel?: string;
  channelPrefixes: Record<string, string>;
  channelTag: string;
  stormThreshold: number;
  stormWindowMinutes: number;
}

export const DEFAULT_CHANNEL_TAG = 'esm-doctor:channel';

export function loadAlertsConfig(env: Record<string, string | undefined>, mode: AlertsMode): AlertsConfig {
  const problems: string[] = [];
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    problems.push(...issueLines(parsed.error, { root: 'environment', separator: ' ' }));
  }
  if (!env.ESM_DOCTOR_TABLE) problems.push('ESM_DOCTOR_TABLE is required (the DynamoDB table for watch state and alerts)');
  if (mode === 'watcher' && !env.ESM_DOCTOR_EVENT_BUS) problems.push('ESM_DOCTOR_EVENT_BUS is required (the bus the ESM State Change events go to)');
  if (mode === 'alert' && !env.ESM_DOCTOR_ALERT_CHANNEL) problems.push('ESM_DOCTOR_ALERT_CHANNEL is required (the default channel for alerts)');
  if (!parsed.success || problems.length) {
    throw new AlertsConfigError(`invalid esm-doctor alerts configuration: ${[...new Set(problems)].join('; ')}`);
  }
  const e = parsed.data;
  const fallbackRegion = [e.AWS_REGION, e.AWS_DEFAULT_REGION].find((r) => r && REGION_PATTERN.test(r));
  const regions = e.ESM_DOCTOR_REGIONS.length ? [...new Set(e.ESM_DOCTOR_REGIONS)] : fallbackRegion ? [fallbackRegion] : [];
  if (mode === 'watcher' && !regions.length) {
    throw new AlertsConfigError('invalid esm-doctor alerts configuration: ESM_DOCTOR_REGIONS is required (no AWS_REGION to fall back on)');
  }
  return {
    table: e.ESM_DOCTOR_TABLE!,
    ...(e.ESM_DOCTOR_EVENT_BUS ? { eventBus: e.ESM_DOCTOR_EVENT_BUS } : {}),
    regions,
    accounts: e.ESM_DOCTOR_ACCOUNTS ?? [],
    ...(e.ESM_DOCTOR_ACCOUNT_ID ? { ownAccount: e.ESM_DOCTOR_ACCOUNT_ID } : {}),
    watchOwnAccount: e.ESM_DOCTOR_WATCH_OWN_ACCOUNT !== 'false',
    recoveryHoldMinutes: e.ESM_DOCTOR_RECOVERY_HOLD_MINUTES,
    ...(e.ESM_DOCTOR_ALERT_CHANNEL ? { defaultChannel: e.ESM_DOCTOR_ALERT_CHANNEL } : {}),
    channelPrefixes: e.ESM_DOCTOR_CHANNEL_PREFIXES ?? {},
    channelTag: e.ESM_DOCTOR_CHANNEL_TAG ?? DEFAULT_CHANNEL_TAG,
    stormThreshold: Math.max(2, e.ESM_DOCTOR_STORM_THRESHOLD),
    stormWindowMinutes: e.ESM_DOCTOR_STORM_WINDOW_MINUTES,
  };
}
