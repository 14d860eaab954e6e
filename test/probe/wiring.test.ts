/**
 * How the probe joins a diagnosis: `diagnose(..., { probe })` (local or through the deployed
 * function), the probe handler, and the CLI's --probe[=remote].
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { diagnose } from '../../bot/diagnose';
import { main, type Io } from '../../bot/cli';
import { handler } from '../../bot/handlers/probe';
import { ProbeRequest } from '../../bot/probe/plan';
import { ProbeResult, probeStep } from '../../bot/probe/schema';
import * as base from '../../scenarios/base';
import { mockedClients, mockMskIamHealthy, mockSelfManagedScram } from '../support/collect-fixtures';
import { selfManaged } from './support/esm';

const REMOTE_RESULT: ProbeResult = {
  ranAt: '2026-11-21T09:00:00.000Z',
  durationMs: 840,
  budgetMs: 20_000,
  where: { mode: 'remote', placement: 'msk: subnets subnet-0a11aa11aa11aa111; security groups sg-0a1b2c3d4e5f60718' },
  authMode: 'iam',
  bootstrap: ['b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098'],
  topic: 'orders',
  groupId: base.ESM_UUID,
  steps: (['dns', 'tcp', 'tls', 'sasl', 'metadata', 'group'] as const).map((step) => ({ step, status: 'pass' as const, summary: `${step} ok.`, durationMs: 10 })),
};

function io(env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const value: Io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env };
  return { io: value, out: () => out, err: () => err };
}

describe('diagnose with --probe=remote', () => {
  it('invokes the probe function named by ESM_DOCTOR_PROBE_FUNCTION with the ESM\'s configuration and folds its result in', async () => {
    const env = mockedClients();
    try {
      mockMskIamHealthy(env.mocks);
      env.mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(REMOTE_RESULT)) as never });
      const { report, snapshot } = await diagnose({ uuid: base.ESM_UUID, region: base.REGION }, { clients: env.clients, probe: 'remote', probeOptions: { env: { ESM_DOCTOR_PROBE_FUNCTION: 'esm-doctor-probe-orders' } } });
      const call = env.mocks.lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
      expect(call.FunctionName).toBe('esm-doctor-probe-orders');
      expect(call.InvocationType).toBe('RequestResponse');
      const sent = ProbeRequest.parse(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString('utf8')));
      expect(sent.esm.UUID).toBe(base.ESM_UUID);
      expect(sent.bootstrapBrokers?.BootstrapBrokerStringSaslIam).toMatch(/:9098/);
      expect(snapshot.probe).toMatchObject({ ok: true, source: 'lambda:InvokeFunction', value: { where: { mode: 'remote', functionName: 'esm-doctor-probe-orders' } } });
      expect(report.findings.find((f) => f.check === 'probe.tcp')?.status).toBe('pass');
    } finally {
      env.restore();
    }
  });

  it('without ESM_DOCTOR_PROBE_FUNCTION, or when the function fails, the probe is an error fact and probe.* say so', async () => {
    const env = mockedClients();
    try {
      mockMskIamHealthy(env.mocks);
      const none = await diagnose({ uuid: base.ESM_UUID, region: base.REGION }, { clients: env.clients, probe: 'remote', probeOptions: { env: {} } });
      expect(none.snapshot.probe).toMatchObject({ ok: false, error: { code: 'ProbeFunctionNotConfigured' } });
      expect(none.report.findings.find((f) => f.check === 'probe.dns')?.status).toBe('error');
      env.mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: 'Task timed out after 30.00 seconds' })) as never });
      const failed = await diagnose({ uuid: base.ESM_UUID, region: base.REGION }, { clients: env.clients, probe: 'remote', probeOptions: { env: { ESM_DOCTOR_PROBE_FUNCTION: 'p' } } });
      expect(failed.snapshot.probe).toMatchObject({ ok: false, error: { code: 'ProbeFunctionError', message: 'p failed: Error: Task timed out after 30.00 seconds' } });
    } finally {
      env.restore();
    }
  });
});

describe('diagnose with --probe (local)', () => {
  it('runs the probe here and reconciles: the names resolve for the collector but not for the probe', async () => {
    const env = mockedClients();
    try {
      mockSelfManagedScram(env.mocks);
      const { report, snapshot } = await diagnose(
        { uuid: base.SM_UUID, region: base.REGION },
        {
          clients: env.clients,
          resolver: async () => [{ address: '10.20.1.15', family: 4 }],
          probe: 'local',
          probeOptions: { local: { resolver: async (host) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })) } },
        },
      );
      expect(snapshot.probe?.ok && snapshot.probe.value.where.mode).toBe('local');
      expect(report.findings.find((f) => f.check === 'probe.dns')?.status).toBe('fail');
      expect(report.findings.find((f) => f.check === 'probe.tcp')?.status).toBe('skip');
      expect(report.findings.find((f) => f.check === 'kafka.bootstrap-dns')?.detail).toMatch(/The live probe failed probe.dns .* from this machine/);
    } finally {
      env.restore();
    }
  });
});

describe('the probe handler', () => {
  it('rejects an event that is not a probe request', async () => {
    await expect(handler({ esm: { UUID: 'x' } })).rejects.toThrow(/^invalid probe request: target/);
  });

  it('runs the probe and returns a ProbeResult', async () => {
    const result = await handler(selfManaged(['kafka-1.broker.invalid:9096']));
    expect(ProbeResult.parse(result).where.mode).toBe('remote');
    expect(probeStep(result, 'dns')!.status).toBe('fail');
  });
});

describe('esm-doctor --probe', () => {
  it('accepts a bare --probe and --probe=remote, and rejects any other value', async () => {
    const ok = io();
    expect(await main(['diagnose', '--scenario', 'msk-iam-healthy', '--probe'], ok.io)).toBe(0);
    const bad = io();
    expect(await main(['diagnose', base.ESM_UUID, '--region', base.REGION, '--probe=everywhere'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--probe: --probe takes no value \(from this machine\) or =remote/);
    const help = io();
    await main(['--help'], help.io);
    expect(help.out()).toMatch(/--probe\[=remote\]/);
  });
});
