/**
 * The probe function: deployed into the ESM's own network position (infra/constructs/probe-function.ts)
 * and invoked by the engine with `--probe=remote`. Validates the event, replays the connection,
 * returns the ProbeResult. Secrets are read with this function's role, in memory only.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerReader } from '../probe/credentials';
import { ProbeRequest } from '../probe/plan';
import { runProbe } from '../probe/run';
import type { ProbeResult } from '../probe/schema';
import { ParseFailure } from '../model/parse-issues';

// One client per container, created once (Powertools' habit).
const secretsManager = new SecretsManagerClient({});

export async function handler(event: unknown): Promise<ProbeResult> {
  const parsed = ProbeRequest.safeParse(event);
  if (!parsed.success) throw new ParseFailure('invalid probe request', parsed.error);
  return runProbe(parsed.data, {
    readSecret: secretsManagerReader(secretsManager),
    where: { mode: 'remote', ...(process.env.AWS_LAMBDA_FUNCTION_NAME ? { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME } : {}) },
    signedBy: 'the probe function\'s execution role (not the ESM\'s)',
  });
}
