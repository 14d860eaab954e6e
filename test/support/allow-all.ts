/**
 * Every requirement of the ESM answered "allowed". For unit tests of how a check reads simulation
 * results (allow all, then deny one action and expect that action named), not for deciding whether
 * a role is right: the scenarios decide that from the role's real policies (scenarios/roles.ts).
 */
import { ACCOUNT } from '../../scenarios/base';
import { requiredPermissions } from '../../bot/model/permissions';
import type { EvaluationResult, Snapshot } from '../../bot/model/snapshot';

export function allowAll(snapshot: Snapshot): EvaluationResult[] {
  const cluster = snapshot.cluster?.ok ? snapshot.cluster.value : undefined;
  const secretKeys: Record<string, string | undefined> = {};
  for (const s of snapshot.secrets) {
    if (s.kmsKey?.ok && s.kmsKey.value.KeyManager === 'CUSTOMER') secretKeys[s.arn] = s.kmsKey.value.Arn;
  }
  const destKey = snapshot.destinationEncryption?.ok && snapshot.destinationEncryption.value.key?.ok ? snapshot.destinationEncryption.value.key.value : undefined;
  const destinationKey = destKey && destKey.KeyManager !== 'AWS' ? destKey.Arn : undefined;
  return requiredPermissions({ esm: snapshot.esm, cluster, region: snapshot.target.region, account: ACCOUNT, secretKeys, ...(destinationKey ? { destinationKey } : {}) }).map((r) => ({
    EvalActionName: r.action,
    EvalResourceName: r.resource,
    EvalDecision: 'allowed',
  }));
}
