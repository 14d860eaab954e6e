/**
 * The pre-alert construct on its own (one function to bundle): a rule per service for the calls
 * bot/impact assesses, on the default bus and on the esm-doctor bus for forwarded accounts, and a
 * role that may diagnose and post but not look up CloudTrail.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CALL_FAMILIES } from '../../bot/impact/events';
import { PreAlert, preAlertPatterns } from '../../infra/constructs/pre-alert';

let t: Template;
let construct: PreAlert;

beforeAll(() => {
  const stack = new Stack(new App(), 'T', { env: { account: '123456789012', region: 'eu-west-1' } });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'esm-doctor' });
  construct = new PreAlert(stack, 'PreAlert', {
    environment: { ESM_DOCTOR_TABLE: 'table' },
    diagnosis: [new iam.PolicyStatement({ sid: 'DiagnoseUnscopedReads', actions: ['ec2:DescribeSecurityGroups'], resources: ['*'] })],
    access: [new iam.PolicyStatement({ sid: 'StateTable', actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t'] })],
    bus,
    deadLetterQueue: new sqs.Queue(stack, 'Dlq', { enforceSSL: true }),
  });
  t = Template.fromStack(stack);
}, 180_000);

describe('pre-alert infrastructure', () => {
  it('watches every call impact assesses, once per service, with Lambda\'s versioned event names', () => {
    const patterns = preAlertPatterns();
    expect(patterns.map((p) => p.source![0])).toEqual(['aws.ec2', 'aws.iam', 'aws.secretsmanager', 'aws.kms', 'aws.kafka', 'aws.lambda']);
    const names = patterns.flatMap((p) => (p.detail as { eventName: string[] }).eventName);
    expect(names).toHaveLength(CALL_FAMILIES.flatMap((f) => f.names).length);
    expect(names).toEqual(expect.arrayContaining(['RevokeSecurityGroupIngress', 'DetachRolePolicy', 'DisableKey', 'BatchDisassociateScramSecret', 'PutFunctionConcurrency20171031', 'DeleteFunction20150331']));
  });

  it('has a rule per service on the default bus and one on the esm-doctor bus, each to the impact function', () => {
    t.resourceCountIs('AWS::Events::Rule', 12);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ec2'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventSource: ['ec2.amazonaws.com'], eventName: Match.arrayWith(['RevokeSecurityGroupIngress']) } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreAlertImpact'), 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventBusName: Match.anyValue(), EventPattern: Match.objectLike({ source: ['aws.kafka'] }) });
    expect(construct.rules).toHaveLength(12);
  });

  it('lets the function diagnose and use the table, and nothing of CloudTrail', () => {
    const policies = t.findResources('AWS::IAM::Policy');
    const actions = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement.flatMap((s) => s.Action));
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeSecurityGroups', 'dynamodb:GetItem']));
    expect(actions.some((a) => a.startsWith('cloudtrail:'))).toBe(false);
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Environment: { Variables: Match.objectLike({ ESM_DOCTOR_TABLE: 'table' }) } });
  });
});
