/**
 * The scenarios' simulated IAM answers come from the policies their roles really have
 * (scenarios/roles.ts), not from what esm-doctor computes it needs: here, that they allow what a
 * correct role allows and deny what it does not.
 */
import { mskIamHealthy, selfManagedScramHealthy } from '../../scenarios/base';
import { AWS_LAMBDA_MSK_EXECUTION_ROLE, simulateRole } from '../../scenarios/roles';

const denied = (results: Array<{ EvalActionName: string; EvalResourceName?: string; EvalDecision: string }>) =>
  results.filter((r) => r.EvalDecision !== 'allowed').map((r) => `${r.EvalActionName} ${r.EvalResourceName ?? ''}`.trim());

describe('the scenarios\' execution roles', () => {
  it('allow everything the healthy baselines ask, by their policies', () => {
    for (const s of [mskIamHealthy(), selfManagedScramHealthy()]) {
      const value = s.permissions?.ok ? s.permissions.value : [];
      expect(value.length).toBeGreaterThan(5);
      expect(denied(value)).toEqual([]);
    }
  });

  it('deny what the policies do not grant: another topic, or the managed policy alone under IAM auth', () => {
    const s = mskIamHealthy();
    s.esm.Topics = ['payments'];
    expect(denied(simulateRole(s))).toEqual([
      'kafka-cluster:DescribeTopic arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/payments',
      'kafka-cluster:ReadData arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/payments',
    ]);
    expect(denied(simulateRole(mskIamHealthy(), [AWS_LAMBDA_MSK_EXECUTION_ROLE])).every((d) => d.startsWith('kafka-cluster:'))).toBe(true);
    expect(denied(simulateRole(mskIamHealthy(), [AWS_LAMBDA_MSK_EXECUTION_ROLE]))).toHaveLength(6);
  });

  it('let an explicit Deny win over an Allow', () => {
    const deny = { name: 'deny-logs', Statement: [{ Effect: 'Deny' as const, Action: ['logs:*'], Resource: ['*'] }] };
    const results = simulateRole(mskIamHealthy(), [AWS_LAMBDA_MSK_EXECUTION_ROLE, deny]);
    expect(results.filter((r) => r.EvalActionName.startsWith('logs:')).map((r) => r.EvalDecision)).toEqual(['explicitDeny', 'explicitDeny', 'explicitDeny']);
  });
});
