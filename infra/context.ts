/**
 * The deployment's settings, from CDK context (`cdk.json` or `-c key=value`). Values given on the
 * command line arrive as strings, so lists and objects may be JSON text; booleans may be "true".
 */
import { z } from 'zod';
import { WatchedAccount } from '../bot/alerts/config';
import { REGION_PATTERN } from '../bot/model/target';

const CHANNEL = /^[CG][A-Z0-9]{2,}$/;

function fromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return value;
}

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    const parsed = fromText(v);
    if (typeof parsed === 'string') return parsed.split(/[\s,]+/).filter(Boolean);
    return parsed ?? [];
  }, z.array(item));

const bool = z.preprocess((v) => (typeof v === 'string' ? v === 'true' : (v ?? false)), z.boolean());
/** A switch that is on unless set to false; a string other than true / false is refused. */
const boolOn = z.preprocess((v) => (v === undefined ? true : v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'must be true or false' }));

/** A network position the probe function is deployed into (see infra/constructs/probe-function.ts). */
const ProbeTarget = z.object({
  placement: z.union([
    z.object({ kind: z.literal('internet') }),
    z.object({
      kind: z.literal('vpc'),
      vpcId: z.string(),
      subnetIds: z.array(z.string()).min(1),
      securityGroupIds: z.array(z.string()).min(1),
      availabilityZones: z.array(z.string()).optional(),
    }),
  ]),
  secretArns: z.array(z.string()).optional(),
  kmsKeyArns: z.array(z.string()).optional(),
  iamCluster: z.object({ clusterArn: z.string(), topics: z.array(z.string()), groups: z.array(z.string()) }).optional(),
});

export const DeployContext = z.object({
  /** The default channel for alerts (a channel id, C…). Without it, the stack takes an AlertChannel parameter. */
  channel: z.string().regex(CHANNEL, 'must be a Slack channel id (C…), not a name').optional(),
  /** Regions whose Kafka ESMs are watched. Default: the stack's region. */
  regions: list(z.string().regex(REGION_PATTERN, 'must be region names like eu-west-1')),
  /** Other accounts: roles esm-doctor assumes there, with the ExternalId their trust policy requires. */
  accounts: z.preprocess(fromText, z.array(WatchedAccount).default([])),
  /** Lets the secret-format check read ESM secrets (in memory): grants secretsmanager:GetSecretValue. */
  inspectSecrets: bool,
  /**
   * With inspectSecrets: the secret name prefixes GetSecretValue is granted on (default
   * AmazonMSK_, the prefix MSK requires of SCRAM secrets). Self-managed Kafka secrets: add theirs.
   */
  inspectSecretsPrefixes: z.preprocess((v) => (v === undefined ? ['AmazonMSK_'] : v), list(z.string().regex(/^[\w/+=.@-]{1,256}$/, 'must be secret name prefixes (letters, digits, /_+=.@-)'))),
  /** Function-name prefix → channel id. */
  channelPrefixes: z.preprocess(fromText, z.record(z.string(), z.string().regex(CHANNEL)).default({})),
  /** Minutes a recovery must hold before it is announced. */
  recoveryHoldMinutes: z.preprocess((v) => (v === undefined ? 5 : Number(v)), z.number().int().min(0).max(120)),
  /** Accounts allowed to put events on the esm-doctor bus (forwarded CloudTrail or ESM State Change events). */
  eventSourceAccounts: list(z.string().regex(/^\d{12}$/, 'must be 12-digit account ids')),
  /** An AWS Organizations id (o-…): every account of the organization may forward events to the bus (the member StackSet, docs/deploy.md). */
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id like o-a1b2c3d4e5').optional(),
  /** Network positions to deploy the live probe into (optional). */
  probeTargets: z.preprocess(fromText, z.array(ProbeTarget).default([])),
  /** Pre-alerts: EventBridge rules on the CloudTrail calls that can break an ESM → impact → Slack (infra/constructs/pre-alert.ts). */
  preAlerts: bool,
  /**
   * "Changed before the failure" in the alert and Slack worker diagnoses (Report.changes): grants
   * cloudtrail:LookupEvents to those two roles only. On unless false: at most 4 lookups per failing
   * report (bot/impact/changes.ts MAX_LOOKUPS), none for a healthy one; a throttled or denied lookup
   * leaves a note, never a failed diagnosis. `-c changes=false` if CloudTrail history must stay unread.
   */
  changes: boolOn,
  /** Guarded remediation (Fix it in Slack, a second person approves): off unless true. Needs fixApprovers or fixApproverGroups. */
  remediation: bool,
  /** Slack user ids (U…) who may approve a fix. */
  fixApprovers: list(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user ids (U…)')),
  /** Slack user group ids (S…) whose members may approve a fix. */
  fixApproverGroups: list(z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be Slack user group ids (S…)')),
  /** Execution roles the remediation role may write esm-doctor's inline policy on: role path/name patterns ("kafka-consumers/*", "orders-*"). */
  remediableRoles: list(z.string().regex(/^[\w+=,.@/*-]{1,512}$/, 'must be role name patterns like kafka-consumers/* or orders-*').refine((p) => p !== '*' && p !== '/*', 'must not be every role (*): name a path or a prefix')),
  /** Security groups the remediation role may add the ESM's rule to; default: those tagged esm-doctor-remediable=true. */
  remediableSecurityGroups: list(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be security group ids (sg-…)')),
}).refine((c) => !c.remediation || c.fixApprovers.length > 0 || c.fixApproverGroups.length > 0, {
  message: 'remediation=true needs fixApprovers (Slack user ids) or fixApproverGroups (user group ids): someone other than the requester must approve each fix',
  path: ['remediation'],
});
export type DeployContext = z.infer<typeof DeployContext>;

export const CONTEXT_KEYS = ['channel', 'regions', 'accounts', 'inspectSecrets', 'inspectSecretsPrefixes', 'channelPrefixes', 'recoveryHoldMinutes', 'eventSourceAccounts', 'probeTargets', 'organizationId', 'preAlerts', 'changes', 'remediation', 'fixApprovers', 'fixApproverGroups', 'remediableRoles', 'remediableSecurityGroups'] as const;

export function parseContext(read: (key: string) => unknown): DeployContext {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((k) => [k, read(k)]));
  const parsed = DeployContext.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'context'}: ${i.message}`);
    throw new Error(
      `esm-doctor: invalid CDK context (${problems.join('; ')}). Example: npx cdk deploy EsmDoctor -c channel=C0123ABCD -c regions=eu-west-1,eu-central-1 (docs/deploy.md)`,
    );
  }
  return parsed.data;
}
