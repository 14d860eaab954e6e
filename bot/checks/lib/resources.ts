/**
 * The names a finding gives its resources and its fix commands: the ESM's ARN, its region, the
 * function's name. Taken from the snapshot, never guessed.
 */
import { brokerList, functionNameFromArn } from '../../model/esm';
import { esmArn } from '../../model/target';
import type { Snapshot } from '../../model/snapshot';
import { need, valueOf, type Needed } from '../check';

export function accountOf(snapshot: Snapshot): string | undefined {
  return snapshot.target.account ?? valueOf(snapshot.caller)?.Account;
}

/** The ESM's ARN (or, failing that, its UUID) for `resources` and details. */
export function esmArnOf(snapshot: Snapshot): string {
  return snapshot.esm.EventSourceMappingArn ?? esmArn(snapshot.target, accountOf(snapshot)) ?? snapshot.esm.UUID;
}

/** The ESM's region: the function's (an ESM lives in its function's region). */
export function regionOf(snapshot: Snapshot): string {
  return snapshot.esm.FunctionArn.split(':')[3] || snapshot.target.region;
}

export function functionNameOf(snapshot: Snapshot): string {
  return valueOf(snapshot.function)?.Configuration.FunctionName ?? functionNameFromArn(snapshot.esm.FunctionArn);
}

/** The region field of an ARN (arn:partition:service:region:account:...). */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' ? parts[3] || undefined : undefined;
}

export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' ? parts[4] || undefined : undefined;
}

/**
 * MSK's broker strings (GetBootstrapBrokers, one field per listener) and the brokers of the field
 * Lambda's auth mode connects through: what msk.bootstrap and auth.port both start from.
 */
export function mskBrokers(snapshot: Snapshot, field: string): Needed<{ strings: Record<string, unknown>; brokers: string[] }> {
  const f = need(snapshot.bootstrapBrokers, 'the broker strings', 'kafka:GetBootstrapBrokers');
  if (!f.ok) return f;
  const strings = f.value as Record<string, unknown>;
  const raw = strings[field];
  return { ok: true, value: { strings, brokers: brokerList(typeof raw === 'string' ? raw : undefined) } };
}
