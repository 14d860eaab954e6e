import { conditionKeys, conditionsOf, decodePolicyDocument, endpointPolicyAllows } from '../../../../bot/checks/lib/policy';
import { ACCOUNT, VPC_ID } from '../../../../scenarios/base';
import { FULL_ACCESS_POLICY } from '../network-fixtures';

describe('endpointPolicyAllows', () => {
  const assume = { action: 'sts:AssumeRole', principal: { service: 'lambda.amazonaws.com' }, resource: `arn:aws:iam::${ACCOUNT}:role/orders-consumer-role` };
  const policy = (statement: object | object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

  it('allows with no policy or the default full-access policy', () => {
    expect(endpointPolicyAllows(undefined, assume).decision).toBe('allow');
    expect(endpointPolicyAllows(FULL_ACCESS_POLICY, assume).decision).toBe('allow');
  });

  it('allows the documented Lambda statement, with action wildcards', () => {
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }), assume).decision).toBe('allow');
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:*'], Resource: '*' }), assume).decision).toBe('allow');
  });

  it('denies when the only statement names an IAM role, not the Lambda service', () => {
    const v = endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, Action: 'sts:AssumeRole', Resource: '*' }), assume);
    expect(v).toEqual({ decision: 'deny', reason: 'no statement allows sts:AssumeRole to lambda.amazonaws.com' });
  });

  it('denies when the allow is restricted to an organization (a service principal has none)', () => {
    const v = endpointPolicyAllows(
      policy({ Sid: 'OrgOnly', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
      assume,
    );
    expect(v.decision).toBe('deny');
    expect(v.reason).toContain('statement "OrgOnly"');
    expect(v.reason).toContain('aws:principalorgid');
  });

  it('denies through a "deny unless in my organization" statement', () => {
    const v = endpointPolicyAllows(
      policy([
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } },
      ]),
      assume,
    );
    expect(v.decision).toBe('deny');
  });

  it('lets the execution role through an organization condition (the role is in your organization)', () => {
    const v = endpointPolicyAllows(
      policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
      { action: 'secretsmanager:GetSecretValue', principal: { arn: `arn:aws:iam::${ACCOUNT}:role/r`, account: ACCOUNT } },
    );
    expect(v.decision).toBe('allow');
  });

  it('is unclear about conditions it cannot evaluate', () => {
    const v = endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': VPC_ID } } }), assume);
    expect(v.decision).toBe('unclear');
  });

  it('applies explicit denies over allows, and NotAction', () => {
    expect(
      endpointPolicyAllows(policy([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: '*' }]), {
        action: 'lambda:InvokeFunction',
        principal: { service: 'lambda.amazonaws.com' },
      }).decision,
    ).toBe('deny');
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', NotAction: 'sts:AssumeRole', Resource: '*' }), assume).decision).toBe('deny');
  });

  it('reads a URL-encoded policy document too', () => {
    expect(endpointPolicyAllows(encodeURIComponent(FULL_ACCESS_POLICY), assume).decision).toBe('allow');
  });
});

describe('one policy reader for IAM and endpoint policies', () => {
  const doc = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b%41' } } }] };
  const req = { action: 'sts:AssumeRole', principal: { service: 'lambda.amazonaws.com' } };

  it('reads a URL-encoded document (as IAM returns it) and a plain one alike', () => {
    const plain = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*', Resource: '*' }] });
    expect(endpointPolicyAllows(encodeURIComponent(plain), req).decision).toBe('allow');
    expect(endpointPolicyAllows(plain, req).decision).toBe('allow');
  });

  it('keeps a literal %xx of a plain JSON document as written', () => {
    const decoded = decodePolicyDocument(JSON.stringify(doc));
    expect(decoded.ok && decoded.document.Statement[0]!.Condition).toEqual({ StringEquals: { 'aws:SourceVpce': 'vpce-0a1b%41' } });
  });

  it('gives each condition key with its operator, and the keys alone for the IAM checks', () => {
    const statement = { Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' }, Bool: { 'aws:SecureTransport': 'true' } } };
    expect(conditionsOf(statement)).toEqual([
      { operator: 'StringNotEquals', key: 'aws:principalorgid' },
      { operator: 'Bool', key: 'aws:securetransport' },
    ]);
    expect(conditionKeys(statement)).toEqual(['aws:principalorgid', 'aws:securetransport']);
  });

  it('says why an unreadable endpoint policy leaves the answer unclear', () => {
    expect(endpointPolicyAllows('{"Version":"2012-10-17"', req)).toMatchObject({ decision: 'unclear', reason: expect.stringContaining('not valid JSON') });
  });
});
