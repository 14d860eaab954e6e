/**
 * Guarded remediation in the CDK app: off by default; `remediation=true` adds one function whose
 * role can write — only the plans' write actions, scoped as IAM allows — while every other role
 * stays read-only; cdk-nag clean with a reason for each acknowledgement.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.JSII_DEPRECATED = 'quiet';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseContext } from '../../infra/context';
import { EsmDoctorStack } from '../../infra/stack';
import { grantsFor } from '../../bot/collect/iam-actions';
import { WRITE_ACTIONS } from '../../bot/remediate/apply';

const env = { account: '123456789012', region: 'eu-west-1' };
const TAGGED = { channel: 'C0ALERTS', regions: 'eu-west-1,eu-central-1', remediation: 'true', fixApprovers: 'U0ALICE,U0BOB', fixApproverGroups: 'S0SRE', remediableRoles: 'kafka-consumers/*,orders-consumer-role' };
const LISTED = { channel: 'C0ALERTS', remediation: 'true', fixApproverGroups: 'S0SRE', remediableSecurityGroups: 'sg-0a1b2c3d4e5f60718' };

const ctx = (values: Record<string, string>, key: string): unknown => values[key];

let app: App;
let tagged: EsmDoctorStack;
let listed: EsmDoctorStack;
let off: EsmDoctorStack;

beforeAll(() => {
  app = new App();
  tagged = new EsmDoctorStack(app, 'Tagged', { env, settings: parseContext((k) => (TAGGED as Record<string, unknown>)[k]) });
  listed = new EsmDoctorStack(app, 'Listed', { env, settings: parseContext((k) => (LISTED as Record<string, unknown>)[k]) });
  off = new EsmDoctorStack(app, 'Off', { env, settings: parseContext((k) => ctx({ channel: 'C0ALERTS' }, k)) });
}, 180_000);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> };

function statementsOfRole(stack: EsmDoctorStack, role: { node: { defaultChild?: unknown } }): Statement[] {
  const template = Template.fromStack(stack);
  const roleId = stack.getLogicalId(role.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const allActions = (sts: Statement[]) => sts.flatMap(actions);
const WRITES = ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'kafka:BatchAssociateScramSecret', 'kafka:BatchDisassociateScramSecret', 'lambda:UpdateEventSourceMapping'];

describe('remediation off (the default)', () => {
  it('adds no remediation function, and no role can write to the ESMs, their clusters, groups or roles', () => {
    expect(off.remediation).toBeUndefined();
    for (const fn of Object.values(off.functions)) {
      const granted = allActions(statementsOfRole(off, fn.executionRole as never));
      for (const w of WRITES) expect(granted).not.toContain(w);
    }
    const env = JSON.stringify(Template.fromStack(off).findResources('AWS::Lambda::Function'));
    expect(env).not.toContain('ESM_DOCTOR_REMEDIATION');
  });

  it('refuses remediation=true without approvers', () => {
    expect(() => parseContext((k) => ctx({ remediation: 'true' }, k))).toThrow(/fixApprovers/);
    expect(() => parseContext((k) => ctx({ remediation: 'true', fixApprovers: 'U0ALICE', remediableRoles: '*' }, k))).toThrow(/not be every role/);
  });
});

describe('remediation=true', () => {
  it('gives only the remediation role the plans\' write actions; the other roles stay read-only', () => {
    for (const fn of Object.values(tagged.functions)) {
      const granted = allActions(statementsOfRole(tagged, fn.executionRole as never));
      for (const w of WRITES) expect(granted).not.toContain(w);
    }
    const role = statementsOfRole(tagged, tagged.remediation!.function.executionRole as never);
    const granted = allActions(role);
    for (const w of WRITES) expect(granted).toContain(w);
    // Everything the one AWS writer can call, and the reads that make it idempotent, come from the one source.
    for (const { action } of grantsFor('remediate')) expect(granted).toContain(action);
    for (const action of WRITE_ACTIONS) expect(granted).toContain(action);
    // Writes nothing else in the account: besides reads, its own table, logs, traces and dead-letter
    // queue, every action it holds is a plan's.
    const own = /^(xray|dynamodb|logs):|^sqs:SendMessage$/;
    const writesHeld = granted.filter((a) => !/^[\w-]+:(Get|List|Describe|Simulate|Connect)/.test(a) && !own.test(a));
    expect(new Set(writesHeld)).toEqual(new Set(WRITES));
  });

  it('scopes the SG writes to tagged groups, the IAM writes to the operator\'s role patterns, the rest to this account and the watched regions', () => {
    const role = statementsOfRole(tagged, tagged.remediation!.function.executionRole as never);
    const sg = role.find((s) => s.Sid === 'RemediateTaggedSecurityGroups')!;
    expect(sg.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/esm-doctor-remediable': 'true' } });
    expect(JSON.stringify(sg.Resource)).toContain(':security-group/*');
    const iamWrites = role.find((s) => s.Sid === 'RemediateExecutionRolePolicies')!;
    expect(JSON.stringify(iamWrites.Resource)).toContain(':role/kafka-consumers/*');
    expect(JSON.stringify(iamWrites.Resource)).toContain(':role/orders-consumer-role');
    expect(JSON.stringify(iamWrites.Resource)).not.toMatch(/:role\/\*"/);
    for (const sid of ['RemediateScramSecrets', 'RemediateEsmState']) {
      const text = JSON.stringify(role.find((s) => s.Sid === sid)!.Resource);
      expect(text).toContain('eu-west-1');
      expect(text).toContain('eu-central-1');
      expect(text).not.toContain('"*"');
    }
  });

  it('with listed security groups, writes only those; without role patterns, no IAM write at all', () => {
    const role = statementsOfRole(listed, listed.remediation!.function.executionRole as never);
    const sg = role.find((s) => s.Sid === 'RemediateListedSecurityGroups')!;
    expect(JSON.stringify(sg.Resource)).toContain('security-group/sg-0a1b2c3d4e5f60718');
    expect(sg.Condition).toBeUndefined();
    expect(allActions(role)).not.toContain('iam:PutRolePolicy');
  });

  it('lets the Slack handler invoke the remediation function and update fix requests; tells the report renderers who approves', () => {
    const slack = statementsOfRole(tagged, tagged.functions.slack.executionRole as never);
    const fnId = tagged.getLogicalId(tagged.remediation!.function.node.defaultChild as never);
    expect(JSON.stringify(slack.find((s) => s.Sid === 'InvokeRemediation'))).toContain(fnId);
    expect(allActions(slack)).toContain('dynamodb:UpdateItem');
    const fns = Template.fromStack(tagged).findResources('AWS::Lambda::Function');
    const envOf = (fn: { node: { defaultChild?: unknown } }) => (fns[tagged.getLogicalId(fn.node.defaultChild as never)] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    for (const fn of [tagged.functions.slack, tagged.functions.worker, tagged.functions.alert, tagged.remediation!.function]) {
      expect(envOf(fn as never)).toMatchObject({ ESM_DOCTOR_REMEDIATION: 'on', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE,U0BOB', ESM_DOCTOR_FIX_APPROVER_GROUPS: 'S0SRE' });
    }
    expect(envOf(tagged.functions.slack as never).ESM_DOCTOR_REMEDIATION_FUNCTION).toBeDefined();
    expect(envOf(tagged.functions.watcher as never).ESM_DOCTOR_REMEDIATION).toBeUndefined();
  });

  it('is cdk-nag clean, every acknowledgement with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const acks: Record<string, string> = {};
    for (const c of tagged.remediation!.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) Object.assign(acks, entry.data as Record<string, string>);
      }
    }
    expect(Object.keys(acks).length).toBeGreaterThan(5);
    for (const reason of Object.values(acks)) expect(reason.length).toBeGreaterThan(40);
  });
});
