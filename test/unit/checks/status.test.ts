import { esmLastResult, esmState, decodeLastProcessingResult, stuckTransition, checks as statusChecks } from '../../../bot/checks/status';
import { checks as iamChecks } from '../../../bot/checks/iam';
import { checks as egressChecks } from '../../../bot/checks/egress';
import { evaluate } from '../../../bot/checks/engine';
import type { Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_SG, ESM_UUID, SUBNETS, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

const statusAndEgress = [...statusChecks, ...egressChecks];
const ESM_ARN = `arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:${ESM_UUID}`;

function withEsm(patch: Partial<Snapshot['esm']>, base: Snapshot = mskIamHealthy()): Snapshot {
  return { ...base, esm: { ...base.esm, ...patch } };
}

/** LastModified `minutes` before the snapshot's collectedAt (2026-11-20T09:14:03Z). */
function minutesBefore(minutes: number): string {
  return new Date(Date.parse('2026-11-20T09:14:03.000Z') - minutes * 60_000).toISOString();
}

describe('esm.state', () => {
  it('passes when the mapping is Enabled', () => {
    const out = esmState.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('Enabled');
  });

  it('fails when Lambda disabled the mapping with EVENT_SOURCE_AUTHN_ERROR, explaining the code and giving the re-enable command', () => {
    const out = esmState.run(withEsm({ State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('EVENT_SOURCE_AUTHN_ERROR');
    expect(out.detail).toContain('could not authenticate');
    expect(out.detail).toContain(ESM_ARN);
    expect(out.resources).toEqual([ESM_ARN]);
    expect(out.fix).toContain(`aws lambda update-event-source-mapping --uuid ${ESM_UUID} --enabled --region eu-west-1`);
    expect(out.related).toContain('auth.mode');
  });

  it.each([
    ['ESM_CONFIG_NOT_VALID', 'configuration cannot be used'],
    ['EVENT_SOURCE_AUTHZ_ERROR', 'not allowed to use the source'],
    ['FUNCTION_CONFIG_NOT_VALID', 'function cannot be invoked'],
  ])('fails when Lambda disabled the mapping with %s', (code, meaning) => {
    const out = esmState.run(withEsm({ State: 'Disabled', StateTransitionReason: code }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(meaning);
    expect(out.fix).toContain('--enabled');
  });

  it('finds the code inside a longer StateTransitionReason', () => {
    const out = esmState.run(withEsm({ State: 'Disabled', StateTransitionReason: 'Lambda disabled: EVENT_SOURCE_AUTHZ_ERROR.' }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('EVENT_SOURCE_AUTHZ_ERROR');
  });

  it.each(['USER_INITIATED', 'User action'])('warns when a user disabled the mapping (%s)', (reason) => {
    const out = esmState.run(withEsm({ State: 'Disabled', StateTransitionReason: reason }));
    expect(out.status).toBe('warn');
    expect(out.title).toContain('disabled by a user');
    expect(out.fix).toContain('--enabled');
  });

  it('fails at step 0 when the mapping has been Creating for 40 minutes, with what usually causes it', () => {
    const out = esmState.run(withEsm({ State: 'Creating', LastModified: minutesBefore(40) }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('stuck Creating for 40 minutes');
    expect(out.detail).toContain('ResourceInUseException');
    expect(out.detail).toMatch(/execution role|permission/);
    expect(out.remedy?.commands).toContain(`aws lambda get-event-source-mapping --uuid ${ESM_UUID} --region eu-west-1`);
    expect(out.remedy?.commands).toContain(`aws lambda delete-event-source-mapping --uuid ${ESM_UUID} --region eu-west-1`);
    expect(out.related).toEqual(expect.arrayContaining(['role.trust', 'iam.execution-role', 'network.subnets']));
  });

  it.each(['Enabling', 'Updating', 'Disabling'])('fails when the mapping is stuck %s for more than 15 minutes', (state) => {
    const out = esmState.run(withEsm({ State: state, LastModified: minutesBefore(16) }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain(`${state} for 16 minutes`);
    expect(out.remedy?.summary).toBeTruthy();
  });

  it('names the ENI clean-up permissions for a mapping stuck Disabling', () => {
    const out = esmState.run(withEsm({ State: 'Disabling', LastModified: minutesBefore(30) }));
    expect(out.detail).toContain('ec2:DeleteNetworkInterface');
  });

  it('shares its stuck rule with the watcher (stuckTransition)', () => {
    const now = Date.parse('2026-11-20T09:14:03.000Z');
    expect(stuckTransition({ State: 'Updating', LastModified: minutesBefore(20) }, now)).toEqual({ state: 'Updating', sinceMs: 20 * 60_000 });
    expect(stuckTransition({ State: 'Updating', LastModified: minutesBefore(10) }, now)).toBeUndefined();
    expect(stuckTransition({ State: 'Deleting', LastModified: minutesBefore(60) }, now)).toBeUndefined();
    expect(stuckTransition({ State: 'Enabled', LastModified: minutesBefore(60) }, now)).toBeUndefined();
  });

  it('does not call a transition stuck at exactly 15 minutes', () => {
    expect(esmState.run(withEsm({ State: 'Enabling', LastModified: minutesBefore(15) })).status).toBe('pass');
  });

  it('passes with a note while the mapping has been Updating for 5 minutes', () => {
    const out = esmState.run(withEsm({ State: 'Updating', LastModified: minutesBefore(5) }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('normal transition');
    expect(out.detail).toContain('15 minutes');
  });

  it('warns when the mapping is being deleted', () => {
    expect(esmState.run(withEsm({ State: 'Deleting', LastModified: minutesBefore(1) })).status).toBe('warn');
  });

  it('shows "Confirmed by" in the report when a related check fails', () => {
    const snap = withEsm({ State: 'Disabled', StateTransitionReason: 'FUNCTION_CONFIG_NOT_VALID' });
    snap.role = { ok: true, source: 'iam:GetRole', value: { RoleName: 'orders-consumer-role', Arn: 'arn:aws:iam::123456789012:role/orders-consumer-role', AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })) } };
    const report = evaluate(snap, [...statusChecks, ...iamChecks], { now: () => 0 });
    const finding = report.findings.find((f) => f.check === 'esm.state')!;
    expect(finding.detail).toContain('Confirmed by: role.trust (fail)');
  });
});

describe('esm.last-result', () => {
  const withResult = (LastProcessingResult: string | undefined, base?: Snapshot) => withEsm({ LastProcessingResult }, base);

  it('passes on OK', () => {
    expect(esmLastResult.run(mskIamHealthy()).status).toBe('pass');
  });

  it('passes with a note on "No records processed" while the mapping is Enabled', () => {
    const out = esmLastResult.run(withResult('No records processed'));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('not polled yet');
    expect(out.detail).toContain('StartingPosition LATEST');
  });

  it('skips when Lambda has not reported a result yet', () => {
    const out = esmLastResult.run(withResult(undefined));
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('no LastProcessingResult');
  });

  it('warns on a non-PROBLEM text it does not know', () => {
    expect(esmLastResult.run(withResult('Throttled')).status).toBe('warn');
  });

  it.each([
    ['vpc-service-access', 'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.'],
    ['vpc-service-access', 'PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).'],
    ['connection-error', 'PROBLEM: Connection error. Please check your event source connection configuration.'],
    ['connection-error', 'PROBLEM: Connection error. Please check your event source connection configuration. If your event source lives in a VPC, try setting up a new Lambda function or EC2 instance with the same VPC, Subnet, and Security Group settings. Connect the new device to the Kafka cluster and consume messages to ensure that the issue is not related to VPC or Endpoint configuration.'],
    ['connection-error', 'PROBLEM: Connection error, Please check your event source connection configuration.'],
    ['vpc-service-access', 'PROBLEM: Connection error, Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required.'],
    ['broker-connection', 'PROBLEM: Timeout expired while fetching topic metadata'],
    ['assume-role', 'PROBLEM: Lambda failed to assume your function execution role. Please check if the role trust Lambda service principal, and make sure it does not require setting source identity to be assumed.'],
    ['dns', 'PROBLEM: Cannot resolve the bootstrap broker endpoints. Please check the broker endpoints.'],
    ['dns', 'PROBLEM: DNS lookup failed for b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com'],
    ['sasl', 'PROBLEM: SASL authentication failed.'],
    ['sasl', 'problem: sasl Authentication FAILED'],
    ['server-rejected-lambda', 'PROBLEM: Server failed to authenticate Lambda.'],
    ['lambda-rejected-server', 'PROBLEM: Lambda failed to authenticate server.'],
    ['tls-both-directions', 'PROBLEM: Server failed to authenticate Lambda, or Lambda failed to authenticate server.'],
    ['certificate', 'PROBLEM: Provided certificate or private key is invalid.'],
    ['certificate', 'PROBLEM: Certificate and/or private key must be in PEM format.'],
    ['authorization', 'PROBLEM: Cluster failed to authorize Lambda.'],
    ['topic-not-found', 'PROBLEM: Topic not found.'],
    ['function-call', 'PROBLEM: Function call failed'],
    ['internal-error', 'PROBLEM: Lambda internal error. Please contact Lambda customer support.'],
    ['unknown', 'PROBLEM: The flux capacitor is misaligned.'],
  ])('decodes into %s: %s', (category, message) => {
    expect(decodeLastProcessingResult(message)?.id).toBe(category);
    const out = esmLastResult.run(withResult(message));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(`"${message}"`);
    expect(out.resources).toEqual([ESM_ARN]);
    expect(out.fix).toBeTruthy();
  });

  it('does not treat OK or "No records processed" as a problem', () => {
    expect(decodeLastProcessingResult('OK')).toBeUndefined();
    expect(decodeLastProcessingResult('No records processed')).toBeUndefined();
  });

  it('names the checks that confirm each category', () => {
    const related = (m: string) => esmLastResult.run(withResult(m)).related ?? [];
    expect(related('PROBLEM: Lambda failed to assume your function execution role.')).toEqual(['role.trust', 'egress.sts']);
    expect(related('PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS.')).toContain('egress.sts');
    expect(related('PROBLEM: Connection error. Please check your event source connection configuration.')).toContain('network.sg-broker-ingress');
    expect(related('PROBLEM: Cluster failed to authorize Lambda.')).toContain('iam.execution-role');
    expect(related('PROBLEM: Topic not found.')).toContain('topic.exists');
    // In setup-step order, as the registry lists them (egress.lambda's area before the function's).
    expect(related('PROBLEM: Function call failed')).toEqual(['egress.lambda', 'function.state', 'function.concurrency']);
    expect(related('PROBLEM: Provided certificate or private key is invalid.')).toContain('secret.format');
    expect(esmLastResult.run(withResult('PROBLEM: The flux capacitor is misaligned.')).related).toBeUndefined();
  });

  it('gives the endpoint commands with the cluster subnets and security group for the VPC connection message', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.'));
    expect(out.fix).toContain('com.amazonaws.eu-west-1.sts');
    expect(out.fix).toContain('com.amazonaws.eu-west-1.lambda');
    expect(out.fix).toContain(`--subnet-ids ${SUBNETS.join(' ')}`);
    expect(out.fix).toContain(`--security-group-ids ${CLUSTER_SG}`);
  });

  it('points at the IAM broker port 9098 and a self-referencing rule for a broker connection error on an IAM cluster', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Connection error. Please check your event source connection configuration.'));
    expect(out.detail).toContain('port 9098');
    expect(out.fix).toContain(`--group-id ${CLUSTER_SG} --protocol tcp --port 9098 --source-group ${CLUSTER_SG}`);
  });

  it('explains an authorization failure on an IAM cluster with the kafka-cluster actions and the managed policy trap', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Cluster failed to authorize Lambda.'));
    expect(out.detail).toContain('kafka-cluster:AlterGroup');
    expect(out.detail).toContain('AWSLambdaMSKExecutionRole');
  });

  it('explains an authorization failure on a SCRAM cluster with the ACLs to add', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Cluster failed to authorize Lambda.', selfManagedScramHealthy()));
    expect(out.detail).toContain('ACL');
    expect(out.fix).toContain('kafka-acls.sh --bootstrap-server kafka-1.internal.example.com:9096');
    expect(out.fix).toContain('--topic clickstream --group 7c9e6679-7425-40de-944b-e07fc1f90ae7');
  });

  it('tells to create the topic and restart the trigger for "Topic not found"', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Topic not found.'));
    expect(out.detail).toContain('case-sensitive');
    expect(out.fix).toContain('--no-enabled');
    expect(out.fix).toContain('--enabled');
  });

  it('gives the openssl conversions for an invalid certificate or key', () => {
    const out = esmLastResult.run(withResult('PROBLEM: Provided certificate or private key is invalid.'));
    expect(out.fix).toContain('openssl pkcs8 -topk8 -nocrypt');
    expect(out.fix).toContain('-v1 PBE-SHA1-3DES');
  });

  it('shows "Confirmed by" when role.trust fails for an assume-role message', () => {
    const snap = withResult('PROBLEM: Lambda failed to assume your function execution role. Please check if the role trust Lambda service principal, and make sure it does not require setting source identity to be assumed.');
    snap.role = {
      ok: true,
      source: 'iam:GetRole',
      value: {
        RoleName: 'orders-consumer-role',
        Arn: 'arn:aws:iam::123456789012:role/orders-consumer-role',
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })),
      },
    };
    const report = evaluate(snap, [...statusChecks, ...iamChecks], { now: () => 0 });
    const finding = report.findings.find((f) => f.check === 'esm.last-result')!;
    expect(finding.status).toBe('fail');
    expect(finding.detail).toContain('Confirmed by: role.trust (fail)');
  });

  it('says no configuration check confirms it when the related checks pass', () => {
    const report = evaluate(withResult('PROBLEM: Lambda failed to assume your function execution role.'), [...statusChecks, ...iamChecks], { now: () => 0 });
    const finding = report.findings.find((f) => f.check === 'esm.last-result')!;
    expect(finding.detail).toContain('None of the checks that would confirm it (role.trust, egress.sts)');
  });
});

describe('status checks on the healthy baselines', () => {
  it.each([['MSK IAM', mskIamHealthy()], ['self-managed SCRAM', selfManagedScramHealthy()]])('all pass on %s', (_name, snap) => {
    for (const check of statusChecks) expect(check.run(snap).status).toBe('pass');
  });
});

describe('Lambda\'s message and the checks agree', () => {
  const withResult = (LastProcessingResult: string | undefined, base?: Snapshot) => withEsm({ LastProcessingResult }, base);
  const egressFailing = (): Snapshot => {
    const s = mskIamHealthy();
    const rts = s.network!.routeTables!;
    if (rts.ok) rts.value[0]!.Routes = rts.value[0]!.Routes!.filter((r) => r.DestinationCidrBlock !== '0.0.0.0/0');
    return s;
  };
  const lastResult = (s: Snapshot) => evaluate(s, statusAndEgress).findings.find((f) => f.check === 'esm.last-result')!;

  it.each([
    'PROBLEM: Connection error. Please check your event source connection configuration.',
    'PROBLEM: Connection error, Please check your event source connection configuration.',
    'PROBLEM: Connection error. Please check your event source connection configuration. If your event source lives in a VPC, try setting up a new Lambda function or EC2 instance with the same VPC, Subnet, and Security Group settings.',
    'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.',
    'PROBLEM: Connection error, Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required.',
    'PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).',
  ])('is confirmed by the failing egress check, never called "likely live": %s', (message) => {
    const s = egressFailing();
    s.esm.LastProcessingResult = message;
    const finding = lastResult(s);
    expect(finding.status).toBe('fail');
    expect(finding.detail).toContain('Confirmed by: egress.sts (fail)');
    expect(finding.detail).not.toContain('likely live');
  });

  it.each([
    ['sasl', 'SASL authentication failed'],
    ['authorization', 'Not authorized to access topics: [orders]'],
    ['topic-not-found', 'Topic not found'],
    ['connection-error', 'Connection error. Please check your event source connection configuration.'],
    ['broker-connection', 'Timeout expired while fetching topic metadata'],
  ])('decodes a message pasted without the PROBLEM: prefix by meaning (%s)', (category, message) => {
    expect(decodeLastProcessingResult(message)?.id).toBe(category);
    expect(esmLastResult.run(withResult(message)).status).toBe('fail');
  });

  it('still warns on a non-PROBLEM text that means nothing known', () => {
    expect(decodeLastProcessingResult('Throttled')).toBeUndefined();
  });

  it('gives the on-failure destination message a destination title', () => {
    const s = mskIamHealthy();
    s.esm.DestinationConfig = { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq' } };
    const onlyDestination = 'PROBLEM: Lambda could not send the failed batch to the OnFailure destination arn:aws:sqs:eu-west-1:123456789012:orders-dlq.';
    const out = esmLastResult.run(withResult(onlyDestination, s));
    expect(decodeLastProcessingResult(onlyDestination)?.id).toBe('destination');
    expect(out.title).toMatch(/on-failure destination/);
    expect(out.title).not.toMatch(/STS/);
    expect(out.related).toContain('destination.reachable');
    const combined = esmLastResult.run(
      withResult('PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).', s),
    );
    expect(combined.title).toMatch(/on-failure destination/);
    expect(combined.related).toContain('destination.reachable');
  });
});
