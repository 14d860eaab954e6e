import { iamExecutionRole, repairedTrustPolicy, roleTrust, checks as iamChecks } from '../../../bot/checks/iam';
import type { EvaluationResult, Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_ARN, ESM_UUID, ROLE_ARN, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { allowAll } from '../../support/allow-all';

const GROUP_ARN = `arn:aws:kafka:eu-west-1:123456789012:group/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/${ESM_UUID}`;
const TOPIC_ARN = 'arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders';

function withTrust(document: unknown, encode = true): Snapshot {
  const snap = mskIamHealthy();
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  snap.role = { ok: true, source: 'iam:GetRole', value: { RoleName: 'orders-consumer-role', Arn: ROLE_ARN, AssumeRolePolicyDocument: encode ? encodeURIComponent(text) : text } };
  return snap;
}

const LAMBDA_ALLOW = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };

function results(snap: Snapshot): EvaluationResult[] {
  if (!snap.permissions?.ok) throw new Error('no simulation');
  return snap.permissions.value;
}

/** Rewrites the simulation answers matching `pred`. */
function answer(snap: Snapshot, pred: (r: EvaluationResult) => boolean, patch: Partial<EvaluationResult> & Record<string, unknown>): Snapshot {
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: results(snap).map((r) => (pred(r) ? { ...r, ...patch } : r)) };
  return snap;
}

const action = (...names: string[]) => (r: EvaluationResult) => names.includes(r.EvalActionName);

/** The same cluster as MSK Serverless, as DescribeClusterV2 returns it (IAM only, VpcConfigs). */
function serverless(snap: Snapshot): Snapshot {
  const c = snap.cluster!;
  if (!c.ok) throw new Error('no cluster');
  const subnets = c.value.Provisioned!.BrokerNodeGroupInfo!.ClientSubnets!;
  const groups = c.value.Provisioned!.BrokerNodeGroupInfo!.SecurityGroups!;
  c.value = {
    ClusterArn: c.value.ClusterArn,
    ClusterName: c.value.ClusterName,
    ClusterType: 'SERVERLESS',
    State: 'ACTIVE',
    Serverless: { VpcConfigs: [{ SubnetIds: subnets, SecurityGroupIds: groups }], ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } },
  };
  return snap;
}

/** A SASL/SCRAM ESM on the same cluster, with the simulation re-run for its requirements. */
function scram(snap: Snapshot): Snapshot {
  const c = snap.cluster!;
  if (c.ok) c.value.Provisioned!.ClientAuthentication = { Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } }, Unauthenticated: { Enabled: false } };
  snap.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-consumer-Qx81Tz' }];
  snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: allowAll(snap) };
  return snap;
}

describe('role.trust', () => {
  it('passes when the trust policy lets lambda.amazonaws.com assume the role', () => {
    const out = roleTrust.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.resources).toEqual([ROLE_ARN]);
  });

  it('passes with a Principal.Service array and an Action array', () => {
    const out = roleTrust.run(withTrust({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['edgelambda.amazonaws.com', 'lambda.amazonaws.com'] }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }));
    expect(out.status).toBe('pass');
  });

  it('reads a trust policy given as plain JSON too', () => {
    expect(roleTrust.run(withTrust({ Version: '2012-10-17', Statement: [LAMBDA_ALLOW] }, false)).status).toBe('pass');
  });

  it('fails when the trust policy only trusts ec2.amazonaws.com, and gives the policy to set keeping the ec2 statement', () => {
    const ec2 = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const out = roleTrust.run(withTrust({ Version: '2012-10-17', Statement: [ec2] }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(ROLE_ARN);
    expect(out.detail).toContain('no Allow statement lets lambda.amazonaws.com');
    expect(out.resources).toEqual([ROLE_ARN]);
    expect(out.fix).toContain('aws iam update-assume-role-policy --role-name orders-consumer-role --policy-document');
    expect(out.fix).toContain('"Service":"lambda.amazonaws.com"');
    expect(out.fix).toContain('"Service":"ec2.amazonaws.com"');
  });

  it('fails when a Deny requires a source identity', () => {
    const out = roleTrust.run(withTrust({
      Version: '2012-10-17',
      Statement: [LAMBDA_ALLOW, { Sid: 'RequireSourceIdentity', Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { Null: { 'sts:SourceIdentity': 'true' } } }],
    }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('source identity');
    expect(out.detail).toContain('"RequireSourceIdentity"');
  });

  it('fails when the only Allow for Lambda is conditioned on sts:SourceIdentity', () => {
    const out = roleTrust.run(withTrust({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringLike: { 'sts:SourceIdentity': 'svc-*' } } }],
    }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('sts:SourceIdentity');
  });

  it('passes when a source-identity condition only concerns people, not Lambda', () => {
    const out = roleTrust.run(withTrust({
      Version: '2012-10-17',
      Statement: [LAMBDA_ALLOW, { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/admin' }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringLike: { 'sts:SourceIdentity': '${aws:username}' } } }],
    }));
    expect(out.status).toBe('pass');
  });

  it('fails when a statement explicitly denies Lambda', () => {
    const out = roleTrust.run(withTrust({ Version: '2012-10-17', Statement: [LAMBDA_ALLOW, { Effect: 'Deny', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:*' }] }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('explicit Deny');
  });

  it('passes with a note when the Allow carries a condition it cannot evaluate', () => {
    const out = roleTrust.run(withTrust({ Version: '2012-10-17', Statement: [{ ...LAMBDA_ALLOW, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('aws:sourceaccount');
  });

  it('fails when the trust policy is not JSON', () => {
    const out = roleTrust.run(withTrust('{"Version":"2012-10-17","Statement":['));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('not valid JSON');
  });

  it('reports an error naming iam:GetRole when the role could not be read', () => {
    const snap = mskIamHealthy();
    snap.role = { ok: false, source: 'iam:GetRole', error: { code: 'AccessDenied', message: 'User is not authorized to perform: iam:GetRole', action: 'iam:GetRole' } };
    const out = roleTrust.run(snap);
    expect(out.status).toBe('error');
    expect(out.detail).toContain('iam:GetRole');
  });

  it('reports an error when the snapshot has no role at all', () => {
    const snap = mskIamHealthy();
    delete snap.role;
    expect(roleTrust.run(snap).status).toBe('error');
  });

  it('keeps the other services of a shared statement when repairing it', () => {
    const repaired = repairedTrustPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['edgelambda.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole', Condition: { Null: { 'sts:SourceIdentity': 'false' } } }] });
    expect(repaired.Statement).toHaveLength(2);
    expect(repaired.Statement[0]!.Principal).toEqual({ Service: 'edgelambda.amazonaws.com' });
    expect(repaired.Statement[1]).toEqual(LAMBDA_ALLOW);
  });
});

describe('iam.execution-role', () => {
  it('passes when the simulation allows every requirement', () => {
    const out = iamExecutionRole.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('kafka-cluster:Connect');
  });

  it('fails when the role has no kafka-cluster permissions, calls out AWSLambdaMSKExecutionRole and gives the statement to add', () => {
    const snap = answer(mskIamHealthy(), (r) => r.EvalActionName.startsWith('kafka-cluster:'), { EvalDecision: 'implicitDeny' });
    const out = iamExecutionRole.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('missing 5 permissions');
    expect(out.detail).toContain(`kafka-cluster:Connect on ${CLUSTER_ARN}`);
    expect(out.detail).toContain(`kafka-cluster:AlterGroup on ${GROUP_ARN}`);
    expect(out.detail).toContain('implicitDeny');
    expect(out.detail).toContain('AWSLambdaMSKExecutionRole');
    expect(out.title).toBe('The execution role is missing 5 permissions the ESM needs');
    expect(out.detail.split('\n').filter((l) => l.startsWith('- ')).slice(0, 5).every((l) => !l.includes('the ESM runs without it'))).toBe(true);
    expect(out.remedy?.commands).toEqual([expect.stringMatching(/^aws iam put-role-policy --role-name orders-consumer-role --policy-name esm-doctor-kafka-event-source --policy-document '.*' --region eu-west-1$/)]);
    expect(out.resources).toEqual(expect.arrayContaining([ROLE_ARN, CLUSTER_ARN, GROUP_ARN, TOPIC_ARN]));
    const policy = out.remedy!.documents![0]!.json as { Statement: unknown[] };
    expect(JSON.stringify(policy)).toContain(TOPIC_ARN);
    expect(policy.Statement).toContainEqual({ Effect: 'Allow', Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'], Resource: GROUP_ARN });
  });

  it('names the managed policy when the simulation matched it', () => {
    const snap = answer(mskIamHealthy(), (r) => r.EvalActionName.startsWith('kafka:') || r.EvalActionName.startsWith('ec2:'), {
      MatchedStatements: [{ SourcePolicyId: 'AWSLambdaMSKExecutionRole', SourcePolicyType: 'IAM Policy' }],
    });
    answer(snap, (r) => r.EvalActionName.startsWith('kafka-cluster:'), { EvalDecision: 'implicitDeny' });
    expect(iamExecutionRole.run(snap).detail).toContain('the simulation matched AWSLambdaMSKExecutionRole');
  });

  it('fails when ec2:CreateNetworkInterface is denied on *', () => {
    const out = iamExecutionRole.run(answer(mskIamHealthy(), action('ec2:CreateNetworkInterface'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('ec2:CreateNetworkInterface on *');
    expect(out.fix).toContain('"Action": "ec2:CreateNetworkInterface"');
    expect(out.fix).toContain('"Resource": "*"');
  });

  it('accepts the legacy kafka:DescribeCluster in place of kafka:DescribeClusterV2', () => {
    const snap = answer(mskIamHealthy(), action('kafka:DescribeClusterV2'), { EvalDecision: 'implicitDeny' });
    snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: [...results(snap), { EvalActionName: 'kafka:DescribeCluster', EvalResourceName: CLUSTER_ARN, EvalDecision: 'allowed' }] };
    expect(iamExecutionRole.run(snap).status).toBe('pass');
  });

  // Lambda MSK permissions page: "For serverless Amazon MSK clusters, you must use kafka:DescribeClusterV2".
  it('fails a Serverless cluster whose role has only the legacy kafka:DescribeCluster', () => {
    const snap = serverless(mskIamHealthy());
    answer(snap, action('kafka:DescribeClusterV2'), { EvalDecision: 'implicitDeny' });
    snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: [...results(snap), { EvalActionName: 'kafka:DescribeCluster', EvalResourceName: CLUSTER_ARN, EvalDecision: 'allowed' }] };
    const out = iamExecutionRole.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('kafka:DescribeClusterV2');
    expect(out.detail).toContain('Serverless');
    expect(out.fix).toContain('"Action": "kafka:DescribeClusterV2"');
  });

  it('passes a Serverless cluster whose role has kafka:DescribeClusterV2', () => {
    expect(iamExecutionRole.run(serverless(mskIamHealthy())).status).toBe('pass');
  });

  // AWSLambdaMSKExecutionRole + the secret's permissions is what the MSK permissions page documents for
  // SCRAM; kafka:ListScramSecrets is not among them, so lacking it changes nothing: a pass with a note.
  it('passes with a note (never warns) when only kafka:ListScramSecrets is denied on a SCRAM ESM', () => {
    const snap = scram(mskIamHealthy());
    const out = iamExecutionRole.run(answer(snap, action('kafka:ListScramSecrets'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('kafka:ListScramSecrets');
    expect(out.detail).toMatch(/optional|not needed/i);
  });

  it('warns when only the logs permissions are denied', () => {
    const out = iamExecutionRole.run(answer(mskIamHealthy(), (r) => r.EvalActionName.startsWith('logs:'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('warn');
    expect(out.title).toContain('logs:CreateLogGroup');
    expect(out.fix).toContain('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-consumer:*');
  });

  it('warns when only kafka-cluster:DescribeClusterDynamicConfiguration is denied', () => {
    const out = iamExecutionRole.run(answer(mskIamHealthy(), action('kafka-cluster:DescribeClusterDynamicConfiguration'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('warn');
  });

  it('warns that a requirement was not simulated when the snapshot has no answer for it', () => {
    const snap = mskIamHealthy();
    snap.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: results(snap).filter((r) => r.EvalActionName !== 'kafka:GetBootstrapBrokers') };
    const out = iamExecutionRole.run(snap);
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('Not simulated');
    expect(out.detail).toContain('kafka:GetBootstrapBrokers');
  });

  it('says an Allow is not enough when a service control policy denies the action', () => {
    const out = iamExecutionRole.run(answer(mskIamHealthy(), action('kafka:GetBootstrapBrokers'), { EvalDecision: 'explicitDeny', OrganizationsDecisionDetail: { AllowedByOrganizations: false } }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('service control policy');
    expect(out.fix).toContain('An Allow on the role is not enough for kafka:GetBootstrapBrokers');
  });

  it('mentions missing context keys only when an answer depends on them', () => {
    const out = iamExecutionRole.run(answer(mskIamHealthy(), action('kafka-cluster:Connect'), { EvalDecision: 'implicitDeny', MissingContextValues: ['aws:SourceVpc'] }));
    expect(out.detail).toContain('aws:SourceVpc');
    expect(out.detail).toContain('condition keys the simulation did not have');
    expect(iamExecutionRole.run(mskIamHealthy()).detail).not.toContain('condition keys');
  });

  it('reads the per-resource decisions of the newer simulator answer', () => {
    const snap = mskIamHealthy();
    snap.permissions = {
      ok: true,
      source: 'iam:SimulatePrincipalPolicy',
      value: [
        ...results(snap).filter((r) => r.EvalActionName !== 'kafka-cluster:ReadData'),
        { EvalActionName: 'kafka-cluster:ReadData', EvalDecision: 'implicitDeny', ResourceSpecificResults: [{ EvalResourceName: TOPIC_ARN, EvalResourceDecision: 'implicitDeny' }] },
      ],
    };
    const out = iamExecutionRole.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(`kafka-cluster:ReadData on ${TOPIC_ARN}`);
  });

  it('fails for a self-managed ESM in a VPC whose role cannot describe subnets', () => {
    const out = iamExecutionRole.run(answer(selfManagedScramHealthy(), action('ec2:DescribeSubnets'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('ec2:DescribeSubnets');
    expect(out.fix).toContain('clickstream-ingest-role');
  });

  it('leaves the secret permissions to secret.readable', () => {
    const out = iamExecutionRole.run(answer(selfManagedScramHealthy(), action('secretsmanager:GetSecretValue'), { EvalDecision: 'implicitDeny' }));
    expect(out.status).toBe('pass');
  });

  it('reports an error naming iam:SimulatePrincipalPolicy when the simulation failed', () => {
    const snap = mskIamHealthy();
    snap.permissions = { ok: false, source: 'iam:SimulatePrincipalPolicy', error: { code: 'AccessDenied', message: 'not authorized to perform: iam:SimulatePrincipalPolicy', action: 'iam:SimulatePrincipalPolicy' } };
    const out = iamExecutionRole.run(snap);
    expect(out.status).toBe('error');
    expect(out.detail).toContain('iam:SimulatePrincipalPolicy');
    expect(out.fix).toContain('iam:SimulatePrincipalPolicy');
  });

  it('reports an error when the snapshot has no simulation', () => {
    const snap = mskIamHealthy();
    delete snap.permissions;
    expect(iamExecutionRole.run(snap).status).toBe('error');
  });
});

describe('iam checks on the healthy baselines', () => {
  it.each([['MSK IAM', mskIamHealthy()], ['self-managed SCRAM', selfManagedScramHealthy()]])('all pass on %s', (_name, snap) => {
    for (const check of iamChecks) expect(check.run(snap).status).toBe('pass');
  });
});
