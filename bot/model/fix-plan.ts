/**
 * A fix plan: the AWS API calls that apply a mechanical remedy, each with what it changes and the
 * call that undoes it. Plans are data, so a person can read and approve exactly what will run, and
 * the hash binds an approval to the plan: a plan whose calls changed after approval no longer
 * verifies. The hash is computed over the canonical JSON of the plan without its hash (keys sorted,
 * no whitespace), so the same diagnosis yields the same hash on every machine and every re-plan.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const PLAN_SERVICES = ['ec2', 'iam', 'kafka', 'lambda'] as const;

export const ApiCall = z.object({
  service: z.enum(PLAN_SERVICES),
  /** The SDK v3 command name without the `Command` suffix, e.g. AuthorizeSecurityGroupIngress. */
  operation: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
  /** The command's input exactly as the SDK takes it (field names as in the AWS API). */
  params: z.record(z.string(), z.unknown()),
});
export type ApiCall = z.infer<typeof ApiCall>;

export const PlanStep = z.object({
  call: ApiCall,
  /** What the call changes, in words a reviewer can approve. */
  effect: z.string().min(1),
  undo: ApiCall,
  /** The same call as an AWS CLI command (bot/checks/lib/commands/), runnable as printed. */
  command: z.string().min(1),
  undoCommand: z.string().min(1),
});
export type PlanStep = z.infer<typeof PlanStep>;

/** The inline policies esm-doctor writes are named with this prefix (and a digest of their content). */
export const POLICY_PREFIX = 'esm-doctor-kafka-event-source';

export const FIX_KINDS = ['sg-self-ingress', 'role-policy', 'scram-associate', 'esm-enable'] as const;
export const FixKind = z.enum(FIX_KINDS);
export type FixKind = z.infer<typeof FixKind>;

export const FixPlan = z.object({
  kind: FixKind,
  /** The id of the check whose finding this plan fixes. */
  check: z.string().min(1),
  esm: z.object({
    uuid: z.string().min(1),
    region: z.string().min(1),
    account: z.string().optional(),
    arn: z.string().optional(),
  }),
  steps: z.array(PlanStep).min(1),
  /** sha256 (hex) of the canonical JSON of every other field. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FixPlan = z.infer<typeof FixPlan>;

/** JSON with object keys sorted at every level; `undefined` members dropped (as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash a plan must carry: over everything but the hash itself. */
export function planHash(plan: Omit<FixPlan, 'hash'> | FixPlan): string {
  const { hash: _ignored, ...rest } = plan as FixPlan;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** A plan with its hash filled in. */
export function sealPlan(plan: Omit<FixPlan, 'hash'>): FixPlan {
  return { ...plan, hash: planHash(plan) };
}

/** True when the plan parses and its hash is the one its content gives (a changed call fails it). */
export function verifyPlanHash(plan: unknown): plan is FixPlan {
  const parsed = FixPlan.safeParse(plan);
  return parsed.success && parsed.data.hash === planHash(parsed.data);
}
