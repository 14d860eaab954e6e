import { roleArnOf, roleNameOf } from '../../bot/model/role';
import { ROLE_ARN, mskIamHealthy } from '../../scenarios/base';

describe('the execution role, derived once', () => {
  it('takes the ARN and name GetRole answered', () => {
    expect(roleArnOf(mskIamHealthy())).toBe(ROLE_ARN);
    expect(roleNameOf(mskIamHealthy())).toBe('orders-consumer-role');
  });

  it('falls back to GetFunction\'s Configuration.Role when GetRole was denied, dropping the path from the name', () => {
    const s = mskIamHealthy();
    s.role = { ok: false, source: 'iam:GetRole', error: { code: 'AccessDenied', message: 'denied', action: 'iam:GetRole' } };
    if (s.function?.ok) s.function.value.Configuration.Role = 'arn:aws:iam::123456789012:role/service-role/orders-consumer-role-x1y2';
    expect(roleArnOf(s)).toBe('arn:aws:iam::123456789012:role/service-role/orders-consumer-role-x1y2');
    expect(roleNameOf(s)).toBe('orders-consumer-role-x1y2');
  });

  it('has none when neither fact was read', () => {
    const s = mskIamHealthy();
    delete s.role;
    s.function = { ok: false, source: 'lambda:GetFunction', error: { code: 'AccessDenied', message: 'denied', action: 'lambda:GetFunction' } };
    expect(roleArnOf(s)).toBeUndefined();
    expect(roleNameOf(s)).toBeUndefined();
  });
});
