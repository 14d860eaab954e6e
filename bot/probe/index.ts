/**
 * The probe, as the engine uses it: run it here (`--probe`) or invoke the deployed probe function
 * in the ESM's network position (`--probe=remote`, function name from ESM_DOCTOR_PROBE_FUNCTION),
 * and return its result as a Snapshot fact — an invoke that is denied or fails becomes an error
 * fact, like any other fact that could not be read.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PROBE_FUNCTIONS_ENV, probeFunctionFor } from './position';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Fact, Snapshot } from '../model/snapshot';
import { secretsManagerReader } from './credentials';
import { probeRequestOf, type ProbeRequest } from './plan';
import { runProbe, type ProbeOptions } from './run';
import { ProbeResult } from './schema';
import { firstIssue } from '../model/parse-issues';

export { runProbe, type ProbeOptions } from './run';
export { planProbe, probeRequestOf, ProbeRequest, type ProbePlan } from './plan';
export { ProbeResult, probeStep, PROBE_STEPS, PROBE_STEP_NUMBERS, type ProbeStep, type ProbeStepName } from './schema';
export type { SecretReader } from './credentials';

export type ProbeMode = 'local' | 'remote';

export const PROBE_FUNCTION_ENV = 'ESM_DOCTOR_PROBE_FUNCTION';
export const REMOTE_BUDGET_MS = 15_000;

export interface ProbeSnapshotOptions {
  mode: ProbeMode;
  env?: Record<string, string | undefined>;
  /** Local: reads the ESM's secrets (in memory only). */
  secretsManager?: SecretsManagerClient;
  /** Remote: invokes the probe function. */
  lambda?: LambdaClient;
  budgetMs?: number;
  /** Further options for a local run (tests inject a resolver, a secret reader, an IAM token). */
  local?: ProbeOptions;
}

/** The house SDK clients (AWS_ENDPOINT_URL and retries honoured), made only when none was injected. */
async function defaultClients(region: string, env: Record<string, string | undefined> | undefined) {
  const { createClients } = await import('../collect/clients');
  return createClients(region, env ? { env } : {});
}

/** Runs the probe for a Snapshot and returns the `probe` fact. Never throws. */
export async function probeSnapshot(snapshot: Snapshot, options: ProbeSnapshotOptions): Promise<Fact<ProbeResult>> {
  // Remote: the invoke carries the function's cold start and the SDK's 20 s request timeout, so the probe gets 15 s.
  const request = probeRequestOf(snapshot, options.budgetMs ?? (options.mode === 'remote' ? REMOTE_BUDGET_MS : undefined));
  if (options.mode === 'remote') return invokeRemoteProbe(request, options);
  const source = 'probe:local';
  try {
    const readSecret = options.local?.readSecret ?? secretsManagerReader(options.secretsManager ?? (await defaultClients(request.target.region, options.env)).secretsManager);
    const caller = snapshot.caller?.ok ? snapshot.caller.value.Arn : undefined;
    const result = await runProbe(request, {
      ...(caller ? { signedBy: caller } : {}),
      ...options.local,
      readSecret,
      where: { mode: 'local' },
    });
    return { ok: true, source, value: result };
  } catch (err) {
    return { ok: false, source, error: { code: 'ProbeFailed', message: `the probe stopped unexpectedly: ${err instanceof Error ? err.name : 'Error'}` } };
  }
}

/** Invokes the deployed probe function (RequestResponse) with the ESM's configuration; its answer is a ProbeResult. */
export async function invokeRemoteProbe(request: ProbeRequest, options: ProbeSnapshotOptions): Promise<Fact<ProbeResult>> {
  const source = 'lambda:InvokeFunction';
  const env = options.env ?? process.env;
  const choice = probeFunctionFor(request, env, PROBE_FUNCTION_ENV);
  if (!choice || 'problem' in choice) {
    return {
      ok: false,
      source,
      error: {
        code: 'ProbeFunctionNotConfigured',
        message: choice?.problem ?? `--probe=remote needs the probe function's name or ARN in ${PROBE_FUNCTION_ENV} or ${PROBE_FUNCTIONS_ENV} (deploy infra/constructs/probe-function.ts)`,
        action: source,
      },
    };
  }
  const { functionName } = choice;
  try {
    const lambda = options.lambda ?? (await defaultClients(request.target.region, env)).lambda;
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }));
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) {
      let message = out.FunctionError;
      try {
        const e = JSON.parse(text) as { errorType?: string; errorMessage?: string };
        message = `${e.errorType ?? out.FunctionError}: ${e.errorMessage ?? ''}`.trim();
      } catch {
        // keep the FunctionError label
      }
      return { ok: false, source, error: { code: 'ProbeFunctionError', message: `${functionName} failed: ${message}`, action: source } };
    }
    const parsed = ProbeResult.safeParse(JSON.parse(text));
    if (!parsed.success) {
      return { ok: false, source, error: { code: 'ProbeResultInvalid', message: `${functionName} answered something that is not a probe result (${firstIssue(parsed.error)})`, action: source } };
    }
    return { ok: true, source, value: { ...parsed.data, where: { ...parsed.data.where, mode: 'remote', functionName } } };
  } catch (err) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return {
      ok: false,
      source,
      error: {
        code: e?.name ?? 'Error',
        message: e?.message ?? String(err),
        action: source,
        ...(e?.$metadata?.httpStatusCode ? { httpStatus: e.$metadata.httpStatusCode } : {}),
      },
    };
  }
}
