/**
 * SASL against a Kafka-protocol responder on loopback (test/probe/support/kafka-responder.ts):
 * SCRAM-SHA-512 / SCRAM-SHA-256 (server side per RFC 5802 / 7677), PLAIN, and MSK IAM as
 * OAUTHBEARER, each with the right and the wrong credentials. And the rule that credentials are
 * used in memory only: never in a step, a summary, an error, or the snapshot.
 */
import { runProbe } from '../../bot/probe/run';
import { probeStep, type ProbeResult } from '../../bot/probe/schema';
import { Snapshot } from '../../bot/model/snapshot';
import { mskIamHealthy } from '../../scenarios/base';
import { loopbackResolver, mskIam, secretArn, secretsFrom, selfManaged } from './support/esm';
import { startResponder, type Responder } from './support/kafka-responder';
import { makePki, type Pki } from './support/certs';
import { describeIf, missing } from './support/tools';

const HOST = 'kafka-1.probe.test';
const PASSWORD = 'c0rrect-h0rse-battery-staple';
const USER = 'esm-consumer-7d1f';
const SCRAM = secretArn('AmazonMSK_probe');
const CA = secretArn('probe-root-ca');

describeIf(missing(['openssl']))('SASL against a Kafka-protocol responder over TLS', () => {
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

  const start = async (mechanisms: string[], extra: Partial<Parameters<typeof startResponder>[0]> = {}) => {
    const server = pki.server(HOST);
    responder = await startResponder({ mechanisms, users: { [USER]: PASSWORD }, topics: { orders: 2 }, advertisedHost: HOST, tls: { cert: server.cert, key: server.key }, ...extra });
    return responder;
  };
  const probe = (type: string, password: string, port: number): Promise<ProbeResult> => {
    const request = selfManaged([`${HOST}:${port}`], { access: [{ Type: type, URI: SCRAM }, { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }] });
    return runProbe(request, {
      resolver: loopbackResolver([HOST]),
      readSecret: secretsFrom({ [SCRAM]: { username: USER, password }, [CA]: { certificate: pki.ca.cert } }),
    });
  };

  it.each([
    ['SASL_SCRAM_512_AUTH', 'SCRAM-SHA-512'],
    ['SASL_SCRAM_256_AUTH', 'SCRAM-SHA-256'],
    ['BASIC_AUTH', 'PLAIN'],
  ])('%s: authenticates with the right password, then reads metadata and the group', async (type, mechanism) => {
    const r = await start([mechanism]);
    const result = await probe(type, PASSWORD, r.port);
    expect(result.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(probeStep(result, 'sasl')!.evidence).toMatchObject({ mechanism: mechanism === 'PLAIN' ? 'PLAIN' : mechanism, outcome: 'authenticated' });
    // ApiVersions from the TLS step's check and from kafkajs, then the SASL handshake and the exchange.
    expect(r.seen.filter((k) => k !== 18).slice(0, 2)).toEqual([17, 36]);
  });

  it.each([
    ['SASL_SCRAM_512_AUTH', 'SCRAM-SHA-512'],
    ['SASL_SCRAM_256_AUTH', 'SCRAM-SHA-256'],
    ['BASIC_AUTH', 'PLAIN'],
  ])('%s: fails SASL with the wrong password and skips metadata and group', async (type, mechanism) => {
    const r = await start([mechanism]);
    const result = await probe(type, 'wr0ng-passw0rd', r.port);
    const sasl = probeStep(result, 'sasl')!;
    expect(sasl.status).toBe('fail');
    expect(sasl.evidence?.outcome).toBe('rejected');
    expect(sasl.summary).toMatch(/rejected the .* credentials/);
    expect(probeStep(result, 'metadata')).toMatchObject({ status: 'skip', summary: 'SASL authentication failed (probe.sasl)' });
    expect(probeStep(result, 'group')!.status).toBe('skip');
  });

  it('says the mechanism is not enabled when the broker offers only another one', async () => {
    const r = await start(['SCRAM-SHA-256']);
    const result = await probe('SASL_SCRAM_512_AUTH', PASSWORD, r.port);
    expect(probeStep(result, 'sasl')!.evidence).toMatchObject({ outcome: 'mechanism-not-enabled' });
  });

  it('reports an unreadable secret as an error of the step that needs it, naming the AWS error only', async () => {
    const r = await start(['SCRAM-SHA-512']);
    const request = selfManaged([`${HOST}:${r.port}`], { access: [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM }, { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }] });
    const result = await runProbe(request, { resolver: loopbackResolver([HOST]), readSecret: secretsFrom({ [CA]: { certificate: pki.ca.cert } }) });
    const sasl = probeStep(result, 'sasl')!;
    expect(sasl.status).toBe('error');
    expect(sasl.summary).toMatch(/AccessDeniedException/);
    expect(probeStep(result, 'metadata')!.status).toBe('skip');
  });

  it('MSK IAM: presents the signed token as OAUTHBEARER, and fails when the broker refuses it', async () => {
    const r = await start(['OAUTHBEARER'], { acceptToken: (t) => t === 'signed-token-from-the-msk-signer' });
    const options = { resolver: loopbackResolver([HOST]), extraCa: [pki.ca.cert] };
    const ok = await runProbe(mskIam([`${HOST}:${r.port}`]), { ...options, iamToken: async () => 'signed-token-from-the-msk-signer' });
    expect(ok.authMode).toBe('iam');
    expect(ok.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(probeStep(ok, 'sasl')!.evidence).toMatchObject({ mechanism: 'OAUTHBEARER (MSK IAM)', outcome: 'authenticated' });
    expect(probeStep(ok, 'sasl')!.evidence?.signedBy).toMatch(/not the ESM's execution role/);
    const denied = await runProbe(mskIam([`${HOST}:${r.port}`]), { ...options, iamToken: async () => 'a-token-signed-by-someone-else' });
    expect(probeStep(denied, 'sasl')!.status).toBe('fail');
    expect(JSON.stringify(denied)).not.toContain('a-token-signed-by-someone-else');
  });

  it('MSK IAM: the default token comes from aws-msk-iam-sasl-signer-js (a presigned kafka-cluster:Connect URL)', async () => {
    const { generateAuthTokenFromCredentialsProvider } = await import('aws-msk-iam-sasl-signer-js');
    const { token } = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }),
    });
    const url = Buffer.from(token, 'base64url').toString('utf8');
    expect(url).toMatch(/^https:\/\/kafka\.eu-west-1\.amazonaws\.com\/\?Action=kafka-cluster%3AConnect/);
    expect(url).toMatch(/X-Amz-Signature=/);
  });
});

describe('credentials stay in memory', () => {
  it('never appear in the result or the snapshot, whatever the outcome', async () => {
    const pki = makePki();
    const server = pki.server(HOST);
    const responder = await startResponder({ mechanisms: ['SCRAM-SHA-512'], users: { [USER]: PASSWORD }, topics: { orders: 1 }, advertisedHost: HOST, tls: { cert: server.cert, key: server.key } });
    try {
      const request = selfManaged([`${HOST}:${responder.port}`], { access: [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM }, { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA }] });
      const results: ProbeResult[] = [];
      for (const password of [PASSWORD, 'an0ther-wr0ng-one']) {
        results.push(await runProbe(request, { resolver: loopbackResolver([HOST]), readSecret: secretsFrom({ [SCRAM]: { username: USER, password }, [CA]: { certificate: pki.ca.cert } }) }));
      }
      // A secret that is not JSON: Node's JSON.parse would quote it in its error.
      results.push(await runProbe(request, { resolver: loopbackResolver([HOST]), readSecret: secretsFrom({ [SCRAM]: `not json ${PASSWORD}`, [CA]: { certificate: pki.ca.cert } }) }));
      const snapshot = Snapshot.parse({ ...mskIamHealthy(), probe: { ok: true, source: 'probe:local', value: results[1] } });
      const text = JSON.stringify({ results, snapshot });
      expect(results.map((r) => probeStep(r, 'sasl')!.status)).toEqual(['pass', 'fail', 'error']);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('an0ther-wr0ng-one');
      expect(text).not.toContain(USER);
      expect(probeStep(results[2]!, 'sasl')!.summary).toMatch(/is not JSON/);
    } finally {
      await responder.close();
      pki.cleanup();
    }
  });
});
