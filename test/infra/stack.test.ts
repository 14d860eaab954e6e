/**
 * The CDK app: resources, IAM statements, the rules' event patterns, and cdk-nag's AWS Solutions
 * checks. Synthesised once for this file (bundling four functions with esbuild takes seconds): one
 * app with two stacks — the full configuration (another account, two regions, secret inspection,
 * forwarding, a probe) and the bare default.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// cdk-nag's EventBusOpenAccess reads a deprecated property of the bus policy; jsii would warn about it.
process.env.JSII_DEPRECATED = 'quiet';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseContext } from '../../infra/context';
import { EsmDoctorFunction } from '../../infra/constructs/esm-doctor-function';
import { EsmDoctorStack } from '../../infra/stack';
import { grantsFor, type Caller } from '../../bot/collect/iam-actions';

const ROLE = 'arn:aws:iam::210987654321:role/esm-doctor-read';
const FULL = {
  channel: 'C0ALERTS',
  regions: 'eu-west-1,eu-central-1',
  accounts: JSON.stringify([{ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }]),
  inspectSecrets: 'true',
  channelPrefixes: '{"orders-": "C0ORDERS"}',
  eventSourceAccounts: '210987654321',
  probeTargets: JSON.stringify([
    { placement: { kind: 'vpc', vpcId: 'vpc-0a1b2c3d', subnetIds: ['subnet-0a11aa11aa11aa111', 'subnet-0b22bb22bb22bb222'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'] }, secretArns: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-AbCdEf'] },
  ]),
};

let app: App;
let full: EsmDoctorStack;
let bare: EsmDoctorStack;
let t: Template;
let b: Template;
const env = { account: '123456789012', region: 'eu-west-1' };

beforeAll(() => {
  app = new App();
  full = new EsmDoctorStack(app, 'Full', { env, settings: parseContext((k) => (FULL as Record<string, unknown>)[k]) });
  bare = new EsmDoctorStack(app, 'Bare', { settings: parseContext(() => undefined) });
  t = Template.fromStack(full);
  b = Template.fromStack(bare);
}, 180_000);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** Every statement of the inline policy of the role a function runs as. */
function statementsOf(template: Template, stack: EsmDoctorStack, fn: keyof EsmDoctorStack['functions']): Statement[] {
  const roleId = stack.getLogicalId(stack.functions[fn].executionRole.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const withAction = (sts: Statement[], action: string) => sts.filter((s) => actions(s).includes(action));
const ref = (stack: EsmDoctorStack, construct: { node: { defaultChild?: unknown } } | object) => stack.getLogicalId(((construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct) as never);

describe('resources', () => {
  it('runs slack, worker, watcher, alert and the probe from the one house construct: nodejs22.x on arm64, X-Ray, its own log group kept a month', () => {
    for (const fn of Object.values(full.functions)) {
      expect(fn).toBeInstanceOf(EsmDoctorFunction);
      expect(fn).toBeInstanceOf(NodejsFunction);
    }
    t.resourceCountIs('AWS::Lambda::Function', 5);
    t.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } }, 5);
    t.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 5);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps', ESM_DOCTOR_EVENT_BUS: Match.anyValue(), ESM_DOCTOR_REGIONS: 'eu-west-1,eu-central-1' }) },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
  });

  it('gives the alert function the channel, the routing prefixes, the watched accounts and the Slack secret — never a token', () => {
    const alert = t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('alert in Slack') } });
    const vars = (Object.values(alert)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(vars).toMatchObject({
      ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
      ESM_DOCTOR_CHANNEL_PREFIXES: '{"orders-":"C0ORDERS"}',
      ESM_DOCTOR_ACCOUNTS: JSON.stringify([{ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }]),
      SLACK_SECRET_ARN: { Ref: ref(full, full.slackSecret) },
      ESM_DOCTOR_INSPECT_SECRETS: 'true',
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/xoxb-[0-9]/);
  });

  it('has an on-demand table with TTL on expiresAt and point-in-time recovery, a bus, the Slack secret with a generated button key', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'esm-doctor' });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { GenerateStringKey: 'ESM_DOCTOR_BUTTON_KEY', SecretStringTemplate: Match.stringLikeRegexp('replace-me') },
    });
  });

  it('exposes the Slack handler on a Function URL (Bolt verifies the signature) and outputs it as the Slack request URL', () => {
    t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [ref(full, full.functions.slack), 'Arn'] } });
    t.hasOutput('SlackRequestUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('SlackFunctionUrl'), 'FunctionUrl'] } });
  });

  it('takes the channel as a parameter when no context gives it', () => {
    b.hasParameter('AlertChannel', { Type: 'String', AllowedPattern: '^[CG][A-Z0-9]{2,}$' });
    b.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('adds the probe function when probe targets are given, and lets the diagnosing functions invoke it', () => {
    t.resourceCountIs('AWS::Lambda::Function', 5);
    expect(withAction(statementsOf(t, full, 'worker'), 'lambda:InvokeFunction')).toHaveLength(1);
    b.resourceCountIs('AWS::Lambda::Function', 4);
  });
});

describe('rules', () => {
  const ruleTo = (fn: keyof EsmDoctorStack['functions'], props: Record<string, unknown>) =>
    t.hasResourceProperties('AWS::Events::Rule', { ...props, Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ref(full, full.functions[fn]), 'Arn'] } })] });

  it('runs the watcher every minute once per account-region (Scheduler fan-out), with no retries (the next minute is the retry)', () => {
    // Full: this account and one other × two regions; bare: this account × this region.
    t.resourceCountIs('AWS::Scheduler::Schedule', 4);
    b.resourceCountIs('AWS::Scheduler::Schedule', 1);
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')) as { Properties: { ScheduleExpression: string; Target: { Arn: unknown; Input: unknown; RetryPolicy: unknown } } }[];
    const inputs = schedules.map((r) => JSON.stringify(full.resolve(r.Properties.Target.Input)));
    for (const sch of schedules) {
      expect(sch.Properties.ScheduleExpression).toBe('rate(1 minute)');
      expect(sch.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [ref(full, full.functions.watcher), 'Arn'] });
      expect(sch.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    }
    expect(inputs.filter((i) => i.includes('210987654321'))).toHaveLength(2);
    expect(inputs.filter((i) => i.includes('eu-central-1'))).toHaveLength(2);
    expect(inputs.every((i) => i.includes('esm-doctor.schedule'))).toBe(true);
    t.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
  });

  it('runs the watcher on Lambda\'s CloudTrail events for ESM create / update / delete, matched by prefix (names carry 20150331)', () => {
    ruleTo('watcher', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.lambda'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['lambda.amazonaws.com'],
          eventName: [{ prefix: 'CreateEventSourceMapping' }, { prefix: 'UpdateEventSourceMapping' }, { prefix: 'DeleteEventSourceMapping' }],
        },
      },
    });
    // And the same on the esm-doctor bus, for calls forwarded from other accounts.
    ruleTo('watcher', { EventBusName: { Ref: ref(full, full.bus) }, EventPattern: Match.objectLike({ source: ['aws.lambda'] }) });
  });

  it('sends failing, recovered and deleted ESM State Change events on the esm-doctor bus to the alert function, with a dead-letter queue', () => {
    ruleTo('alert', {
      EventBusName: { Ref: ref(full, full.bus) },
      EventPattern: {
        source: ['esm-doctor'],
        'detail-type': ['ESM State Change'],
        detail: { $or: [{ health: ['failing', 'recovered'] }, { health: ['changed'], current: { state: ['Deleted'] } }] },
      },
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: ref(full, full.bus) }, Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })] });
  });

  it('lets only the listed accounts put events on the bus', () => {
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Action: 'events:PutEvents', Principal: { AWS: { 'Fn::Join': Match.anyValue() } } }),
    });
    b.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe('least-privilege IAM', () => {
  it('lets only the Slack handler invoke the worker, and only the worker (the diagnosing functions may invoke the probe, when there is one)', () => {
    const slack = statementsOf(t, full, 'slack');
    expect(withAction(slack, 'lambda:InvokeFunction').flatMap(resources)).toEqual([{ 'Fn::GetAtt': [ref(full, full.functions.worker), 'Arn'] }]);
    for (const fn of ['watcher', 'worker', 'alert'] as const) expect(withAction(statementsOf(b, bare, fn), 'lambda:InvokeFunction')).toEqual([]);
    expect(withAction(statementsOf(t, full, 'watcher'), 'lambda:InvokeFunction')).toEqual([]);
    expect(withAction(statementsOf(t, full, 'alert'), 'lambda:InvokeFunction').flatMap(resources)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ProbesProbe0Function/), 'Arn'] }]);
  });

  it('lets only the watcher put events, and only on the bus', () => {
    expect(withAction(statementsOf(t, full, 'watcher'), 'events:PutEvents').flatMap(resources)).toEqual([{ 'Fn::GetAtt': [ref(full, full.bus), 'Arn'] }]);
    for (const fn of ['slack', 'worker', 'alert'] as const) expect(withAction(statementsOf(t, full, fn), 'events:PutEvents')).toEqual([]);
  });

  it('touches DynamoDB only on the table, with no scans and no wildcard actions', () => {
    const tableArn = { 'Fn::GetAtt': [ref(full, full.table), 'Arn'] };
    for (const fn of ['slack', 'worker', 'watcher', 'alert'] as const) {
      const dynamo = statementsOf(t, full, fn).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const s of dynamo) {
        expect(resources(s)).toEqual([tableArn]);
        expect(actions(s)).not.toContain('dynamodb:Scan');
      }
    }
    for (const fn of ['slack', 'worker', 'watcher', 'alert'] as const) {
      for (const s of statementsOf(t, full, fn)) for (const a of actions(s)) expect(a).not.toMatch(/\*/);
    }
  });

  it('gives each role exactly the DynamoDB actions its stores need: the dependency index adds none (its transactions are PutItem / DeleteItem, its reads GetItem / Query)', () => {
    const dynamo = (fn: keyof EsmDoctorStack['functions']) => [...new Set(statementsOf(t, full, fn).flatMap(actions).filter((a) => a.startsWith('dynamodb:')))].sort();
    // Worker: the Slack store, and recording each diagnosed ESM (GetItem, then one TransactWriteItems).
    expect(dynamo('worker')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    // Watcher and alert: their stores' Query / UpdateItem, which also cover the index's scope read and lookups.
    for (const fn of ['watcher', 'alert'] as const) expect(dynamo(fn)).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('slack')).not.toContain('dynamodb:Query');
  });

  it('gives the watcher only ListEventSourceMappings, GetEventSourceMapping in the watched regions, GetMetricData (stalls), the dependency index\'s reads, the bus, the table and the watched role', () => {
    const all = statementsOf(t, full, 'watcher').flatMap(actions).sort();
    expect(all).toEqual(
      [
        'cloudwatch:GetMetricData',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'ec2:DescribeNatGateways',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcEndpoints',
        'events:PutEvents',
        'kafka:DescribeClusterV2',
        'kms:DescribeKey',
        'lambda:GetEventSourceMapping',
        'lambda:GetFunction',
        'lambda:ListEventSourceMappings',
        'secretsmanager:DescribeSecret',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sts:AssumeRole',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(withAction(statementsOf(t, full, 'watcher'), 'sts:AssumeRole').flatMap(resources)).toEqual([ROLE]);
    expect(JSON.stringify(withAction(statementsOf(t, full, 'watcher'), 'lambda:GetEventSourceMapping'))).toMatch(/eu-west-1.*event-source-mapping:\*.*eu-central-1/);
  });

  it('grants every collector call\'s IAM action (bot/collect/iam-actions.ts, the README list) to the roles that make it', () => {
    const missing = (template: Template, stack: EsmDoctorStack, fn: keyof EsmDoctorStack['functions'], caller: Caller) => {
      const granted = new Set(statementsOf(template, stack, fn).flatMap(actions));
      return grantsFor(caller).map((g) => g.action).filter((a) => !granted.has(a)).map((a) => `${fn}: ${a}`);
    };
    expect([
      ...missing(t, full, 'worker', 'diagnose'),
      ...missing(t, full, 'alert', 'diagnose'),
      ...missing(t, full, 'worker', 'inspect'),
      ...missing(t, full, 'alert', 'inspect'),
      ...missing(t, full, 'alert', 'route'),
      ...missing(t, full, 'watcher', 'watch'),
      ...missing(t, full, 'watcher', 'index'),
      ...missing(b, bare, 'watcher', 'index'),
      ...missing(b, bare, 'worker', 'diagnose'),
      ...missing(b, bare, 'alert', 'diagnose'),
      ...missing(b, bare, 'watcher', 'watch'),
    ]).toEqual([]);
    // The declaration is not empty: the diagnosis's calls are all in it.
    expect(grantsFor('diagnose').map((g) => g.action)).toEqual(expect.arrayContaining(['lambda:GetEventSourceMapping', 'ec2:DescribeSubnets', 'kafka-cluster:DescribeTopic', 'sts:GetCallerIdentity']));
    expect(withAction(statementsOf(t, full, 'alert'), 'lambda:ListTags')).toHaveLength(1);
  });

  it('reads ESM secrets (GetSecretValue on the configured name prefixes, AmazonMSK_ by default — never secret:*) only when inspectSecrets is on; otherwise GetSecretValue only on the Slack secret', () => {
    const slackSecret = (stack: EsmDoctorStack) => ({ Ref: ref(stack, stack.slackSecret) });
    for (const fn of ['slack', 'worker', 'alert'] as const) {
      expect(withAction(statementsOf(b, bare, fn), 'secretsmanager:GetSecretValue').flatMap(resources)).toEqual([slackSecret(bare)]);
    }
    expect(withAction(statementsOf(b, bare, 'watcher'), 'secretsmanager:GetSecretValue')).toEqual([]);
    const inspecting = withAction(statementsOf(t, full, 'alert'), 'secretsmanager:GetSecretValue').flatMap(resources);
    expect(inspecting).toContainEqual(slackSecret(full));
    expect(JSON.stringify(inspecting)).toContain(':secret:AmazonMSK_*');
    expect(JSON.stringify(inspecting)).not.toMatch(/:secret:\*/);
    expect(JSON.stringify(withAction(statementsOf(t, full, 'alert'), 'kms:Decrypt'))).toContain('kms:ViaService');
  });
});

describe('cdk-nag', () => {
  it('finds nothing in either stack that is neither fixed nor acknowledged (AwsSolutionsChecks)', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgement a reason', () => {
    const acks: Record<string, string> = {};
    for (const c of app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) Object.assign(acks, entry.data as Record<string, string>);
      }
    }
    expect(Object.keys(acks).length).toBeGreaterThan(5);
    for (const [id, reason] of Object.entries(acks)) {
      expect(id).toMatch(/AwsSolutions-(L1|SMG4|IAM4|IAM5)/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});

describe('other accounts from Slack, and probe positions', () => {
  it('lets the worker assume the watched accounts\' roles (as the watcher and the alert do) and tells it which', () => {
    expect(withAction(statementsOf(t, full, 'worker'), 'sts:AssumeRole').flatMap(resources)).toEqual([ROLE]);
    expect(withAction(statementsOf(t, full, 'alert'), 'sts:AssumeRole').flatMap(resources)).toEqual([ROLE]);
    const workerId = full.getLogicalId(full.functions.worker.node.defaultChild as never);
    const vars = t.toJSON().Resources[workerId].Properties.Environment.Variables;
    expect(JSON.parse(vars.ESM_DOCTOR_ACCOUNTS)).toEqual([{ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }]);
    expect(withAction(statementsOf(b, bare, 'worker'), 'sts:AssumeRole')).toHaveLength(0);
  });

  it('lets the alert function take send slots (UpdateItem on the table)', () => {
    expect(withAction(statementsOf(t, full, 'alert'), 'dynamodb:UpdateItem')).toHaveLength(1);
  });
});
