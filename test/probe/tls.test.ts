/**
 * TLS with certificates made by openssl in the test: a valid chain, an untrusted CA, a name that
 * does not match, an expired certificate, a broker that requires mTLS, and a plaintext listener.
 * The broker behind is the Kafka-protocol responder (no SASL: the listener is open, or mTLS).
 */
import { runProbe } from '../../bot/probe/run';
import { probeStep, type ProbeResult } from '../../bot/probe/schema';
import { UUID, loopbackResolver, secretArn, secretsFrom, selfManaged } from './support/esm';
import { startResponder, type Responder, type ResponderOptions } from './support/kafka-responder';
import { makePki, type Pki } from './support/certs';
import { describeIf, missing } from './support/tools';

const HOST = 'kafka-1.probe.test';
const CA = secretArn('probe-root-ca');
const CLIENT = secretArn('probe-client-cert');

describeIf(missing(['openssl']))('TLS handshake against certificates made by openssl', () => {
  let pki: Pki;
  let responder: Responder | undefined;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki.cleanup());
  afterEach(async () => {
    await responder?.close();
    responder = undefined;
  });

  const serve = async (server: { cert: string; key: string }, extra: Partial<ResponderOptions> = {}, tlsExtra: object = {}) => {
    responder = await startResponder({ mechanisms: [], topics: { orders: 2 }, advertisedHost: HOST, tls: { cert: server.cert, key: server.key, ...tlsExtra }, ...extra });
    return responder.port;
  };
  /** A self-managed ESM trusting the test CA through SERVER_ROOT_CA_CERTIFICATE (TLS, no SASL). */
  const probe = (port: number, secrets: Record<string, unknown> = {}, access: Array<{ Type: string; URI: string }> = []): Promise<ProbeResult> =>
    runProbe(selfManaged([`${HOST}:${port}`], { access: [{ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }, ...access] }), {
      resolver: loopbackResolver([HOST]),
      readSecret: secretsFrom({ [CA]: { certificate: pki.ca.cert }, ...secrets }),
      stepTimeouts: { tls: 3_000 },
    });

  it('passes a chain issued by the ESM\'s root CA for the broker\'s name, and reports subject, issuer, SANs and expiry', async () => {
    const result = await probe(await serve(pki.server(HOST)));
    const tls = probeStep(result, 'tls')!;
    expect(tls.status).toBe('pass');
    expect(tls.evidence?.trust).toBe('SERVER_ROOT_CA_CERTIFICATE');
    const attempt = tls.evidence!.attempts[0]!;
    expect(attempt).toMatchObject({ outcome: 'ok', servername: HOST, kafkaAnswered: true });
    expect(attempt.certificate).toMatchObject({ subject: `CN=${HOST}`, issuer: 'CN=esm-doctor test CA', subjectAltNames: [`DNS:${HOST}`, 'IP Address:127.0.0.1'] });
    expect(Date.parse(attempt.certificate!.validTo)).toBeGreaterThan(Date.now());
    expect(attempt.chain?.[0]).toEqual({ subject: `CN=${HOST}`, issuer: 'CN=esm-doctor test CA' });
    expect(result.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'skip', 'pass', 'pass']);
  });

  it('fails as untrusted when the chain leads to another CA', async () => {
    const result = await probe(await serve(pki.server(HOST, { signer: 'rogue' })));
    const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
    expect(probeStep(result, 'tls')!.status).toBe('fail');
    expect(attempt.outcome).toBe('untrusted');
    expect(attempt.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(attempt.certificate?.issuer).toBe('CN=rogue test CA');
    expect(probeStep(result, 'sasl')!.status).toBe('skip');
    expect(probeStep(result, 'metadata')!.summary).toBe('no TLS handshake succeeded (probe.tls)');
  });

  it('fails with hostname-mismatch when the certificate names another host', async () => {
    const result = await probe(await serve(pki.server('kafka-9.elsewhere.test')));
    const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
    expect(attempt.outcome).toBe('hostname-mismatch');
    expect(attempt.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(attempt.certificate?.subjectAltNames).toContain('DNS:kafka-9.elsewhere.test');
  });

  it('fails as expired, with the expiry date', async () => {
    const result = await probe(await serve(pki.server(HOST, { expired: true })));
    const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
    expect(attempt.outcome).toBe('expired');
    expect(attempt.code).toBe('CERT_HAS_EXPIRED');
    expect(attempt.certificate?.validTo).toBe('2020-01-02T00:00:00.000Z');
  });

  describe('a broker that requires mTLS', () => {
    const mtls = () => ({ requestCert: true, rejectUnauthorized: true, ca: [pki.ca.cert] });

    it('passes when the ESM presents a client certificate the broker trusts (and SASL is skipped: mTLS authenticates)', async () => {
      const port = await serve(pki.server(HOST), {}, mtls());
      const client = pki.client('esm-client');
      const result = await probe(port, { [CLIENT]: { certificate: client.cert, privateKey: client.key } }, [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: CLIENT }]);
      const tls = probeStep(result, 'tls')!;
      expect(tls.status).toBe('pass');
      expect(tls.evidence?.clientCertificate?.subject).toBe('CN=esm-client');
      expect(probeStep(result, 'sasl')!.summary).toMatch(/mTLS/);
      expect(probeStep(result, 'metadata')!.status).toBe('pass');
      expect(JSON.stringify(result)).not.toContain('PRIVATE KEY');
    });

    it('fails with client-certificate-rejected when the client certificate is from a CA the broker does not trust', async () => {
      const port = await serve(pki.server(HOST), {}, mtls());
      const client = pki.client('esm-client', { signer: 'rogue' });
      const result = await probe(port, { [CLIENT]: { certificate: client.cert, privateKey: client.key } }, [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: CLIENT }]);
      const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
      expect(attempt.outcome).toBe('client-certificate-rejected');
      // An alert (unknown CA), or — with TLS 1.3 — the broker closing the connection once it has read the certificate.
      expect(attempt.code).toMatch(/^ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)$|^ECLOSED$/);
    });

    it('fails with client-certificate-rejected when the ESM presents none', async () => {
      const port = await serve(pki.server(HOST), {}, mtls());
      const result = await probe(port);
      const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
      expect(attempt.outcome).toBe('client-certificate-rejected');
      expect(attempt.code).toMatch(/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/);
    });
  });

  it('says no-tls when the listener is plaintext', async () => {
    responder = await startResponder({ mechanisms: [], topics: { orders: 1 } });
    const result = await probe(responder.port);
    const attempt = probeStep(result, 'tls')!.evidence!.attempts[0]!;
    expect(['no-tls', 'timeout']).toContain(attempt.outcome);
    expect(probeStep(result, 'tls')!.status).toBe('fail');
  });

  it('ends within the budget when a listener accepts TCP and then stays silent (no TLS handshake)', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const result = await runProbe(selfManaged([`${HOST}:${port}`], { access: [{ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }] }), {
        resolver: loopbackResolver([HOST]),
        readSecret: secretsFrom({ [CA]: { certificate: pki.ca.cert } }),
        budgetMs: 1_000,
        stepTimeouts: { tls: 10_000 },
      });
      expect(probeStep(result, 'tls')!.evidence?.attempts[0]).toMatchObject({ outcome: 'timeout', code: 'ETIMEOUT' });
      expect(result.durationMs).toBeLessThan(1_300);
    } finally {
      for (const s of [silent]) s.close();
    }
  });

  it('describes the consumer group: state and members; and fails on GROUP_AUTHORIZATION_FAILED', async () => {
    const port = await serve(pki.server(HOST), {
      groups: { [UUID]: { state: 'Stable', members: [{ clientId: 'lambda-poller-1', clientHost: '/10.20.1.7' }] }, 'locked-group': { state: '', errorCode: 30 } },
    });
    const stable = await probe(port);
    expect(probeStep(stable, 'group')!.evidence).toMatchObject({ groupId: UUID, outcome: 'described', state: 'Stable', members: [{ clientId: 'lambda-poller-1', clientHost: '/10.20.1.7' }] });
    expect(probeStep(stable, 'group')!.summary).toMatch(/Stable with 1 member/);
    const locked = await runProbe(selfManaged([`${HOST}:${port}`], { group: 'locked-group', access: [{ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }] }), {
      resolver: loopbackResolver([HOST]),
      readSecret: secretsFrom({ [CA]: { certificate: pki.ca.cert } }),
    });
    expect(probeStep(locked, 'group')!.evidence).toMatchObject({ outcome: 'not-authorized', errorType: 'GROUP_AUTHORIZATION_FAILED' });
  });
});
