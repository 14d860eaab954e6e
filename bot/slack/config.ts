/**
 * The Slack side's configuration, read from the environment once at start-up and validated with
 * zod. A bad or missing variable stops the process with a message that names it — and never echoes
 * its value, since most of them are secrets.
 */
import { z } from 'zod';
import { EsmDoctorError } from '../model/errors';
import { REGION_PATTERN } from '../model/target';
import { buttonKey } from './button';
import { issueLines } from '../model/parse-issues';

/** Where the app runs decides what it needs: Socket Mode needs the app token, AWS needs the table. */
export type RunMode = 'lambda' | 'worker' | 'socket' | 'http';

export class SlackConfigError extends EsmDoctorError {}

const idList = (pattern: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s ?? '').split(/[\s,]+/).filter(Boolean))
    .refine((ids) => ids.every((id) => pattern.test(id)), { message: `must be a comma-separated list of ${what}` });

const Env = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required (the bot token, xoxb-…)' }).regex(/^xoxb-[\w-]+$/, 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: z.string().regex(/^[0-9a-f]{16,}$/i, 'must be the app\'s signing secret (hex)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[\w-]+$/, 'must be an app-level token (xapp-…)').optional(),
  ESM_DOCTOR_ALLOWED_CHANNELS: idList(/^[CGD][A-Z0-9]{2,}$/, 'channel ids (C…, G…)'),
  ESM_DOCTOR_ALLOWED_USERS: idList(/^[UW][A-Z0-9]{2,}$/, 'user ids (U…, W…)'),
  ESM_DOCTOR_ALLOWED_USERGROUPS: idList(/^S[A-Z0-9]{2,}$/, 'user group ids (S…)'),
  ESM_DOCTOR_DEFAULT_REGION: z.string().regex(REGION_PATTERN, 'must be an AWS region name (like eu-west-1)').optional(),
  AWS_REGION: z.string().optional(),
  AWS_DEFAULT_REGION: z.string().optional(),
  ESM_DOCTOR_BUTTON_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  ESM_DOCTOR_TABLE: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name').optional(),
  ESM_DOCTOR_WORKER_FUNCTION: z.string().min(1).optional(),
  /** Only for tests and API proxies: where the Web API is (default https://slack.com/api/). */
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ESM_DOCTOR_INSPECT_SECRETS: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  /** The Run live probe button: off, from where the bot runs (local), or through the probe function (remote). */
  ESM_DOCTOR_PROBE: z.enum(['off', 'local', 'remote'], { error: 'must be off, local or remote' }).optional(),
  ESM_DOCTOR_PROBE_FUNCTION: z.string().min(1).optional(),
  /** Two or more probe positions: a JSON object from network position to function (bot/probe/position.ts). */
  ESM_DOCTOR_PROBE_FUNCTIONS: z.string().min(2).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }).optional(),
  /** "Changed before the failure" (CloudTrail LookupEvents) in failing reports: the deployment says on; off when unset. */
  ESM_DOCTOR_CHANGES: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
  /** Guarded remediation (the Fix it button): off unless the deployment turns it on. */
  ESM_DOCTOR_REMEDIATION: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
  ESM_DOCTOR_FIX_APPROVERS: idList(/^[UW][A-Z0-9]{2,}$/, 'user ids (U…, W…)'),
  ESM_DOCTOR_FIX_APPROVER_GROUPS: idList(/^S[A-Z0-9]{2,}$/, 'user group ids (S…)'),
  /** The remediation Lambda (name or ARN) the Slack handler hands approved fixes to. */
  ESM_DOCTOR_REMEDIATION_FUNCTION: z.string().min(1).optional(),
});

export interface SlackConfig {
  mode: RunMode;
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  allowedChannels: string[];
  allowedUsers: string[];
  allowedUserGroups: string[];
  defaultRegion?: string;
  /** The HMAC key for button values (configured, or derived from the signing secret). */
  buttonKey: Buffer;
  buttonKeySource: 'configured' | 'derived from the signing secret';
  table?: string;
  workerFunction?: string;
  slackApiUrl?: string;
  /** Lets the secret-format check read secret values, in memory only. */
  inspectSecrets: boolean;
  /**
   * Whether messages offer Run live probe, and how it runs. Default: remote when a probe function
   * is configured (the worker Lambda sits outside the ESM's VPC, so only the probe function sees
   * what the ESM sees), otherwise off.
   */
  probe: 'off' | 'local' | 'remote';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Look up recent CloudTrail changes on what a failing report names (Report.changes). Off unless
   * ESM_DOCTOR_CHANGES=on: a role without cloudtrail:LookupEvents would only collect AccessDenied notes.
   */
  changes: boolean;
  /** Present only when remediation is on: who may approve a fix (users, or members of user groups). */
  remediation?: RemediationConfig;
}

export interface RemediationConfig {
  approvers: string[];
  approverGroups: string[];
  /** The remediation Lambda (AWS); absent where fixes run in this process (sandbox, Socket Mode, tests). */
  function?: string;
}

const REQUIRED: Record<RunMode, (keyof z.infer<typeof Env>)[]> = {
  lambda: ['SLACK_SIGNING_SECRET', 'ESM_DOCTOR_TABLE', 'ESM_DOCTOR_WORKER_FUNCTION'],
  worker: ['ESM_DOCTOR_TABLE'],
  socket: ['SLACK_APP_TOKEN'],
  http: ['SLACK_SIGNING_SECRET'],
};

const WHAT: Partial<Record<keyof z.infer<typeof Env>, string>> = {
  SLACK_SIGNING_SECRET: "the app's signing secret, from Basic Information",
  SLACK_APP_TOKEN: 'an app-level token with connections:write, for Socket Mode',
  ESM_DOCTOR_TABLE: 'the DynamoDB table for acknowledgements and reports',
  ESM_DOCTOR_WORKER_FUNCTION: 'the name or ARN of the worker Lambda function',
};

export function loadSlackConfig(env: Record<string, string | undefined>, mode: RunMode): SlackConfig {
  const problems: string[] = [];
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    problems.push(...issueLines(parsed.error, { root: 'environment', separator: ' ' }));
  }
  for (const name of REQUIRED[mode]) {
    if (!env[name]) problems.push(`${name} is required here (${WHAT[name] ?? 'see docs/slack.md'})`);
  }
  if (mode !== 'http' && mode !== 'lambda' && !env.ESM_DOCTOR_BUTTON_KEY && !env.SLACK_SIGNING_SECRET) {
    problems.push('ESM_DOCTOR_BUTTON_KEY or SLACK_SIGNING_SECRET is required (buttons are signed with one of them)');
  }
  if (env.ESM_DOCTOR_REMEDIATION === 'on') {
    // Without approvers nobody could approve, or (worse, if read as "anyone") everybody could.
    const ids = (name: string) => (env[name] ?? '').split(/[\s,]+/).filter(Boolean);
    if (!ids('ESM_DOCTOR_FIX_APPROVERS').length && !ids('ESM_DOCTOR_FIX_APPROVER_GROUPS').length) {
      problems.push('ESM_DOCTOR_REMEDIATION=on needs ESM_DOCTOR_FIX_APPROVERS (user ids) or ESM_DOCTOR_FIX_APPROVER_GROUPS (user group ids)');
    }
    if (mode === 'lambda' && !env.ESM_DOCTOR_REMEDIATION_FUNCTION) {
      problems.push('ESM_DOCTOR_REMEDIATION_FUNCTION is required here when ESM_DOCTOR_REMEDIATION=on (the remediation Lambda)');
    }
  }
  if (!parsed.success || problems.length) {
    throw new SlackConfigError(`invalid Slack configuration: ${[...new Set(problems)].join('; ')}`);
  }
  const e = parsed.data;
  const regionFallback = [e.AWS_REGION, e.AWS_DEFAULT_REGION].find((r) => r && REGION_PATTERN.test(r));
  const region = e.ESM_DOCTOR_DEFAULT_REGION ?? regionFallback;
  return {
    mode,
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    allowedChannels: e.ESM_DOCTOR_ALLOWED_CHANNELS,
    allowedUsers: e.ESM_DOCTOR_ALLOWED_USERS,
    allowedUserGroups: e.ESM_DOCTOR_ALLOWED_USERGROUPS,
    ...(region ? { defaultRegion: region } : {}),
    buttonKey: buttonKey({ buttonKey: e.ESM_DOCTOR_BUTTON_KEY, signingSecret: e.SLACK_SIGNING_SECRET }),
    buttonKeySource: e.ESM_DOCTOR_BUTTON_KEY ? 'configured' : 'derived from the signing secret',
    ...(e.ESM_DOCTOR_TABLE ? { table: e.ESM_DOCTOR_TABLE } : {}),
    ...(e.ESM_DOCTOR_WORKER_FUNCTION ? { workerFunction: e.ESM_DOCTOR_WORKER_FUNCTION } : {}),
    ...(e.SLACK_API_URL ? { slackApiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` } : {}),
    inspectSecrets: e.ESM_DOCTOR_INSPECT_SECRETS === 'true',
    probe: e.ESM_DOCTOR_PROBE ?? (e.ESM_DOCTOR_PROBE_FUNCTION || e.ESM_DOCTOR_PROBE_FUNCTIONS ? 'remote' : 'off'),
    logLevel: e.LOG_LEVEL ?? 'info',
    changes: e.ESM_DOCTOR_CHANGES === 'on',
    ...(e.ESM_DOCTOR_REMEDIATION === 'on'
      ? {
          remediation: {
            approvers: e.ESM_DOCTOR_FIX_APPROVERS,
            approverGroups: e.ESM_DOCTOR_FIX_APPROVER_GROUPS,
            ...(e.ESM_DOCTOR_REMEDIATION_FUNCTION ? { function: e.ESM_DOCTOR_REMEDIATION_FUNCTION } : {}),
          },
        }
      : {}),
  };
}

/** What can be logged about a configuration: which features are on, never a token or a key. */
export function describeConfig(config: SlackConfig): Record<string, unknown> {
  return {
    mode: config.mode,
    allowedChannels: config.allowedChannels.length || 'any',
    allowedUsers: config.allowedUsers.length || 'any',
    allowedUserGroups: config.allowedUserGroups.length || 'none',
    defaultRegion: config.defaultRegion ?? 'none',
    store: config.table ? 'dynamodb' : 'memory',
    buttonKey: config.buttonKeySource,
    inspectSecrets: config.inspectSecrets,
    changes: config.changes,
    remediation: config.remediation ? { approvers: config.remediation.approvers.length, approverGroups: config.remediation.approverGroups.length } : 'off',
  };
}
