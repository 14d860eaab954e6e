/**
 * Which probe function replays an ESM's connection: one is deployed per network position
 * (infra/constructs/probe-function.ts), so with two or more the engine needs the ESM's own. The
 * stack passes them as ESM_DOCTOR_PROBE_FUNCTIONS, a JSON object from position key to function;
 * ESM_DOCTOR_PROBE_FUNCTION (one function for every ESM) still works on its own.
 */
import { z } from 'zod';
import { esmPlacement } from '../model/esm';
import type { ProbeRequest } from './plan';

export const PROBE_FUNCTIONS_ENV = 'ESM_DOCTOR_PROBE_FUNCTIONS';

/**
 * `internet`, or the sorted subnets and security groups joined (`subnet-a,subnet-b|sg-1`): the
 * subnets name the VPC, so this matches the stack's per-position key without the VPC id.
 */
export function probePositionKey(placement: { kind: string; subnetIds: string[]; securityGroupIds: string[] } | undefined): string {
  if (!placement || placement.kind === 'internet') return 'internet';
  return `${[...placement.subnetIds].sort().join(',')}|${[...placement.securityGroupIds].sort().join(',')}`;
}

const FunctionMap = z.record(z.string().min(1), z.string().min(1));

export type ProbeFunctionChoice = { functionName: string } | { problem: string };

/** The probe function for this ESM's position, from the environment. */
export function probeFunctionFor(request: ProbeRequest, env: Record<string, string | undefined>, singleEnv: string): ProbeFunctionChoice | undefined {
  const raw = env[PROBE_FUNCTIONS_ENV];
  if (raw) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { problem: `${PROBE_FUNCTIONS_ENV} is not JSON (an object from network position to probe function)` };
    }
    const map = FunctionMap.safeParse(json);
    if (!map.success) return { problem: `${PROBE_FUNCTIONS_ENV} must be an object from network position to probe function name` };
    const key = probePositionKey(esmPlacement(request.esm, request.cluster));
    const functionName = map.data[key];
    if (functionName) return { functionName };
    if (!env[singleEnv]) return { problem: `no probe function is deployed for this ESM's network position (${key}); add it to the stack's probeTargets` };
  }
  return env[singleEnv] ? { functionName: env[singleEnv]! } : undefined;
}
