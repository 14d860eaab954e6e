/**
 * Change-aware against the extended moto: a healthy environment is seeded through the real SDK, a
 * change is made through the real SDK (which moto_ext's CloudTrail event history records), and the
 * CloudTrail event EventBridge would deliver for that call is handed to `impact` — through the
 * engine and through the real CLI. `dependents` and `diagnose`'s "changed before the failure" run
 * against the same moto.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  ModifySecurityGroupRulesCommand,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand } from '@aws-sdk/client-iam';
import { BatchDisassociateScramSecretCommand, CreateTopicCommand, DeleteClusterCommand, DescribeClusterV2Command, UpdateConnectivityCommand, UpdateSecurityCommand } from '@aws-sdk/client-kafka';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { CreateEventSourceMappingCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createClients } from '../../bot/collect/clients';
import { parseCall } from '../../bot/impact/events';
import { assessImpact, findDependents, type ImpactResult } from '../../bot/impact/run';
import { diagnose } from '../../bot/diagnose';
import { createFunction, SEED_ACCOUNT, seedMskIamWithEndpoints, seedMskIamWithNat, seedMskScram, setEsmStatus, type MskScenario } from '../support/aws-seed';
import type { AwsClients as SeedClients } from '../support/aws-seed';
import { withMoto, useMotoEnv } from './harness';

const REGION = 'eu-west-1';
const CLI = path.resolve(__dirname, '../../bin/esm-doctor.cjs');
const PRINCIPAL = `arn:aws:sts::${SEED_ACCOUNT}:assumed-role/platform-admin/jane`;
const FIXTURES = path.resolve(__dirname, '../fixtures/cloudtrail');

/** The fixture's envelope (EventBridge's shape, CloudTrail's userIdentity) with this call's parameters. */
function eventFor(fixture: string, requestParameters: Record<string, unknown>, eventTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z')): Record<string, unknown> {
  const event = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${fixture}.json`), 'utf8')) as { detail: Record<string, unknown>; time: string };
  event.detail.requestParameters = requestParameters;
  event.detail.eventTime = eventTime;
  event.time = eventTime;
  delete event.detail.resources;
  return event;
}

/** A second mapping on the same cluster (another function and topic): what "the ESMs on that cluster" means. */
async function secondEsm(c: SeedClients, endpoint: string, s: MskScenario): Promise<string> {
  await c.kafka.send(new CreateTopicCommand({ ClusterArn: s.clusterArn, TopicName: 'payments', PartitionCount: 6, ReplicationFactor: 3 }));
  await createFunction(c, { name: 'payments-consumer', roleArn: s.roleArn });
  const esm = await c.lambda.send(
    new CreateEventSourceMappingCommand({ EventSourceArn: s.clusterArn, FunctionName: 'payments-consumer', Topics: ['payments'], StartingPosition: 'LATEST', BatchSize: 100 }),
  );
  await setEsmStatus(endpoint, esm.UUID!, { State: 'Enabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK' });
  return esm.UUID!;
}

withMoto('impact, dependents and changes against the extended moto', (ctx) => {
  useMotoEnv(ctx);
  const clients = () => createClients(REGION, { env: ctx.moto().env, maxAttempts: 1 });

  afterAll(() => {
  });

  async function impactOf(event: Record<string, unknown>): Promise<ImpactResult> {
    return assessImpact(parseCall(event), { clients: clients(), region: REGION });
  }

  const brokenBy = (r: ImpactResult) => Object.fromEntries(r.esms.map((e) => [e.uuid, e.broken ? e.cause : 'not broken']));

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...ctx.moto().env };
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('the self-referencing rule revoked: both ESMs on the cluster broken by network.sg-broker-ingress; dependents lists them; diagnose names the change (CLI)', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const other = await secondEsm(ctx.aws(), ctx.moto().endpoint, s);
    const sg = s.clusterSecurityGroupId;
    // Nothing revoked yet: both ESMs depend on the SG, neither fails.
    const before = await impactOf(eventFor('revoke-security-group-ingress', { groupId: sg, ipPermissions: { items: [] } }));
    expect(brokenBy(before)).toEqual({ [s.uuid]: 'not broken', [other]: 'not broken' });

    await ctx.aws().ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: sg, Description: 'Kafka clients in this SG' }] }] }),
    );
    const file = writeEvent(
      eventFor('revoke-security-group-ingress', { groupId: sg, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 9098, toPort: 9098, groups: { items: [{ groupId: sg }] } }] } }),
    );
    const out = await cli(['impact', '--event', file, '--format', 'json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    const result = JSON.parse(out.stdout) as ImpactResult;
    expect(result.event).toMatchObject({ name: 'RevokeSecurityGroupIngress', principal: PRINCIPAL, resources: [sg] });
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'network.sg-broker-ingress', [other]: 'network.sg-broker-ingress' });
    expect(result.esms.every((e) => e.report.verdict === 'failing')).toBe(true);

    const text = await cli(['impact', '--event', file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`RevokeSecurityGroupIngress on ${sg} by ${PRINCIPAL}`);
    expect(text.stdout).toContain('2 ESMs depend on it; 2 broken by this change.');

    const deps = await cli(['dependents', sg, '--region', REGION, '--format', 'json']);
    expect(deps.code).toBe(0);
    expect(JSON.parse(deps.stdout)).toEqual({ resource: sg, esms: expect.arrayContaining([expect.objectContaining({ uuid: s.uuid, functionArn: s.functionArn }), expect.objectContaining({ uuid: other })]) });
    expect((JSON.parse(deps.stdout) as { esms: unknown[] }).esms).toHaveLength(2);

    const diag = await cli(['diagnose', s.uuid, '--region', REGION]);
    expect(diag.code).toBe(1);
    expect(diag.stdout).toMatch(new RegExp(`Changed (less than a minute|\\d+ min) before the failure: RevokeSecurityGroupIngress on ${sg} by arn:aws:iam::${SEED_ACCOUNT}:user/moto`));
    const { report } = await diagnose({ uuid: other, region: REGION }, { changes: {} });
    expect(report.changes?.[0]).toMatchObject({ event: 'RevokeSecurityGroupIngress', resource: sg, source: 'cloudtrail' });
    // The seed's own AuthorizeSecurityGroupIngress is in the history too, older.
    expect(report.changes?.map((c) => c.event)).toContain('AuthorizeSecurityGroupIngress');
    expect((await diagnose({ uuid: other, region: REGION })).report.changes).toBeUndefined();
  }, 120_000);

  it('a change that breaks nothing: an unrelated SG revoke leaves the ESMs healthy, exit 0', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const result = await impactOf(eventFor('revoke-security-group-ingress', { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [] } }));
    expect(result.esms).toEqual([]);
    const own = await impactOf(eventFor('authorize-security-group-ingress', { groupId: s.clusterSecurityGroupId, ipPermissions: { items: [] } }));
    expect(brokenBy(own)).toEqual({ [s.uuid]: 'not broken' });
    expect(own.esms[0]!.verdict).toBe('healthy');
  });

  it('route: the default route to the NAT gateway deleted breaks egress (egress.*)', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    await ctx.aws().ec2.send(new DeleteRouteCommand({ RouteTableId: s.network.privateRouteTableId, DestinationCidrBlock: '0.0.0.0/0' }));
    const result = await impactOf(eventFor('delete-route', { routeTableId: s.network.privateRouteTableId, destinationCidrBlock: '0.0.0.0/0' }));
    expect(result.esms).toHaveLength(1);
    expect(result.esms[0]).toMatchObject({ broken: true, cause: expect.stringMatching(/^egress\./) });
  });

  it('VPC endpoint: the STS endpoint deleted breaks egress.sts', async () => {
    const s = await seedMskIamWithEndpoints(ctx.aws(), ctx.moto());
    const vpce = s.network.endpointIds.sts!;
    await ctx.aws().ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [vpce] }));
    const result = await impactOf(eventFor('delete-vpc-endpoints', { DeleteVpcEndpointsRequest: { VpcEndpointId: { tag: 1, content: vpce } } }));
    expect(result.esms.map((e) => [e.uuid, e.broken, e.cause])).toEqual([[s.uuid, true, 'egress.sts']]);
  });

  it('IAM: the inline kafka-cluster policy deleted from the role breaks iam.execution-role', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    await ctx.aws().iam.send(new DeleteRolePolicyCommand({ RoleName: s.roleName, PolicyName: 'msk-iam-access' }));
    const result = await impactOf(eventFor('delete-role-policy', { roleName: s.roleName, policyName: 'msk-iam-access' }));
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'iam.execution-role' });
  });

  it('Secrets Manager: the SCRAM secret deleted breaks the secret checks', async () => {
    const s = await seedMskScram(ctx.aws(), ctx.moto());
    await ctx.aws().secrets.send(new DeleteSecretCommand({ SecretId: s.secretArn!, ForceDeleteWithoutRecovery: true }));
    const result = await impactOf(eventFor('delete-secret', { secretId: s.secretArn!, forceDeleteWithoutRecovery: true }));
    expect(result.esms).toHaveLength(1);
    expect(result.esms[0]).toMatchObject({ broken: true, cause: expect.stringMatching(/^secret\./) });
  });

  it('KMS: the secret\'s key disabled is found through the secret and breaks a secret check', async () => {
    const s = await seedMskScram(ctx.aws(), ctx.moto());
    const keyId = s.kmsKeyArn!.split('/').pop()!;
    await ctx.aws().kms.send(new DisableKeyCommand({ KeyId: keyId }));
    const result = await impactOf(eventFor('disable-key', { keyId }));
    expect(result.esms.map((e) => e.uuid)).toEqual([s.uuid]);
    expect(result.esms[0]).toMatchObject({ broken: true, cause: expect.stringMatching(/^secret\./) });
  });

  it('MSK: the secret disassociated from the cluster breaks secret.msk-scram', async () => {
    const s = await seedMskScram(ctx.aws(), ctx.moto());
    await ctx.aws().kafka.send(new BatchDisassociateScramSecretCommand({ ClusterArn: s.clusterArn, SecretArnList: [s.secretArn!] }));
    const result = await impactOf(eventFor('batch-disassociate-scram-secret', { clusterArn: s.clusterArn, secretArnList: [s.secretArn!] }));
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'secret.msk-scram' });
  });

  it('Lambda: reserved concurrency 0 breaks function.concurrency', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    await ctx.aws().lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: s.functionName, ReservedConcurrentExecutions: 0 }));
    const result = await impactOf(eventFor('put-function-concurrency', { functionName: s.functionName, reservedConcurrentExecutions: 0 }));
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'function.concurrency' });
  });

  it('the CLI: exit 2 with one line for an unsupported event and for a file that is not JSON', async () => {
    const unsupported = await cli(['impact', '--event', path.join(FIXTURES, 'unsupported-create-bucket.json')]);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr.trim().split('\n')).toHaveLength(1);
    expect(unsupported.stderr).toMatch(/CreateBucket is not a call esm-doctor assesses/);
    const garbage = writeEvent('{"nope"');
    const bad = await cli(['impact', '--event', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not JSON/);
    const denied = await cli(['impact', '--event', path.join(FIXTURES, 'revoke-denied.json')]);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('The call failed (Client.UnauthorizedOperation): it changed nothing.');
  }, 90_000);

  // ---- The call families below had no moto coverage: each change made through the real SDK (moto,
  // or moto_ext where moto lacks the call), then the event EventBridge would deliver for it.

  it('ModifySecurityGroupRules: the self-referencing rule moved to another port breaks network.sg-broker-ingress', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const sg = s.clusterSecurityGroupId;
    const rules = await ctx.aws().ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }] }));
    const self = rules.SecurityGroupRules!.find((r) => !r.IsEgress && r.FromPort === 9098 && r.ReferencedGroupInfo?.GroupId === sg)!;
    expect(self).toBeDefined();
    // Still from the group itself, but on SCRAM's port: the IAM listener (9098) is no longer admitted.
    const replacement = { IpProtocol: 'tcp', FromPort: 9096, ToPort: 9096, ReferencedGroupId: sg };
    await ctx.aws().ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sg, SecurityGroupRules: [{ SecurityGroupRuleId: self.SecurityGroupRuleId!, SecurityGroupRule: replacement }] }));
    // EC2's newer calls arrive wrapped, PascalCase; one list entry is a bare object.
    const event = eventFor('modify-security-group-rules', {
      ModifySecurityGroupRulesRequest: { GroupId: sg, SecurityGroupRule: { SecurityGroupRuleId: self.SecurityGroupRuleId, SecurityGroupRule: replacement, tag: 1 } },
    });
    expect(brokenBy(await impactOf(event))).toEqual({ [s.uuid]: 'network.sg-broker-ingress' });
  });

  /** The network ACL the cluster's client subnets use (the VPC's default one, as seeded). */
  async function aclOf(subnetId: string): Promise<{ aclId: string; associationId: string }> {
    const out = await ctx.aws().ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
    const acl = out.NetworkAcls![0]!;
    return { aclId: acl.NetworkAclId!, associationId: acl.Associations!.find((a) => a.SubnetId === subnetId)!.NetworkAclAssociationId! };
  }

  it('NACL entries: a deny on the broker port breaks network.nacl, deleting it mends; an egress deny-all breaks, restoring mends; deleting the ingress allow breaks', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const { aclId } = await aclOf(s.network.privateSubnetIds[0]!);
    const ec2 = ctx.aws().ec2;
    const step = async (fixture: string, params: Record<string, unknown>) => brokenBy(await impactOf(eventFor(fixture, { networkAclId: aclId, ...params })));

    await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Egress: false, RuleAction: 'deny', Protocol: '6', PortRange: { From: 9098, To: 9098 }, CidrBlock: '10.20.0.0/16' }));
    expect(await step('create-network-acl-entry', { ruleNumber: 90, egress: false, ruleAction: 'deny', icmpTypeCode: {}, portRange: { from: 9098, to: 9098 }, aclProtocol: '6', cidrBlock: '10.20.0.0/16' })).toEqual({ [s.uuid]: 'network.nacl' });

    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Egress: false }));
    expect(await step('delete-network-acl-entry', { ruleNumber: 90, egress: false })).toEqual({ [s.uuid]: 'not broken' });

    await ec2.send(new ReplaceNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: true, RuleAction: 'deny', Protocol: '-1', CidrBlock: '0.0.0.0/0' }));
    expect(await step('replace-network-acl-entry', { ruleNumber: 100, egress: true, ruleAction: 'deny', icmpTypeCode: {}, portRange: {}, aclProtocol: '-1', cidrBlock: '0.0.0.0/0' })).toEqual({ [s.uuid]: 'network.nacl' });

    await ec2.send(new ReplaceNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: true, RuleAction: 'allow', Protocol: '-1', CidrBlock: '0.0.0.0/0' }));
    expect(await step('replace-network-acl-entry', { ruleNumber: 100, egress: true, ruleAction: 'allow', icmpTypeCode: {}, portRange: {}, aclProtocol: '-1', cidrBlock: '0.0.0.0/0' })).toEqual({ [s.uuid]: 'not broken' });

    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: false }));
    expect(await step('delete-network-acl-entry', { ruleNumber: 100, egress: false })).toEqual({ [s.uuid]: 'network.nacl' });
  }, 90_000);

  it('ReplaceNetworkAclAssociation: a client subnet moved to a new (deny-all) ACL breaks network.nacl', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const subnet = s.network.privateSubnetIds[1]!;
    const { associationId } = await aclOf(subnet);
    const created = await ctx.aws().ec2.send(new CreateNetworkAclCommand({ VpcId: s.network.vpcId }));
    const newAcl = created.NetworkAcl!.NetworkAclId!;
    await ctx.aws().ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: associationId, NetworkAclId: newAcl }));
    const result = await impactOf(eventFor('replace-network-acl-association', { associationId, networkAclId: newAcl }));
    expect(result.event.resources).toEqual([associationId, newAcl]);
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'network.nacl' });
  });

  it('DeleteNatGateway: the private subnets\' NAT gateway deleted breaks egress (egress.*)', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const nat = s.network.natGatewayId!;
    await ctx.aws().ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
    const result = await impactOf(eventFor('delete-nat-gateway', { DeleteNatGatewayRequest: { NatGatewayId: nat } }));
    expect(result.esms).toHaveLength(1);
    expect(result.esms[0]).toMatchObject({ uuid: s.uuid, broken: true, cause: expect.stringMatching(/^egress\./) });
  });

  const versionOf = async (clusterArn: string) => (await ctx.aws().kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }))).ClusterInfo!.CurrentVersion!;

  it('MSK UpdateSecurity: IAM access control turned off (SCRAM on) breaks both IAM ESMs on the cluster (msk.bootstrap, auth.mode); exit 1 (CLI)', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const other = await secondEsm(ctx.aws(), ctx.moto().endpoint, s);
    const currentVersion = await versionOf(s.clusterArn);
    const out = await ctx.aws().kafka.send(new UpdateSecurityCommand({ ClusterArn: s.clusterArn, CurrentVersion: currentVersion, ClientAuthentication: { Sasl: { Iam: { Enabled: false }, Scram: { Enabled: true } } } }));
    expect(out.ClusterOperationArn).toMatch(/:cluster-operation\/orders-prod\//);
    expect(await versionOf(s.clusterArn)).not.toBe(currentVersion);
    // The version is MSK's optimistic lock: the same update with the old version is refused.
    await expect(ctx.aws().kafka.send(new UpdateSecurityCommand({ ClusterArn: s.clusterArn, CurrentVersion: currentVersion, ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } }))).rejects.toMatchObject({ name: 'BadRequestException' });

    const file = writeEvent(eventFor('update-security', { clusterArn: s.clusterArn, currentVersion, clientAuthentication: { sasl: { scram: { enabled: true }, iam: { enabled: false } } } }));
    const run = await cli(['impact', '--event', file, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as ImpactResult;
    expect(result.event).toMatchObject({ name: 'UpdateSecurity', resources: [s.clusterArn] });
    // The IAM listener is gone (msk.bootstrap, the cause) and Lambda has no mode left to use (auth.mode).
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'msk.bootstrap', [other]: 'msk.bootstrap' });
    for (const esm of result.esms) {
      const failing = esm.report.findings.filter((f) => f.status === 'fail').map((f) => f.check);
      expect(failing).toEqual(expect.arrayContaining(['msk.bootstrap', 'auth.mode']));
    }
  }, 90_000);

  it('MSK UpdateConnectivity: multi-VPC connectivity turned on breaks nothing; exit 0 (CLI)', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const currentVersion = await versionOf(s.clusterArn);
    const connectivityInfo = { VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } };
    await ctx.aws().kafka.send(new UpdateConnectivityCommand({ ClusterArn: s.clusterArn, CurrentVersion: currentVersion, ConnectivityInfo: connectivityInfo }));
    const described = await ctx.aws().kafka.send(new DescribeClusterV2Command({ ClusterArn: s.clusterArn }));
    expect(described.ClusterInfo!.Provisioned!.BrokerNodeGroupInfo!.ConnectivityInfo!.VpcConnectivity).toEqual({ ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } });

    const file = writeEvent(eventFor('update-connectivity', { clusterArn: s.clusterArn, currentVersion, connectivityInfo: { vpcConnectivity: { clientAuthentication: { sasl: { iam: { enabled: true } } } } } }));
    const run = await cli(['impact', '--event', file, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(brokenBy(JSON.parse(run.stdout) as ImpactResult)).toEqual({ [s.uuid]: 'not broken' });
  }, 90_000);

  it('MSK DeleteCluster: the cluster deleted breaks its ESM by msk.cluster', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    await ctx.aws().kafka.send(new DeleteClusterCommand({ ClusterArn: s.clusterArn }));
    const result = await impactOf(eventFor('delete-cluster', { clusterArn: s.clusterArn }));
    expect(brokenBy(result)).toEqual({ [s.uuid]: 'msk.cluster' });
  });

  it('dependents by role ARN and by secret name, shared reads: one cluster read for two ESMs', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    const other = await secondEsm(ctx.aws(), ctx.moto().endpoint, s);
    const byRole = await findDependents(clients(), s.roleArn);
    expect(byRole.esms.map((e) => e.uuid).sort()).toEqual([s.uuid, other].sort());
    const byFunction = await findDependents(clients(), s.functionName);
    expect(byFunction.esms.map((e) => e.uuid)).toEqual([s.uuid]);
    const diag = await diagnose({ uuid: s.uuid, region: REGION }, { changes: {} });
    expect(diag.report.verdict).toBe('healthy');
    expect(diag.report.changes).toBeUndefined(); // nothing fails: nothing is looked up
  });
});

let counter = 0;
function writeEvent(event: Record<string, unknown> | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-doctor-impact-'));
  const file = path.join(dir, `event-${counter++}.json`);
  fs.writeFileSync(file, typeof event === 'string' ? event : JSON.stringify(event));
  return file;
}
