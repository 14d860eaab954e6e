import { functionConcurrency, functionState, checks as functionChecks } from '../../../bot/checks/function';
import type { FunctionInfo, Snapshot } from '../../../bot/model/snapshot';
import { ESM_UUID, FUNCTION_ARN, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

function withConfiguration(patch: Partial<FunctionInfo['Configuration']>): Snapshot {
  const snap = mskIamHealthy();
  if (snap.function?.ok) Object.assign(snap.function.value.Configuration, patch);
  return snap;
}

function withReserved(n: number | undefined): Snapshot {
  const snap = mskIamHealthy();
  snap.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: n === undefined ? {} : { ReservedConcurrentExecutions: n } };
  return snap;
}

describe('function.state', () => {
  it('passes when the function is Active and its last update succeeded', () => {
    const out = functionState.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.resources).toEqual([FUNCTION_ARN]);
  });

  it('fails when GetFunction answers ResourceNotFoundException', () => {
    const snap = mskIamHealthy();
    snap.function = { ok: false, source: 'lambda:GetFunction', error: { code: 'ResourceNotFoundException', message: `Function not found: ${FUNCTION_ARN}`, action: 'lambda:GetFunction', httpStatus: 404 } };
    const out = functionState.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(FUNCTION_ARN);
    expect(out.resources).toEqual([FUNCTION_ARN]);
    expect(out.fix).toContain(`aws lambda delete-event-source-mapping --uuid ${ESM_UUID} --region eu-west-1`);
  });

  it('fails when the function is Failed, with its StateReason and a fix for the reason code', () => {
    const out = functionState.run(withConfiguration({ State: 'Failed', StateReasonCode: 'SubnetOutOfIPAddresses', StateReason: 'All subnets in the Lambda function configuration are out of IP addresses.' }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('Failed');
    expect(out.detail).toContain('SubnetOutOfIPAddresses: All subnets in the Lambda function configuration are out of IP addresses.');
    expect(out.fix).toContain('Free IP addresses');
    expect(out.fix).toContain('aws lambda update-function-configuration --function-name orders-consumer');
  });

  it('fails when the function is Inactive for a reason other than idleness', () => {
    const out = functionState.run(withConfiguration({ State: 'Inactive', StateReasonCode: 'InvalidSecurityGroup', StateReason: 'The security group sg-0bad does not exist.' }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('InvalidSecurityGroup');
  });

  it('warns when the function is Inactive after being idle', () => {
    const out = functionState.run(withConfiguration({ State: 'Inactive', StateReasonCode: 'Idle', StateReason: 'The function is inactive because it has not been invoked recently.' }));
    expect(out.status).toBe('warn');
  });

  it('warns while the function is Pending', () => {
    const out = functionState.run(withConfiguration({ State: 'Pending', StateReasonCode: 'Creating', StateReason: 'The function is being created.' }));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('Pending');
  });

  // Lambda docs (functions-states): a failed update leaves the function Active on its previous code
  // and configuration, so the ESM keeps invoking it. A risk to fix, not a breakage.
  it('warns (not fails) when the last update failed but the function is Active, with its reason', () => {
    const out = functionState.run(withConfiguration({ State: 'Active', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'KMSKeyAccessDenied', LastUpdateStatusReason: 'Lambda was unable to decrypt the environment variables.' }));
    expect(out.status).toBe('warn');
    expect(out.title).toContain('last update failed');
    expect(out.detail).toContain('previous code and configuration');
    expect(out.detail).toContain('KMSKeyAccessDenied: Lambda was unable to decrypt the environment variables.');
    expect(out.fix).toContain('kms:Decrypt');
  });

  it('fails when the last update failed and the function is not Active either', () => {
    const out = functionState.run(withConfiguration({ State: 'Inactive', StateReasonCode: 'EniLimitExceeded', LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'EniLimitExceeded' }));
    expect(out.status).toBe('fail');
  });

  it('passes with a note while an update is in progress', () => {
    const out = functionState.run(withConfiguration({ LastUpdateStatus: 'InProgress' }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('in progress');
  });

  it('reports an error when GetFunction was denied', () => {
    const snap = mskIamHealthy();
    snap.function = { ok: false, source: 'lambda:GetFunction', error: { code: 'AccessDeniedException', message: 'not authorized', action: 'lambda:GetFunction' } };
    const out = functionState.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('lambda:GetFunction');
  });
});

describe('function.concurrency', () => {
  it('passes when nothing is reserved', () => {
    const out = functionConcurrency.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('no reserved concurrency');
  });

  it('fails when reserved concurrency is 0, with the delete and put commands', () => {
    const out = functionConcurrency.run(withReserved(0));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('every invoke is throttled');
    expect(out.detail).toContain(FUNCTION_ARN);
    expect(out.resources).toEqual([FUNCTION_ARN]);
    expect(out.fix).toContain('aws lambda delete-function-concurrency --function-name orders-consumer --region eu-west-1');
    expect(out.fix).toContain('aws lambda put-function-concurrency --function-name orders-consumer --reserved-concurrent-executions');
  });

  it('warns when reserved concurrency 1 is below the topic\'s 12 partitions', () => {
    const out = functionConcurrency.run(withReserved(1));
    expect(out.status).toBe('warn');
    expect(out.title).toContain('12 partitions');
    expect(out.fix).toContain('--reserved-concurrent-executions 12');
  });

  it('passes when reserved concurrency covers every partition', () => {
    expect(functionConcurrency.run(withReserved(12)).status).toBe('pass');
  });

  it('passes with a note when the partition count is unknown', () => {
    const snap = selfManagedScramHealthy();
    snap.concurrency = { ok: true, source: 'lambda:GetFunctionConcurrency', value: { ReservedConcurrentExecutions: 1 } };
    const out = functionConcurrency.run(snap);
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('partition count is unknown');
  });

  it('reports an error when GetFunctionConcurrency failed', () => {
    const snap = mskIamHealthy();
    snap.concurrency = { ok: false, source: 'lambda:GetFunctionConcurrency', error: { code: 'TooManyRequestsException', message: 'Rate exceeded', action: 'lambda:GetFunctionConcurrency' } };
    expect(functionConcurrency.run(snap).status).toBe('error');
  });
});

describe('function checks on the healthy baselines', () => {
  it.each([['MSK IAM', mskIamHealthy()], ['self-managed SCRAM', selfManagedScramHealthy()]])('all pass on %s', (_name, snap) => {
    for (const check of functionChecks) expect(check.run(snap).status).toBe('pass');
  });
});
