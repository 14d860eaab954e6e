/**
 * The one module that writes to AWS. It applies a FixPlan (bot/model/fix-plan.ts) step by step and
 * nothing else: only the operations in WRITERS can run, the plan's hash must verify first, and each
 * call and each undo is logged as it happens. A step that fails undoes the steps this run changed,
 * newest first, so a half-applied plan never stays behind.
 *
 * Idempotent: a step whose change is already in effect (the rule exists, the identical policy is
 * there, the secret is associated, the mapping is enabled) is `unchanged`, not an error, and a
 * rollback leaves it alone, because this run did not make it. A retry of an applied plan changes
 * nothing.
 */
import { AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { BatchAssociateScramSecretCommand, BatchDisassociateScramSecretCommand, KafkaClient, ListScramSecretsCommand } from '@aws-sdk/client-kafka';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { configuredEndpoint, DEFAULT_MAX_ATTEMPTS } from '../collect/endpoint';
import { EsmDoctorError } from '../model/errors';
import { canonicalJson, verifyPlanHash, type ApiCall, type FixPlan } from '../model/fix-plan';

export interface RemediationClients {
  ec2: EC2Client;
  iam: IAMClient;
  kafka: KafkaClient;
  lambda: LambdaClient;
}

export interface RemediationClientOptions {
  env?: Record<string, string | undefined>;
  credentials?: LambdaClientConfig['credentials'];
  maxAttempts?: number;
}

/** The four clients a plan may use, built like bot/collect/clients.ts (AWS_ENDPOINT_URL honoured). */
export function createRemediationClients(region: string, options: RemediationClientOptions = {}): RemediationClients {
  const env = options.env ?? process.env;
  const config = (service: 'ec2' | 'iam' | 'kafka' | 'lambda') => {
    const endpoint = configuredEndpoint(service, env);
    return {
      region,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
      ...(endpoint ? { endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
  };
  return { ec2: new EC2Client(config('ec2')), iam: new IAMClient(config('iam')), kafka: new KafkaClient(config('kafka')), lambda: new LambdaClient(config('lambda')) };
}

/** A plan that does not verify, or an operation this module does not perform. */
export class PlanRefused extends EsmDoctorError {}

type Params = Record<string, unknown>;

interface Writer {
  /** The IAM action of the call (declared in bot/collect/iam-actions.ts for the 'remediate' caller). */
  action: string;
  /** True when the change is already in effect, read before writing. */
  inEffect?(clients: RemediationClients, params: Params): Promise<boolean>;
  send(clients: RemediationClients, params: Params): Promise<unknown>;
  /** An error that means the change is already in effect (a duplicate rule, a rule already gone). */
  alreadyDone?(err: unknown): boolean;
}

const codeOf = (err: unknown): string => (err as { name?: string; Code?: string })?.name ?? (err as { Code?: string })?.Code ?? '';
/** IAM's error code is NoSuchEntity; SDK v3 names the exception NoSuchEntityException. */
const noSuchEntity = (err: unknown): boolean => /^NoSuchEntity(Exception)?$/.test(codeOf(err));

async function scramSecrets(clients: RemediationClients, clusterArn: string): Promise<string[]> {
  const out: string[] = [];
  let next: string | undefined;
  do {
    const page = await clients.kafka.send(new ListScramSecretsCommand({ ClusterArn: clusterArn, ...(next ? { NextToken: next } : {}) }));
    out.push(...(page.SecretArnList ?? []));
    next = page.NextToken;
  } while (next);
  return out;
}

function listed(params: Params): string[] {
  return Array.isArray(params.SecretArnList) ? params.SecretArnList.filter((s): s is string => typeof s === 'string') : [];
}

/** The SDK answer BatchAssociate/BatchDisassociate give for secrets they did not process: a failure unless the state is already right. */
function unprocessed(out: { UnprocessedScramSecrets?: Array<{ SecretArn?: string; ErrorCode?: string; ErrorMessage?: string }> } | undefined): string | undefined {
  const list = out?.UnprocessedScramSecrets ?? [];
  return list.length ? list.map((u) => `${u.SecretArn ?? '?'}: ${u.ErrorCode ?? 'error'} ${u.ErrorMessage ?? ''}`.trim()).join('; ') : undefined;
}

/**
 * IAM returns a policy document URL-encoded (RFC 3986); compare documents as canonical JSON so key
 * order and whitespace do not count as a difference.
 */
function sameDocument(returned: string | undefined, wanted: unknown): boolean {
  if (returned === undefined || typeof wanted !== 'string') return false;
  try {
    return canonicalJson(JSON.parse(decodeURIComponent(returned))) === canonicalJson(JSON.parse(wanted));
  } catch {
    return false;
  }
}

const WRITERS: Record<string, Writer> = {
  'ec2:AuthorizeSecurityGroupIngress': {
    action: 'ec2:AuthorizeSecurityGroupIngress',
    send: (c, p) => c.ec2.send(new AuthorizeSecurityGroupIngressCommand(p)),
    // EC2 refuses a rule that exists already: "InvalidPermission.Duplicate" (EC2 API error codes).
    alreadyDone: (err) => codeOf(err) === 'InvalidPermission.Duplicate',
  },
  'ec2:RevokeSecurityGroupIngress': {
    action: 'ec2:RevokeSecurityGroupIngress',
    send: async (c, p) => {
      const out = await c.ec2.send(new RevokeSecurityGroupIngressCommand(p));
      // EC2 answers a rule it does not have with UnknownIpPermissions rather than an error in most VPCs.
      if (out.UnknownIpPermissions?.length) return { unchanged: true };
      return out;
    },
    alreadyDone: (err) => codeOf(err) === 'InvalidPermission.NotFound',
  },
  'iam:PutRolePolicy': {
    action: 'iam:PutRolePolicy',
    inEffect: async (c, p) => {
      let existing: string | undefined;
      try {
        existing = (await c.iam.send(new GetRolePolicyCommand({ RoleName: String(p.RoleName), PolicyName: String(p.PolicyName) }))).PolicyDocument;
      } catch (err) {
        if (noSuchEntity(err)) return false;
        throw err;
      }
      if (sameDocument(existing, p.PolicyDocument)) return true;
      // Replacing it would lose what it grants and make the undo (a delete) lose it for good.
      throw new PlanRefused(`role ${String(p.RoleName)} already has an inline policy ${String(p.PolicyName)} with another document; esm-doctor does not overwrite it (diagnose again)`);
    },
    send: (c, p) => c.iam.send(new PutRolePolicyCommand(p as never)),
  },
  'iam:DeleteRolePolicy': {
    action: 'iam:DeleteRolePolicy',
    send: (c, p) => c.iam.send(new DeleteRolePolicyCommand(p as never)),
    alreadyDone: noSuchEntity,
  },
  'kafka:BatchAssociateScramSecret': {
    action: 'kafka:BatchAssociateScramSecret',
    inEffect: async (c, p) => {
      const have = await scramSecrets(c, String(p.ClusterArn));
      return listed(p).every((s) => have.includes(s));
    },
    send: async (c, p) => {
      const failed = unprocessed(await c.kafka.send(new BatchAssociateScramSecretCommand(p as never)));
      if (failed) throw new Error(`MSK did not associate: ${failed}`);
    },
  },
  'kafka:BatchDisassociateScramSecret': {
    action: 'kafka:BatchDisassociateScramSecret',
    inEffect: async (c, p) => {
      const have = await scramSecrets(c, String(p.ClusterArn));
      return !listed(p).some((s) => have.includes(s));
    },
    send: async (c, p) => {
      const failed = unprocessed(await c.kafka.send(new BatchDisassociateScramSecretCommand(p as never)));
      if (failed) throw new Error(`MSK did not disassociate: ${failed}`);
    },
  },
  'lambda:UpdateEventSourceMapping': {
    action: 'lambda:UpdateEventSourceMapping',
    inEffect: async (c, p) => {
      const state = (await c.lambda.send(new GetEventSourceMappingCommand({ UUID: String(p.UUID) }))).State ?? '';
      return p.Enabled === true ? ['Enabled', 'Enabling'].includes(state) : ['Disabled', 'Disabling'].includes(state);
    },
    send: (c, p) => c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: String(p.UUID), Enabled: p.Enabled === true })),
  },
};

/** The plan operations this module performs, as IAM actions: what the remediation role needs to write. */
export const WRITE_ACTIONS = Object.values(WRITERS).map((w) => w.action);

function writerFor(call: ApiCall): Writer {
  // Only the keys of WRITERS, never an operation name looked up on the SDK: a plan cannot call anything else.
  const writer = Object.hasOwn(WRITERS, `${call.service}:${call.operation}`) ? WRITERS[`${call.service}:${call.operation}`] : undefined;
  if (!writer) throw new PlanRefused(`esm-doctor does not perform ${call.service}:${call.operation}`);
  return writer;
}

export type StepStatus = 'applied' | 'unchanged' | 'failed' | 'rolled-back' | 'rollback-failed' | 'undone' | 'undo-failed' | 'not-run';

export interface AppliedStep {
  /** 0-based index in plan.steps. */
  index: number;
  /** service:Operation of the call that ran (the undo's, for undone steps). */
  operation: string;
  status: StepStatus;
  /** The CLI command that does the same (the undo command for undone / rolled-back steps). */
  command: string;
  error?: string;
}

export type Log = (line: string) => void;

function message(err: unknown): string {
  const code = codeOf(err);
  const text = err instanceof Error ? err.message : String(err);
  return code && !text.startsWith(code) && code !== 'Error' ? `${code}: ${text}` : text;
}

/** Runs one call; 'applied' when it changed something, 'unchanged' when the change was already in effect. */
async function run(call: ApiCall, clients: RemediationClients): Promise<'applied' | 'unchanged'> {
  const writer = writerFor(call);
  if (writer.inEffect && (await writer.inEffect(clients, call.params))) return 'unchanged';
  try {
    const out = await writer.send(clients, call.params);
    return (out as { unchanged?: boolean } | undefined)?.unchanged ? 'unchanged' : 'applied';
  } catch (err) {
    if (writer.alreadyDone?.(err)) return 'unchanged';
    throw err;
  }
}

function refuseUnverified(plan: FixPlan): void {
  if (!verifyPlanHash(plan)) throw new PlanRefused('the fix plan does not match its hash (it was changed after it was made); diagnose again for a fresh plan');
  for (const step of plan.steps) {
    writerFor(step.call);
    writerFor(step.undo);
  }
}

/**
 * Applies the plan's steps in order. Returns one entry per step (and per rollback); a failed step is
 * `failed`, the steps before it that this run changed are undone (`rolled-back`), the ones after
 * it `not-run`. Throws PlanRefused, before any call, when the hash does not verify.
 */
export async function applyPlan(plan: FixPlan, clients: RemediationClients, log: Log): Promise<AppliedStep[]> {
  refuseUnverified(plan);
  const results: AppliedStep[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const operation = `${step.call.service}:${step.call.operation}`;
    log(`esm-doctor fix: calling ${operation}: ${step.command}`);
    try {
      const status = await run(step.call, clients);
      log(status === 'applied' ? `esm-doctor fix: done: ${step.effect}` : `esm-doctor fix: already in place, nothing changed: ${step.effect}`);
      log(`esm-doctor fix: undo with: ${step.undoCommand}`);
      results.push({ index, operation, status, command: step.command });
    } catch (err) {
      const error = message(err);
      log(`esm-doctor fix: FAILED ${operation}: ${error}`);
      results.push({ index, operation, status: 'failed', command: step.command, error });
      for (let rest = index + 1; rest < plan.steps.length; rest++) {
        const s = plan.steps[rest]!;
        results.push({ index: rest, operation: `${s.call.service}:${s.call.operation}`, status: 'not-run', command: s.command });
      }
      await rollback(plan, results.filter((r) => r.status === 'applied').map((r) => r.index), clients, log, results);
      break;
    }
  }
  return results;
}

async function rollback(plan: FixPlan, indexes: number[], clients: RemediationClients, log: Log, results: AppliedStep[]): Promise<void> {
  for (const index of [...indexes].reverse()) {
    const step = plan.steps[index]!;
    const operation = `${step.undo.service}:${step.undo.operation}`;
    log(`esm-doctor fix: rolling back step ${index + 1}: ${operation}: ${step.undoCommand}`);
    try {
      await run(step.undo, clients);
      log(`esm-doctor fix: rolled back step ${index + 1}`);
      results.push({ index, operation, status: 'rolled-back', command: step.undoCommand });
    } catch (err) {
      const error = message(err);
      log(`esm-doctor fix: ROLLBACK FAILED for step ${index + 1} (${error}); run it yourself: ${step.undoCommand}`);
      results.push({ index, operation, status: 'rollback-failed', command: step.undoCommand, error });
    }
  }
}

/**
 * Undoes every step of the plan, newest first (an undo whose change is already gone is `unchanged`,
 * reported as `undone`). Every undo runs even when one fails, so as much as possible is restored.
 */
export async function undoPlan(plan: FixPlan, clients: RemediationClients, log: Log): Promise<AppliedStep[]> {
  refuseUnverified(plan);
  const results: AppliedStep[] = [];
  for (const [index, step] of [...plan.steps.entries()].reverse()) {
    const operation = `${step.undo.service}:${step.undo.operation}`;
    log(`esm-doctor fix: undoing step ${index + 1}: ${operation}: ${step.undoCommand}`);
    try {
      const status = await run(step.undo, clients);
      log(status === 'applied' ? `esm-doctor fix: undone step ${index + 1}` : `esm-doctor fix: step ${index + 1} was not in effect, nothing to undo`);
      results.push({ index, operation, status: 'undone', command: step.undoCommand });
    } catch (err) {
      const error = message(err);
      log(`esm-doctor fix: UNDO FAILED for step ${index + 1}: ${error}`);
      results.push({ index, operation, status: 'undo-failed', command: step.undoCommand, error });
    }
  }
  return results;
}

/** True when every step is in effect: applied now or already. */
export function planApplied(results: readonly AppliedStep[]): boolean {
  return results.length > 0 && results.every((r) => r.status === 'applied' || r.status === 'unchanged');
}
