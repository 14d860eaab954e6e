/**
 * What a check needs from the snapshot, said once: need() answers a fact's value or the `error`
 * outcome (not collected: the call to allow; could not read: the error and the permission), and
 * defineCheck's `needs` answers that outcome without running the check.
 */
import { defineCheck, need, pass, skip, type Outcome } from '../../../bot/checks/check';
import { roleTrust, iamExecutionRole } from '../../../bot/checks/iam';
import { consumerGroupUnique } from '../../../bot/checks/topic';
import { functionConcurrency, functionState } from '../../../bot/checks/function';
import { mskCluster } from '../../../bot/checks/msk';
import type { Fact, Snapshot } from '../../../bot/model/snapshot';
import { mskIamHealthy } from '../../../scenarios/base';

const denied = <T>(action: string): Fact<T> => ({
  ok: false,
  source: action,
  error: { code: 'AccessDeniedException', message: `User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: ${action}`, action, httpStatus: 403 },
});

describe('need', () => {
  it('gives the value of a fact that was read', () => {
    expect(need<number>({ ok: true, source: 'x:Get', value: 7 }, 'the thing', 'x:Get')).toEqual({ ok: true, value: 7 });
  });

  it('answers a fact the snapshot does not hold with an error naming the call to allow', () => {
    const n = need<number>(undefined, 'the other event source mappings', 'lambda:ListEventSourceMappings');
    expect(n.ok).toBe(false);
    const out = (n as { outcome: Outcome }).outcome;
    expect(out.status).toBe('error');
    expect(out.title).toBe('Could not check: the other event source mappings is not in the snapshot');
    expect(out.fix).toContain('lambda:ListEventSourceMappings');
  });

  it('answers a denied call with an error naming the permission to grant', () => {
    const out = (need(denied('iam:GetRole'), 'the execution role\'s trust policy', 'iam:GetRole') as { outcome: Outcome }).outcome;
    expect(out.status).toBe('error');
    expect(out.title).toContain('AccessDeniedException');
    expect(out.fix).toContain('Grant the identity running esm-doctor iam:GetRole');
  });

  it('lets an error that is itself the answer become the check\'s outcome, and falls back for the others', () => {
    const gone: Fact<number> = { ok: false, source: 'x:Get', error: { code: 'NotFoundException', message: 'gone' } };
    const whenFailed = (e: { code: string }) => (e.code === 'NotFoundException' ? skip('It is gone.') : undefined);
    expect(need(gone, 'the thing', 'x:Get', whenFailed)).toEqual({ ok: false, outcome: skip('It is gone.') });
    const out = (need(denied<number>('x:Get'), 'the thing', 'x:Get', whenFailed) as { outcome: Outcome }).outcome;
    expect(out.status).toBe('error');
  });
});

describe('defineCheck with needs', () => {
  const seen: number[] = [];
  const check = defineCheck({
    id: 'made.up',
    step: 4,
    title: 'A made-up check',
    needs: (s: Snapshot) => need(s.concurrency, 'the function\'s reserved concurrency', 'lambda:GetFunctionConcurrency'),
    run(_snapshot, concurrency): Outcome {
      seen.push(concurrency.ReservedConcurrentExecutions ?? -1);
      return pass(`reserved ${concurrency.ReservedConcurrentExecutions}`);
    },
  });

  it('runs the check with what it needs', () => {
    const s = mskIamHealthy();
    s.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 12 } };
    expect(check.run(s)).toEqual(pass('reserved 12'));
    expect(seen).toEqual([12]);
  });

  it('answers the outcome instead, without running the check, when it is missing', () => {
    const s = mskIamHealthy();
    delete s.concurrency;
    expect(check.run(s).status).toBe('error');
    expect(seen).toEqual([12]);
  });
});

describe('the checks that need a fact', () => {
  it.each([
    ['role.trust', roleTrust, 'role', 'iam:GetRole'],
    ['iam.execution-role', iamExecutionRole, 'permissions', 'iam:SimulatePrincipalPolicy'],
    ['consumer-group.unique', consumerGroupUnique, 'siblings', 'lambda:ListEventSourceMappings'],
    ['function.concurrency', functionConcurrency, 'concurrency', 'lambda:GetFunctionConcurrency'],
    ['function.state', functionState, 'function', 'lambda:GetFunction'],
    ['msk.cluster', mskCluster, 'cluster', 'kafka:DescribeClusterV2'],
  ] as const)('%s answers error when its fact is missing (naming the call) and when the call is denied (naming the permission)', (_id, check, key, action) => {
    const missing = mskIamHealthy() as unknown as Record<string, unknown>;
    delete missing[key];
    const absent = check.run(missing as unknown as Snapshot);
    expect([absent.status, absent.fix]).toEqual(['error', expect.stringContaining(action)]);

    const deniedSnap = { ...mskIamHealthy(), [key]: denied(action) } as Snapshot;
    const out = check.run(deniedSnap);
    expect([out.status, out.fix]).toEqual(['error', `Grant the identity running esm-doctor ${action} (read-only), then re-run.`]);
  });
});
