/**
 * End to end against the extended moto: realistic environments seeded through the real SDK, then
 * diagnosed by the real engine (collectSnapshot → checks → Report) and by the real CLI
 * (`node bin/esm-doctor.cjs`). The SDK clients find moto through AWS_ENDPOINT_URL, as they would
 * find LocalStack or any emulator; nothing leaves the loopback interface.
 */
import { execFile } from 'node:child_process';
import { DeleteClusterCommand } from '@aws-sdk/client-kafka';
import * as path from 'node:path';
import { diagnose } from '../../bot/diagnose';
import { Report, type Finding } from '../../bot/model/report';
import {
  seedMskIamWithEndpoints,
  seedMskCrossAccount,
  seedMskIamWithNat,
  seedMskIgwOnly,
  seedMskProvisionedNoEgress,
  seedMskScram,
  seedSelfManaged,
  seedSqsEsm,
  setClusterState,
  setEsmStatus,
} from '../support/aws-seed';
import { withMoto, cliEnv, useMotoEnv } from './harness';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { poisonBatch } from '../../scenarios/metrics';

const REGION = 'eu-west-1';
const CLI = path.resolve(__dirname, '../../bin/esm-doctor.cjs');

function statusOf(report: Report, check: string): Finding['status'] | undefined {
  return report.findings.find((f) => f.check === check)?.status;
}

function failing(report: Report): string[] {
  return report.findings.filter((f) => f.status === 'fail').map((f) => f.check).sort();
}

function notPassing(report: Report): string[] {
  return report.findings.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'error').map((f) => `${f.check}:${f.status}`);
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

withMoto('esm-doctor against the extended moto', (ctx) => {
  useMotoEnv(ctx);

  function cli(args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: cliEnv(ctx), timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  // ----------------------------------------------------------------------------------------------
  describe('diagnose(): healthy environments', () => {
    it('is healthy for an on-demand MSK IAM ESM whose private subnets have a NAT gateway', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(notPassing(report)).toEqual([]);
      expect(report.verdict).toBe('healthy');
      expect(report.esm).toMatchObject({ source: 'msk', state: 'Enabled', lastProcessingResult: 'OK', clusterArn: s.clusterArn, topics: ['orders'] });
      expect(report.target).toMatchObject({ uuid: s.uuid, region: REGION, account: s.account });
      // The facts came from the extension's operations, not from fallbacks.
      expect(snapshot.cluster).toMatchObject({ ok: true, value: { State: 'ACTIVE', ClusterArn: s.clusterArn } });
      expect(snapshot.bootstrapBrokers).toMatchObject({ ok: true, value: { BootstrapBrokerStringSaslIam: expect.stringMatching(/:9098$/) } });
      expect(snapshot.topic).toMatchObject({ ok: true, value: { Found: true, TopicName: 'orders' } });
      expect(snapshot.permissions?.ok && snapshot.permissions.value.every((r) => r.EvalDecision === 'allowed')).toBe(true);
      expect(snapshot.network?.natGateways).toMatchObject({ ok: true, value: [{ NatGatewayId: s.network.natGatewayId, State: 'available' }] });
      for (const check of ['egress.sts', 'egress.lambda', 'network.sg-broker-ingress', 'iam.execution-role', 'msk.cluster', 'msk.bootstrap', 'topic.exists']) {
        expect([check, statusOf(report, check)]).toEqual([check, 'pass']);
      }
    });

    it('is healthy when STS and Lambda are reached through interface endpoints with private DNS', async () => {
      const s = await seedMskIamWithEndpoints(ctx.aws(), ctx.moto());
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(notPassing(report)).toEqual([]);
      expect(report.verdict).toBe('healthy');
      expect(snapshot.network?.natGateways).toMatchObject({ ok: true, value: [] });
      expect(statusOf(report, 'egress.sts')).toBe('pass');
      expect(statusOf(report, 'egress.lambda')).toBe('pass');
    });

    it('is healthy in provisioned mode with no egress at all: the invoke does not leave through the VPC', async () => {
      const s = await seedMskProvisionedNoEgress(ctx.aws(), ctx.moto());
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(notPassing(report)).toEqual([]);
      expect(report.verdict).toBe('healthy');
      expect(statusOf(report, 'egress.sts')).toBe('skip');
      expect(statusOf(report, 'egress.lambda')).toBe('skip');
    });

    it('is healthy for SASL/SCRAM with an AmazonMSK_ secret under a customer managed key, associated with the cluster', async () => {
      const s = await seedMskScram(ctx.aws(), ctx.moto());
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(notPassing(report)).toEqual([]);
      expect(snapshot.scramSecrets).toMatchObject({ ok: true, value: { SecretArnList: [s.secretArn] } });
      expect(snapshot.secrets[0]?.kmsKey).toMatchObject({ ok: true, value: { KeyManager: 'CUSTOMER', Arn: s.kmsKeyArn } });
      expect(statusOf(report, 'secret.readable')).toBe('pass');
      expect(statusOf(report, 'secret.msk-scram')).toBe('pass');
      expect(statusOf(report, 'egress.secretsmanager')).toBe('pass');
    });

    it('is healthy for a self-managed SCRAM ESM in a VPC whose bootstrap hosts resolve', async () => {
      const s = await seedSelfManaged(ctx.aws(), ctx.moto());
      // Name resolution is injected so the test never asks a DNS server anything.
      const resolver = async () => [{ address: '10.30.1.15', family: 4 }];
      const { report } = await diagnose({ uuid: s.uuid, region: REGION }, { resolver });
      expect(notPassing(report)).toEqual([]);
      expect(report.esm).toMatchObject({ source: 'self-managed', bootstrapServers: s.bootstrapServers });
      expect(statusOf(report, 'kafka.bootstrap-dns')).toBe('pass');
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Issue 11, item 10: a cross-account ESM is placed by its managed VPC connection (DescribeVpcConnection).
  describe('diagnose(): cross-account MSK through a managed VPC connection', () => {
    it('is healthy when the connection\'s group admits itself on 14001-14100 and the subnets have a NAT gateway', async () => {
      const s = await seedMskCrossAccount(ctx.aws(), ctx.moto());
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(snapshot.vpcConnection).toMatchObject({ ok: true, value: { State: 'AVAILABLE', Authentication: 'SASL_IAM', Subnets: s.network.privateSubnetIds, SecurityGroups: [s.connectionSecurityGroupId] } });
      expect(snapshot.network?.subnets).toMatchObject({ ok: true });
      expect(snapshot.network?.vpcId).toBe(s.network.vpcId);
      expect(notPassing(report)).toEqual([]);
      expect(report.verdict).toBe('healthy');
      for (const check of ['msk.vpc-connection', 'network.sg-broker-ingress', 'network.sg-egress', 'network.nacl', 'egress.sts', 'egress.lambda']) {
        expect([check, statusOf(report, check)]).toEqual([check, 'pass']);
      }
      expect(statusOf(report, 'msk.cluster')).toBe('skip');
    });

    it('fails network.sg-egress when the connection\'s group lets only 443 out', async () => {
      const s = await seedMskCrossAccount(ctx.aws(), ctx.moto(), { connectionEgress: '443-only' });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['network.sg-egress']);
      expect(report.cause).toBe('network.sg-egress');
      expect(report.findings.find((f) => f.check === 'network.sg-egress')?.detail).toContain('14001-14100');
    });
  });

  describe('diagnose(): broken environments', () => {
    it('fails network.sg-broker-ingress when the cluster SG admits 9098 only from an office range, not from itself', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['network.sg-broker-ingress']);
      const finding = report.findings.find((f) => f.check === 'network.sg-broker-ingress')!;
      expect(finding.detail).toContain(s.clusterSecurityGroupId);
      expect(finding.detail).toContain('9098');
      expect(finding.fix).toMatch(/authorize-security-group-ingress/);
      expect(report.verdict).toBe('failing');
      expect(report.headline).toMatch(/step 4/);
    });

    it('fails egress.sts and egress.lambda when on-demand subnets route 0.0.0.0/0 to an internet gateway only', async () => {
      const s = await seedMskIgwOnly(ctx.aws(), ctx.moto());
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['egress.lambda', 'egress.sts']);
      expect(report.findings.find((f) => f.check === 'egress.sts')!.detail).toContain(s.network.internetGatewayId!);
      expect(report.headline).toMatch(/step 1/);
    });

    it('fails egress.sts and egress.lambda when the interface endpoints have private DNS disabled', async () => {
      const s = await seedMskIamWithEndpoints(ctx.aws(), ctx.moto(), { privateDns: false });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['egress.lambda', 'egress.sts']);
      expect(report.findings.find((f) => f.check === 'egress.sts')!.detail).toMatch(/private DNS/i);
      expect(report.findings.find((f) => f.check === 'egress.sts')!.detail).toContain(s.network.endpointIds.sts!);
    });

    it('fails egress.sts and egress.lambda when the endpoint policies do not admit the Lambda service principal', async () => {
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: '*', Resource: '*' }],
      });
      const s = await seedMskIamWithEndpoints(ctx.aws(), ctx.moto(), { endpointPolicy: policy });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['egress.lambda', 'egress.sts']);
      expect(report.findings.find((f) => f.check === 'egress.sts')!.detail).toMatch(/policy of vpce-.*blocks sts:AssumeRole/);
    });

    it('fails egress.secretsmanager when a SCRAM ESM has endpoints for STS and Lambda but not Secrets Manager', async () => {
      const s = await seedMskScram(ctx.aws(), ctx.moto(), { egress: 'endpoints', endpointServices: ['sts', 'lambda'] });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['egress.secretsmanager']);
    });

    it('fails secret.readable when the SCRAM secret the ESM names does not exist', async () => {
      const s = await seedMskScram(ctx.aws(), ctx.moto(), { secret: 'missing' });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(statusOf(report, 'secret.readable')).toBe('fail');
      expect(report.findings.find((f) => f.check === 'secret.readable')!.detail).toContain(s.secretArn!);
      expect(report.headline).toMatch(/step 2/);
    });

    it('fails secret.msk-scram when the secret was never associated with the cluster', async () => {
      const s = await seedMskScram(ctx.aws(), ctx.moto(), { secret: 'not-associated' });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['secret.msk-scram']);
    });

    it('fails secret.msk-scram when the secret uses the default aws/secretsmanager key', async () => {
      const s = await seedMskScram(ctx.aws(), ctx.moto(), { secret: 'default-key' });
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(snapshot.secrets[0]?.describe).toMatchObject({ ok: true });
      expect(statusOf(report, 'secret.msk-scram')).toBe('fail');
    });

    it('fails iam.execution-role when the role has AWSLambdaMSKExecutionRole but no kafka-cluster:*', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { kafkaClusterPermissions: false });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['iam.execution-role']);
      const finding = report.findings.find((f) => f.check === 'iam.execution-role')!;
      expect(finding.detail).toContain('kafka-cluster:Connect');
      expect(finding.detail).toContain('kafka-cluster:ReadData');
      expect(finding.detail).toContain('AWSLambdaMSKExecutionRole');
    });

    it('fails esm.last-result for a PROBLEM: result and names the check that confirms it', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), {
        kafkaClusterPermissions: false,
        status: { LastProcessingResult: 'PROBLEM: Cluster failed to authorize Lambda.' },
      });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['esm.last-result', 'iam.execution-role']);
      expect(report.esm?.lastProcessingResult).toBe('PROBLEM: Cluster failed to authorize Lambda.');
      expect(report.findings.find((f) => f.check === 'esm.last-result')!.detail).toMatch(/Confirmed by: .*iam\.execution-role \(fail\)/);
      // The setup step is the cause; Lambda's message is the symptom.
      expect(report.headline).toMatch(/step 6/);
    });

    it('fails esm.last-result for a connection error that no configuration check explains', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), {
        status: { LastProcessingResult: 'PROBLEM: Connection error. Please check your event source connection configuration.' },
      });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['esm.last-result']);
      expect(report.findings[0]!.detail).toMatch(/None of the checks that would confirm it/);
    });

    it('fails esm.state when Lambda disabled the mapping with an error code', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      await setEsmStatus(ctx.moto().endpoint, s.uuid, { State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR', LastProcessingResult: 'PROBLEM: SASL authentication failed.' });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(statusOf(report, 'esm.state')).toBe('fail');
      expect(report.esm).toMatchObject({ state: 'Disabled', stateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR' });
    });

    it('fails topic.exists when the topic is not on the cluster', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { createTopic: false });
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(snapshot.topic).toMatchObject({ ok: true, value: { Found: false, TopicName: 'orders' } });
      expect(failing(report)).toEqual(['topic.exists']);
    });

    it('fails msk.cluster for a FAILED cluster and only warns while MSK heals a broker', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      await setClusterState(ctx.moto().endpoint, s.clusterArn, 'HEALING', { Code: 'BrokerReplacement', Message: 'Broker 2 is being replaced.' });
      const healing = (await diagnose({ uuid: s.uuid, region: REGION })).report;
      expect(notPassing(healing)).toEqual(['msk.cluster:warn']);
      expect(healing.verdict).toBe('at-risk');
      await setClusterState(ctx.moto().endpoint, s.clusterArn, 'FAILED', { Code: 'InsufficientCapacity', Message: 'Not enough capacity for kafka.m7g.large in eu-west-1c.' });
      const failed = (await diagnose({ uuid: s.uuid, region: REGION })).report;
      expect(statusOf(failed, 'msk.cluster')).toBe('fail');
      expect(failed.findings.find((f) => f.check === 'msk.cluster')!.detail).toMatch(/FAILED.*InsufficientCapacity/);
    });

    it('fails msk.cluster when the cluster was deleted (DescribeClusterV2: NotFoundException)', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      await ctx.aws().kafka.send(new DeleteClusterCommand({ ClusterArn: s.clusterArn }));
      const { report, snapshot } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(snapshot.cluster).toMatchObject({ ok: false, error: { code: 'NotFoundException' } });
      expect(statusOf(report, 'msk.cluster')).toBe('fail');
      expect(report.headline).toMatch(/step 3.*does not exist/);
    });

    it('fails function.concurrency when the function has reserved concurrency 0', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { reservedConcurrency: 0 });
      const { report } = await diagnose({ uuid: s.uuid, region: REGION });
      expect(failing(report)).toEqual(['function.concurrency']);
    });
  });

  // ----------------------------------------------------------------------------------------------
  describe('the CLI', () => {
    it('reports a silent stall (the function fails every batch while the ESM says OK) with the failing batch as the cause and the sparkline', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      const cw = new CloudWatchClient({ endpoint: ctx.moto().endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
      const now = Date.now() - (Date.now() % 60_000);
      const v = poisonBatch(3, 15, 3_000);
      const put = async (metric: string, values: (number | null)[] | undefined) => {
        const data = (values ?? []).flatMap((value, i) =>
          value === null ? [] : [{ MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: s.functionName }], Timestamp: new Date(now - (60 - i) * 60_000 + 5_000), Value: value }],
        );
        for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 20) }));
      };
      await put('OffsetLag', v.offsetLag);
      await put('Invocations', v.invocations);
      await put('Errors', v.errors);
      await put('Duration', v.durationMax);
      cw.destroy();
      const out = await cli(['diagnose', s.uuid, '--region', REGION, '--window', '60m', '--no-color']);
      expect(out.code).toBe(1);
      // The headline wraps to the terminal's width (80 when piped): compare it with its line breaks as spaces.
      expect(out.stdout.replace(/\n(?=\S)/g, ' ')).toMatch(/^FAILING {2}Failing at step 9 of 9 \(Invoke the function\): Partition stalled on a failing batch: the function is (timing out|failing) on 100% of invocations/);
      expect(out.stdout).toContain('Lambda says: "OK"');
      expect(out.stdout).toMatch(/Offset lag {4}[▁▂▃▄▅▆▇█ ]{30} {2}[\d,]+ → [\d,]+ \(60 min\)/);
    });

    it('prints exactly one Report as JSON and exits 1 for a failing ESM', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const out = await cli(['diagnose', s.uuid, '--region', REGION, '--format', 'json']);
      expect(out.code).toBe(1);
      const report = Report.parse(JSON.parse(out.stdout)); // one JSON document, nothing else on stdout
      expect(report.target.uuid).toBe(s.uuid);
      expect(report.verdict).toBe('failing');
      expect(failing(report)).toEqual(['network.sg-broker-ingress']);
      expect(report.findings[0]!.check).toBe('network.sg-broker-ingress');
    });

    it('exits 0 for a healthy ESM given by its ARN', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      const out = await cli(['diagnose', s.esmArn, '--format', 'json']);
      expect(out.code).toBe(0);
      const report = Report.parse(JSON.parse(out.stdout));
      expect(report).toMatchObject({ verdict: 'healthy', target: { uuid: s.uuid, region: REGION, arn: s.esmArn } });
    });

    it('exits 2 with a one-line reason for something that is not a UUID', async () => {
      const out = await cli(['diagnose', 'not-a-uuid', '--region', REGION]);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/not-a-uuid.*not an event source mapping UUID/);
    });

    it('exits 2 "not found" for a UUID no ESM has', async () => {
      const out = await cli(['diagnose', '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5', '--region', REGION, '--format', 'json']);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/not found/);
    });

    it('exits 2 "not a Kafka mapping" for an SQS ESM', async () => {
      const s = await seedSqsEsm(ctx.aws(), ctx.moto());
      const out = await cli(['diagnose', s.uuid, '--region', REGION, '--format', 'json']);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/not a Kafka mapping/);
      expect(out.stderr).toMatch(/SQS/);
    });
  });
});
