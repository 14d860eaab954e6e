/**
 * The probe.* checks and the engine's reconciliation: what a report says when the live probe
 * confirms or contradicts a static verdict (the probe is trusted), and what it says with no probe.
 */
import { diagnoseSnapshot } from '../../bot/diagnose';
import { mostLikelyCause } from '../../bot/checks/engine';
import { NO_PROBE } from '../../bot/checks/probe';
import type { Snapshot } from '../../bot/model/snapshot';
import type { ProbeResult, ProbeStep } from '../../bot/probe/schema';
import { mskIamHealthy, selfManagedScramHealthy } from '../../scenarios/base';

const STEPS = ['dns', 'tcp', 'tls', 'sasl', 'metadata', 'group'] as const;

function probeOf(snapshot: Snapshot, mode: 'local' | 'remote', overrides: Partial<Record<(typeof STEPS)[number], Partial<ProbeStep>>>): Snapshot {
  const steps = STEPS.map((step) => ({ step, status: 'pass', summary: `${step} fine.`, durationMs: 3, ...overrides[step] }) as ProbeStep);
  const value: ProbeResult = {
    ranAt: '2026-11-21T09:00:00.000Z',
    durationMs: 120,
    budgetMs: 20_000,
    where: { mode, ...(mode === 'remote' ? { functionName: 'esm-doctor-probe-a1b2', placement: 'msk: subnets subnet-0a11aa11aa11aa111; security groups sg-0a1b2c3d4e5f60718' } : {}) },
    authMode: 'iam',
    bootstrap: ['b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098'],
    topic: 'orders',
    groupId: snapshot.esm.UUID,
    steps,
  };
  return { ...snapshot, probe: { ok: true, source: mode === 'remote' ? 'lambda:InvokeFunction' : 'probe:local', value } };
}

const finding = (report: ReturnType<typeof diagnoseSnapshot>, id: string) => report.findings.find((f) => f.check === id)!;

describe('probe.* checks', () => {
  it('skip with "run with --probe" when no probe ran', () => {
    const report = diagnoseSnapshot(mskIamHealthy());
    for (const step of STEPS) expect(finding(report, `probe.${step}`)).toMatchObject({ status: 'skip', detail: NO_PROBE });
    expect(NO_PROBE).toMatch(/run with --probe/);
    expect(report.verdict).toBe('healthy');
  });

  it('are `error` naming the call when the probe function could not be invoked', () => {
    const snapshot: Snapshot = {
      ...mskIamHealthy(),
      probe: { ok: false, source: 'lambda:InvokeFunction', error: { code: 'AccessDeniedException', message: 'not authorized to perform lambda:InvokeFunction', action: 'lambda:InvokeFunction' } },
    };
    const f = finding(diagnoseSnapshot(snapshot), 'probe.tcp');
    expect(f.status).toBe('error');
    expect(f.detail).toMatch(/lambda:InvokeFunction answered AccessDeniedException/);
  });

  it('turn each step into a finding at its setup step (3, 4, 5, 5, 6, 6) with where it ran and how long it took', () => {
    const report = diagnoseSnapshot(probeOf(mskIamHealthy(), 'remote', {}));
    expect(STEPS.map((s) => [finding(report, `probe.${s}`).step, finding(report, `probe.${s}`).status])).toEqual([[3, 'pass'], [4, 'pass'], [5, 'pass'], [5, 'pass'], [6, 'pass'], [6, 'pass']]);
    expect(finding(report, 'probe.tcp').detail).toMatch(/from the ESM's network position \(probe function esm-doctor-probe-a1b2; msk: subnets/);
    expect(finding(report, 'probe.tcp').detail).toMatch(/in 3 ms\.$/);
  });

  it('fail with the fix for an untrusted self-managed certificate: add SERVER_ROOT_CA_CERTIFICATE', () => {
    const report = diagnoseSnapshot(
      probeOf(selfManagedScramHealthy(), 'remote', {
        tls: {
          status: 'fail',
          summary: '1 of 1 TLS handshakes failed: kafka-1.internal.example.com:9096 untrusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE).',
          evidence: {
            trust: 'default',
            attempts: [{ host: 'kafka-1.internal.example.com', port: 9096, address: '10.20.1.15', outcome: 'untrusted', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', certificate: { subject: 'CN=kafka-1.internal.example.com', issuer: 'CN=Example Corp Issuing CA', subjectAltNames: ['DNS:kafka-1.internal.example.com'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z' }, ms: 12 }],
          },
        } as Partial<ProbeStep>,
        sasl: { status: 'skip', summary: 'no TLS handshake succeeded (probe.tls)' },
        metadata: { status: 'skip', summary: 'no TLS handshake succeeded (probe.tls)' },
        group: { status: 'skip', summary: 'no TLS handshake succeeded (probe.tls)' },
      }),
    );
    const tls = finding(report, 'probe.tls');
    expect(tls.status).toBe('fail');
    expect(tls.title).toBe('Live probe: 1 of 1 TLS handshakes failed: kafka-1.internal.example.com:9096 untrusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(tls.detail).toMatch(/issuer CN=Example Corp Issuing CA/);
    expect(tls.fix).toMatch(/SERVER_ROOT_CA_CERTIFICATE/);
    expect(finding(report, 'probe.sasl')).toMatchObject({ status: 'skip', detail: 'The probe skipped this step: no TLS handshake succeeded (probe.tls)' });
    expect(mostLikelyCause(report.findings)?.check).toBe('probe.tls');
  });
});

describe('reconciliation: the probe is trusted', () => {
  it('network.sg-broker-ingress passes but probe.tcp times out from the ESM\'s position: the report says so, and the probe names the cause', () => {
    const report = diagnoseSnapshot(
      probeOf(mskIamHealthy(), 'remote', {
        tcp: { status: 'fail', summary: '3 of 3 TCP connections failed: timed out to b-1 10.20.1.10:9098 (no answer: packets dropped).' },
        tls: { status: 'skip', summary: 'no TCP connection to any bootstrap broker (probe.tcp)' },
      }),
    );
    const sg = finding(report, 'network.sg-broker-ingress');
    expect(sg.status).toBe('pass');
    expect(sg.detail).toMatch(/Contradicted by the live probe: probe.tcp \(fail\): 3 of 3 TCP connections failed.*Trusting the probe/);
    expect(report.verdict).toBe('failing');
    expect(mostLikelyCause(report.findings)?.check).toBe('probe.tcp');
    expect(report.headline).toMatch(/^Failing at step 4 of 9 .*Live probe: 3 of 3 TCP connections failed/);
  });

  it('topic.exists is skipped for self-managed Kafka, and probe.metadata says the topic is missing: the skip carries the answer', () => {
    const report = diagnoseSnapshot(
      probeOf(selfManagedScramHealthy(), 'remote', {
        metadata: { status: 'fail', summary: 'Topic "clickstream" does not exist: kafka-1.internal.example.com:9096 answered UNKNOWN_TOPIC_OR_PARTITION.' },
      }),
    );
    const topic = finding(report, 'topic.exists');
    expect(topic.status).toBe('skip');
    expect(topic.detail).toMatch(/The live probe answers: probe.metadata \(fail\): Topic "clickstream" does not exist/);
    expect(mostLikelyCause(report.findings)?.check).toBe('probe.metadata');
  });

  describe('kafka.bootstrap-dns fails here but probe.dns resolves', () => {
    const unresolvedHere = (): Snapshot => {
      const s = selfManagedScramHealthy();
      return {
        ...s,
        dns: {
          ok: true,
          source: 'dns',
          value: [
            { entry: 'kafka-1.internal.example.com:9096', host: 'kafka-1.internal.example.com', port: 9096, addresses: [], error: 'ENOTFOUND' },
            { entry: 'kafka-2.internal.example.com:9096', host: 'kafka-2.internal.example.com', port: 9096, addresses: [], error: 'ENOTFOUND' },
          ],
        },
      };
    };

    it('from the ESM\'s position (remote): the static failure becomes a warning that says why', () => {
      const before = diagnoseSnapshot(unresolvedHere());
      expect(finding(before, 'kafka.bootstrap-dns').status).toBe('fail');
      const report = diagnoseSnapshot(probeOf(unresolvedHere(), 'remote', { dns: { status: 'pass', summary: 'All 2 bootstrap hosts resolved (kafka-1.internal.example.com → 10.20.1.15; kafka-2.internal.example.com → 10.20.17.22).' } }));
      const dns = finding(report, 'kafka.bootstrap-dns');
      expect(dns.status).toBe('warn');
      expect(dns.detail).toMatch(/Contradicted by the live probe: probe.dns \(pass\)/);
      expect(report.verdict).toBe('at-risk');
    });

    it('from this machine (local): the static failure stands, with a pointer to --probe=remote', () => {
      const report = diagnoseSnapshot(probeOf(unresolvedHere(), 'local', { dns: { status: 'pass', summary: 'All 2 bootstrap hosts resolved.' } }));
      const dns = finding(report, 'kafka.bootstrap-dns');
      expect(dns.status).toBe('fail');
      expect(dns.detail).toMatch(/from this machine, which is not the ESM's network position: --probe=remote/);
    });
  });

  it('a static failure the probe confirms says so', () => {
    const s = mskIamHealthy();
    const cluster = s.cluster?.ok ? s.cluster.value : undefined;
    const noIam: Snapshot = {
      ...s,
      cluster: { ok: true, source: 'kafka:DescribeClusterV2', value: { ...cluster!, Provisioned: { ...cluster!.Provisioned!, ClientAuthentication: { Sasl: { Iam: { Enabled: false }, Scram: { Enabled: true } }, Unauthenticated: { Enabled: false } } } } },
    };
    const report = diagnoseSnapshot(probeOf(noIam, 'remote', { sasl: { status: 'fail', summary: 'b-1:9098 rejected the OAUTHBEARER (MSK IAM) credentials.' } }));
    const mode = finding(report, 'auth.mode');
    expect(mode.status).toBe('fail');
    expect(mode.detail).toMatch(/Confirmed by the live probe: probe.sasl \(fail\)/);
  });
});
