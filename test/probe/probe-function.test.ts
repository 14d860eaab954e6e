/**
 * The probe function construct, in a tiny test stack (aws-cdk-lib/assertions): the ESM's subnets
 * and security groups, no VPC on the internet, only the permissions the probe needs, one function
 * per network position. Bundling is skipped here except in the one test that bundles for real.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ProbeFunction, ProbeFunctions, networkPositionKey, type ProbePlacement } from '../../infra/constructs/probe-function';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3';
const MSK: ProbePlacement = { kind: 'vpc', vpcId: 'vpc-0c1d2e3f4a5b6c7d8', subnetIds: ['subnet-0a11aa11aa11aa111', 'subnet-0b22bb22bb22bb222'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'], availabilityZones: ['eu-west-1a', 'eu-west-1b'] };
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-Ab12Cd';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function stack(bundle = false) {
  const app = new App(bundle ? { outdir: path.join(__dirname, '..', '.tmp', 'probe', 'cdk.out') } : { context: { 'aws:cdk:bundling-stacks': [] } });
  return { app, stack: new Stack(app, 'ProbeTest', { env: ENV }) };
}

function statements(template: Template): Array<{ Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement);
}

/** What every esm-doctor function has (own logs, X-Ray, ENIs in a VPC): the probe's own grants are the rest. */
function isHouseStatement(x: { Sid?: string; Action: string | string[] }): boolean {
  return x.Sid === 'WriteOwnLogs' || x.Sid === 'ManageVpcEnis' || [x.Action].flat().every((a) => a.startsWith('xray:'));
}

function grants(template: Template) {
  return statements(template).filter((x) => !isHouseStatement(x));
}

describe('ProbeFunction', () => {
  it('runs in the MSK cluster\'s client subnets with its security groups, nodejs22.x on arm64', () => {
    const { stack: s } = stack();
    new ProbeFunction(s, 'Probe', { placement: MSK });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      VpcConfig: { SubnetIds: MSK.subnetIds, SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
    });
    // No security group of its own: the ESM's groups decide what the probe may reach.
    t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    // The ENI permissions as a statement of its own role, like every esm-doctor function: no managed policy.
    expect(statements(t).find((x) => x.Sid === 'ManageVpcEnis')).toMatchObject({ Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']), Resource: '*' });
    expect(JSON.stringify(t.toJSON())).not.toContain('AWSLambdaVPCAccessExecutionRole');
    t.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' }, LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }) });
  });

  it('has no VPC for a self-managed ESM on the internet, and only the basic execution role', () => {
    const { stack: s } = stack();
    new ProbeFunction(s, 'Probe', { placement: { kind: 'internet' } });
    const t = Template.fromStack(s);
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0] as { Properties: Record<string, unknown> };
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(JSON.stringify(t.toJSON())).not.toContain('AWSLambdaVPCAccessExecutionRole');
    expect(statements(t).map((x) => x.Sid)).not.toContain('ManageVpcEnis');
    expect(grants(t)).toEqual([]);
  });

  it('may read exactly the ESM\'s secrets, decrypt only through Secrets Manager, and connect and describe for IAM', () => {
    const { stack: s } = stack();
    new ProbeFunction(s, 'Probe', {
      placement: MSK,
      secretArns: [SECRET, SECRET],
      kmsKeyArns: [KEY],
      iamClusters: [{ clusterArn: CLUSTER_ARN, topics: ['orders'], groups: ['14e0db71-5d35-4eb5-b481-8945cf9d10c2'] }],
    });
    const all = grants(Template.fromStack(s));
    expect(all).toEqual([
      { Sid: 'ReadEsmSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET },
      { Sid: 'DecryptEsmSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } },
      { Sid: 'ConnectToIamClusters', Effect: 'Allow', Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], Resource: CLUSTER_ARN },
      { Sid: 'DescribeEsmTopics', Effect: 'Allow', Action: 'kafka-cluster:DescribeTopic', Resource: 'arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders' },
      { Sid: 'DescribeEsmGroups', Effect: 'Allow', Action: 'kafka-cluster:DescribeGroup', Resource: 'arn:aws:kafka:eu-west-1:123456789012:group/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/14e0db71-5d35-4eb5-b481-8945cf9d10c2' },
    ]);
    expect(JSON.stringify(all)).not.toMatch(/"Resource":"\*"|kafka-cluster:\*|ReadData|AlterGroup/);
  });

  it('refuses a VPC position without security groups', () => {
    const { stack: s } = stack();
    expect(() => new ProbeFunction(s, 'Probe', { placement: { ...MSK, kind: 'vpc', securityGroupIds: [] } })).toThrow(/needs subnets and security groups/);
  });

  it('bundles bot/handlers/probe.ts with the local esbuild (no Docker)', () => {
    const { app, stack: s } = stack(true);
    new ProbeFunction(s, 'Probe', { placement: { kind: 'internet' } });
    const assembly = app.synth();
    const asset = readdirSync(assembly.directory).find((d) => d.startsWith('asset.'));
    expect(asset).toBeDefined();
    expect(existsSync(path.join(assembly.directory, asset!, 'index.js'))).toBe(true);
  });
});

describe('ProbeFunctions', () => {
  it('deploys one function per distinct network position, with the union of its ESMs\' secrets', () => {
    const { stack: s } = stack();
    const other = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/clickstream-Zz99Yy';
    const fns = new ProbeFunctions(s, 'Probes', {
      targets: [
        { placement: MSK, secretArns: [SECRET] },
        { placement: { ...MSK, subnetIds: [...MSK.subnetIds].reverse() }, secretArns: [other] },
        { placement: { kind: 'internet' } },
      ],
    });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Lambda::Function', 2);
    expect(fns.byPosition.size).toBe(2);
    expect(fns.byPosition.has(networkPositionKey(MSK))).toBe(true);
    const reads = grants(t).filter((x) => x.Sid === 'ReadEsmSecrets');
    expect(reads).toEqual([expect.objectContaining({ Resource: [SECRET, other] })]);
  });
});
