/**
 * The `changes` switch (infra/context.ts): "Changed before the failure" in the deployed diagnoses.
 * On (the default), cloudtrail:LookupEvents is granted to the worker and the alert function only —
 * the two that render a failing report with that section — and ESM_DOCTOR_CHANGES=on tells them to
 * look; off (`-c changes=false`), no role holds it and both are told off. The pre-alert (handed its
 * change), the watcher, the Slack handler and the remediation function never hold it. With
 * preAlerts and remediation on too, the app stays cdk-nag clean and its template cfn-lint clean.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.JSII_DEPRECATED = 'quiet';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { grantsFor } from '../../bot/collect/iam-actions';
import { parseContext } from '../../infra/context';
import type { PreAlert } from '../../infra/constructs/pre-alert';
import type { EsmDoctorFunction } from '../../infra/constructs/esm-doctor-function';
import { EsmDoctorStack } from '../../infra/stack';

const env = { account: '123456789012', region: 'eu-west-1' };
// Everything on: changes by default, pre-alerts, remediation, another account.
const ON = {
  channel: 'C0ALERTS',
  regions: 'eu-west-1,eu-central-1',
  preAlerts: 'true',
  remediation: 'true',
  fixApprovers: 'U0ALICE',
  accounts: JSON.stringify([{ roleArn: 'arn:aws:iam::210987654321:role/esm-doctor-read', externalId: 'esm-doctor-7f3a' }]),
  eventSourceAccounts: '210987654321',
};
// Members of an organization (the member StackSet, infra/member.ts) forward their calls to the bus.
const OFF = { channel: 'C0ALERTS', preAlerts: 'true', changes: 'false', organizationId: 'o-a1b2c3d4e5' };

let app: App;
let on: EsmDoctorStack;
let off: EsmDoctorStack;

beforeAll(() => {
  app = new App();
  on = new EsmDoctorStack(app, 'On', { env, settings: parseContext((k) => (ON as Record<string, unknown>)[k]) });
  off = new EsmDoctorStack(app, 'Off', { env, settings: parseContext((k) => (OFF as Record<string, unknown>)[k]) });
}, 240_000);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const templates = new Map<EsmDoctorStack, Template>();
const templateOf = (stack: EsmDoctorStack) => templates.get(stack) ?? templates.set(stack, Template.fromStack(stack)).get(stack)!;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function statementsOf(stack: EsmDoctorStack, fn: EsmDoctorFunction): Statement[] {
  const roleId = stack.getLogicalId(fn.executionRole.node.defaultChild as never);
  const policies = templateOf(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

function variablesOf(stack: EsmDoctorStack, fn: EsmDoctorFunction): Record<string, unknown> {
  const resource = templateOf(stack).toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)];
  return (resource as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
}

/** Every function of the stack by name: the four, the pre-alert's, the remediation's. */
function functionsOf(stack: EsmDoctorStack): Record<string, EsmDoctorFunction> {
  const preAlert = stack.node.tryFindChild('PreAlert') as PreAlert | undefined;
  return {
    ...stack.functions,
    ...(preAlert ? { impact: preAlert.function } : {}),
    ...(stack.remediation ? { remediation: stack.remediation.function } : {}),
  };
}

const LOOKUP = grantsFor('changes').map((g) => g.action);

/** Which functions hold each of the changes caller's actions. */
function holders(stack: EsmDoctorStack): string[] {
  return Object.entries(functionsOf(stack))
    .filter(([, fn]) => LOOKUP.some((a) => statementsOf(stack, fn).flatMap(actions).includes(a)))
    .map(([name]) => name)
    .sort();
}

describe('the changes switch', () => {
  it('is on unless set to false, and refuses anything but true or false', () => {
    expect(parseContext(() => undefined).changes).toBe(true);
    expect(parseContext((k) => (k === 'changes' ? 'false' : undefined)).changes).toBe(false);
    expect(parseContext((k) => (k === 'changes' ? false : undefined)).changes).toBe(false);
    expect(() => parseContext((k) => (k === 'changes' ? 'no' : undefined))).toThrow(/changes: must be true or false/);
  });

  it('declares cloudtrail:LookupEvents as the changes caller\'s only action (bot/collect/iam-actions.ts)', () => {
    expect(LOOKUP).toEqual(['cloudtrail:LookupEvents']);
  });

  it('on: grants LookupEvents (its own statement, Resource *) to exactly the worker and the alert function', () => {
    expect(Object.keys(functionsOf(on)).sort()).toEqual(['alert', 'impact', 'remediation', 'slack', 'watcher', 'worker']);
    expect(holders(on)).toEqual(['alert', 'worker']);
    for (const fn of [on.functions.worker, on.functions.alert]) {
      const lookup = statementsOf(on, fn).filter((s) => actions(s).includes('cloudtrail:LookupEvents'));
      expect(lookup).toEqual([{ Sid: 'LookUpRecentChanges', Action: 'cloudtrail:LookupEvents', Effect: 'Allow', Resource: '*' }]);
    }
  });

  it('off: no role of the stack may call CloudTrail at all', () => {
    expect(Object.keys(functionsOf(off)).sort()).toEqual(['alert', 'impact', 'slack', 'watcher', 'worker']);
    expect(holders(off)).toEqual([]);
    for (const fn of Object.values(functionsOf(off))) expect(statementsOf(off, fn).flatMap(actions).filter((a) => a.startsWith('cloudtrail:'))).toEqual([]);
  });

  it('tells the worker and the alert function (ESM_DOCTOR_CHANGES on / off), and no other function', () => {
    for (const [stack, value] of [[on, 'on'], [off, 'off']] as const) {
      for (const [name, fn] of Object.entries(functionsOf(stack))) {
        expect([name, variablesOf(stack, fn).ESM_DOCTOR_CHANGES]).toEqual([name, name === 'worker' || name === 'alert' ? value : undefined]);
      }
    }
  });
});

describe('pre-alerts for forwarded calls', () => {
  it('takes the calls forwarded to the bus, from listed accounts and from an organization\'s members alike', () => {
    for (const stack of [on, off]) {
      const busId = stack.getLogicalId(stack.bus.node.defaultChild as never);
      const impactId = stack.getLogicalId(stack.preAlert!.function.node.defaultChild as never);
      const onBus = Object.values(templateOf(stack).findResources('AWS::Events::Rule', { Properties: { EventBusName: { Ref: busId } } })) as Array<{ Properties: { Targets: Array<{ Arn: unknown }> } }>;
      const toImpact = onBus.filter((r) => JSON.stringify(r.Properties.Targets).includes(impactId));
      // One rule per service on the bus: EC2, IAM, Secrets Manager, KMS, MSK, Lambda.
      expect([stack.stackName, toImpact.length]).toEqual([stack.stackName, 6]);
    }
  });
});

describe('the pre-alert function\'s table access', () => {
  it('is exactly what it does with the table (claims and alert records: GetItem, PutItem, DeleteItem; the dependency index: Query and its transactions\' PutItem / DeleteItem), no UpdateItem (it paces no Slack lane), no scans', () => {
    for (const stack of [on, off]) {
      const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.table.node.defaultChild as never), 'Arn'] };
      const dynamo = statementsOf(stack, stack.preAlert!.function).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      expect([...new Set(dynamo.flatMap(actions))].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
      for (const s of dynamo) expect(s.Resource).toEqual(tableArn);
    }
  });
});

describe('preAlerts, remediation and changes on: the checks every deployment passes', () => {
  it('is cdk-nag clean (AwsSolutionsChecks): nothing neither fixed nor acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const lintMissing = cfnLint.error !== undefined || cfnLint.status !== 0;
  if (lintMissing) process.stderr.write('changes.test: cfn-lint SKIPPED — cfn-lint is not installed (pip install cfn-lint)\n');
  (lintMissing ? it.skip : it)('passes cfn-lint with no error or warning, switches on and off', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-doctor-changes-'));
    try {
      const files = [on, off].map((stack) => {
        const file = path.join(dir, `${stack.stackName}.template.json`);
        fs.writeFileSync(file, JSON.stringify(templateOf(stack).toJSON()));
        return file;
      });
      const res = spawnSync('cfn-lint', files, { encoding: 'utf8' });
      expect(res.stdout + res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
