/**
 * The member accounts' StackSet template (infra/member.ts): what the hub may do there and what is
 * forwarded to it, cdk-nag's AWS Solutions checks, and cfn-lint (the template is deployed by
 * StackSets as synthesised, so CloudFormation's own linter must find no error).
 */
process.env.JSII_DEPRECATED = 'quiet';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEPENDENCY_CALLS, EsmDoctorMemberStack } from '../../infra/member';
import { CALL_FAMILIES, familyOf } from '../../bot/impact/events';

let app: App;
let t: Template;
let json: Record<string, unknown>;

beforeAll(() => {
  app = new App();
  const stack = new EsmDoctorMemberStack(app, 'Member');
  t = Template.fromStack(stack);
  json = t.toJSON();
});

it('is a plain template StackSets can deploy: parameters for the hub, no bootstrap rule, no assets', () => {
  expect(Object.keys(json.Parameters as object).sort()).toEqual(['ExternalId', 'HubAccountId', 'HubEventBusArn', 'HubRolePrefix', 'LookUpChanges', 'RoleName', 'RoleRegion']);
  expect(json.Rules).toBeUndefined();
  expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|AssetParameters|BootstrapVersion/);
});

it('creates the read-only role once (in RoleRegion), trusting only the hub\'s esm-doctor roles with the ExternalId', () => {
  t.hasResource('AWS::IAM::Role', {
    Condition: 'InRoleRegion',
    Properties: {
      RoleName: { Ref: 'RoleName' },
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, ':root']] } },
            Condition: {
              StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
              ArnLike: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, ':role/', { Ref: 'HubRolePrefix' }, '*']] } },
            },
          },
        ],
      },
    },
  });
  const policies = Object.values(t.findResources('AWS::IAM::Policy', { Condition: 'InRoleRegion' })) as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }[];
  expect(policies).toHaveLength(1);
  const granted = policies[0]!.Properties.PolicyDocument.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  expect(granted).toEqual(expect.arrayContaining(['lambda:ListEventSourceMappings', 'lambda:GetEventSourceMapping', 'kafka:DescribeClusterV2', 'ec2:DescribeSubnets', 'iam:SimulatePrincipalPolicy', 'lambda:ListTags']));
  // Read-only: nothing that writes, and no secret values (inspectSecrets is a hub-account choice).
  // kafka-cluster:Connect is the data-plane connect DescribeTopic needs on an IAM cluster (README).
  expect(granted.filter((a) => !/:(Get|List|Describe|Simulate)/.test(a) && a !== 'kafka-cluster:Connect')).toEqual([]);
  expect(granted).not.toContain('secretsmanager:GetSecretValue');
});

it('lets the hub look up this account\'s CloudTrail history (what changed) unless LookUpChanges=false, in its own conditional policy', () => {
  t.hasParameter('LookUpChanges', { Type: 'String', Default: 'true', AllowedValues: ['true', 'false'] });
  t.hasCondition('LookUpChangesInRoleRegion', { 'Fn::And': [{ Condition: 'InRoleRegion' }, { 'Fn::Equals': [{ Ref: 'LookUpChanges' }, 'true'] }] });
  const policies = Object.values(t.findResources('AWS::IAM::Policy', { Condition: 'LookUpChangesInRoleRegion' })) as { Properties: { PolicyDocument: { Statement: unknown[] }; Roles: unknown[] } }[];
  expect(policies).toHaveLength(1);
  expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([{ Sid: 'LookUpRecentChanges', Action: 'cloudtrail:LookupEvents', Effect: 'Allow', Resource: '*' }]);
  expect(policies[0]!.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Reader[0-9A-F]{8}$/) }]);
});

it('forwards ESM API calls and dependency changes to the hub bus, through a role that may only put events there', () => {
  const target = [{ Arn: { Ref: 'HubEventBusArn' }, Id: 'HubBus', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardToHub'), 'Arn'] } }];
  t.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: { source: ['aws.lambda'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: Match.arrayWith([{ prefix: 'CreateEventSourceMapping' }]) } },
    Targets: target,
  });
  t.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: { $or: Object.entries(DEPENDENCY_CALLS).map(([source, names]) => ({ source: [source], detail: { eventName: names } })) },
    Targets: target,
  });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { Ref: 'HubEventBusArn' }, Sid: 'PutOnHubBus' }] },
  });
});

it('forwards exactly the calls impact assesses: each forwarded name parses to a call family, and every family is forwarded', () => {
  const forwarded = Object.entries(DEPENDENCY_CALLS).flatMap(([source, names]) => names.map((eventName) => ({ eventSource: `${source.replace(/^aws\./, '')}.amazonaws.com`, eventName })));
  expect(forwarded.filter((e) => !familyOf(e))).toEqual([]);
  const families = new Set(forwarded.map((e) => familyOf(e)));
  expect(CALL_FAMILIES.filter((f) => !families.has(f)).map((f) => f.names.join('/'))).toEqual([]);
  expect(forwarded).toHaveLength(CALL_FAMILIES.flatMap((f) => f.names).length);
  // Spot checks, as CloudTrail spells them: Lambda's carry the API version.
  expect(DEPENDENCY_CALLS['aws.lambda']).toEqual(['PutFunctionConcurrency20171031', 'DeleteFunction20150331']);
  expect(DEPENDENCY_CALLS['aws.kafka']).toEqual(['BatchDisassociateScramSecret', 'UpdateSecurity', 'UpdateConnectivity', 'DeleteCluster']);
});

it('is clean under cdk-nag (AwsSolutionsChecks), every wildcard acknowledged with a reason', () => {
  const report = new AwsSolutionsChecks().validateScope(app);
  expect(report.violations.map((v) => v.ruleName)).toEqual([]);
});

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const lintMissing = cfnLint.error !== undefined || cfnLint.status !== 0;
if (lintMissing) process.stderr.write('member.test: cfn-lint SKIPPED — cfn-lint is not installed (pip install cfn-lint)\n');
(lintMissing ? it.skip : it)('passes cfn-lint with no error or warning', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-doctor-member-'));
  try {
    const file = path.join(dir, 'member.template.json');
    fs.writeFileSync(file, JSON.stringify(json));
    const res = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
