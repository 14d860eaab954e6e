/**
 * The live probe's time per step on loopback (median of 5 runs after a warm-up), against real
 * protocol peers: librdkafka's mock cluster (plaintext, 3 brokers) and the test Kafka responder
 * over TLS with SCRAM-SHA-512 and with OAUTHBEARER (MSK IAM, a fixed token). Loopback has no
 * network latency: these figures are the probe's own cost; add ~1 RTT per TCP connect, ~2 per
 * TLS handshake and per SASL round trip, ~1 per Kafka request on a real network.
 * Names resolve through dnsmasq on loopback when it is installed (a real DNS round trip).
 * Parts whose tools are missing (cc + librdkafka-dev, openssl) are reported as skipped.
 */
import { runProbe, type ProbeOptions } from '../bot/probe/run';
import type { ProbeRequest } from '../bot/probe/plan';
import { PROBE_STEPS, type ProbeResult } from '../bot/probe/schema';
import { loopbackResolver, mskIam, secretArn, secretsFrom, selfManaged } from '../test/probe/support/esm';
import { startResponder } from '../test/probe/support/kafka-responder';
import { makePki } from '../test/probe/support/certs';
import { mockClusterUnavailable, startMockCluster } from '../test/probe/support/mock-cluster';
import { missing } from '../test/probe/support/tools';
import { startDnsmasq, type Dnsmasq } from '../test/probe/support/dnsmasq';
import { serversResolver } from '../bot/probe/net';

const RUNS = 5;
const HOST = 'kafka-1.probe.test';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(label: string, request: ProbeRequest, options: ProbeOptions): Promise<string> {
  await runProbe(request, options); // warm-up: module loading, zod, kafkajs, TLS contexts
  const results: ProbeResult[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await runProbe(request, options));
  const statuses = results[0]!.steps.map((s) => s.status).join('/');
  const steps = PROBE_STEPS.map((name) => {
    const ms = median(results.map((r) => r.steps.find((s) => s.step === name)?.durationMs ?? 0));
    const status = results[0]!.steps.find((s) => s.step === name)?.status;
    return `${name} ${status === 'skip' ? '—' : `${ms.toFixed(1)}`}`;
  });
  const total = median(results.map((r) => r.durationMs));
  return `  ${label.padEnd(34)} ${steps.join('  ')}  | total ${total.toFixed(1)} ms  (${statuses})`;
}

export async function run(): Promise<string[]> {
  const lines = [`probe per step on loopback, ms (median of ${RUNS} runs): dns tcp tls sasl metadata group`];

  const noMock = mockClusterUnavailable();
  if (noMock) {
    lines.push(`  plaintext, librdkafka mock cluster  skipped: ${noMock}`);
  } else {
    const cluster = await startMockCluster(3);
    try {
      await cluster.command('topic orders 12 3');
      lines.push(await measure('plaintext, mock cluster (3 brokers)', selfManaged(cluster.bootstraps), {}));
    } finally {
      await cluster.stop();
    }
  }

  const noOpenssl = missing(['openssl']);
  if (noOpenssl) {
    lines.push(`  TLS + SASL parts skipped: ${noOpenssl}`);
    return lines;
  }
  const pki = makePki();
  const server = pki.server(HOST);
  const scram = secretArn('AmazonMSK_bench');
  const ca = secretArn('bench-root-ca');
  const responder = await startResponder({
    mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'],
    users: { bench: 'bench-password' },
    acceptToken: (t) => t === 'bench-token',
    topics: { orders: 12 },
    advertisedHost: HOST,
    tls: { cert: server.cert, key: server.key },
  });
  let dnsmasq: Dnsmasq | undefined;
  try {
    dnsmasq = missing(['dnsmasq']) ? undefined : await startDnsmasq({ 'probe.test': '127.0.0.1' }).catch(() => undefined);
    const resolver = dnsmasq ? serversResolver([dnsmasq.server]) : loopbackResolver([HOST]);
    lines.push(`  (TLS runs resolve ${HOST} through ${dnsmasq ? `dnsmasq at ${dnsmasq.server}` : 'an in-process map: dnsmasq missing'})`);
    const entry = `${HOST}:${responder.port}`;
    lines.push(
      await measure(
        'SASL_SSL SCRAM-SHA-512 (responder)',
        selfManaged([entry], { access: [{ Type: 'SASL_SCRAM_512_AUTH', URI: scram }, { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: ca }] }),
        { resolver, readSecret: secretsFrom({ [scram]: { username: 'bench', password: 'bench-password' }, [ca]: { certificate: pki.ca.cert } }) },
      ),
    );
    lines.push(await measure('MSK IAM OAUTHBEARER (responder)', mskIam([entry]), { resolver, extraCa: [pki.ca.cert], iamToken: async () => 'bench-token' }));
  } finally {
    await dnsmasq?.stop();
    await responder.close();
    pki.cleanup();
  }
  return lines;
}

if (require.main === module) {
  run().then(
    (lines) => process.stdout.write(`${lines.join('\n')}\n`),
    (err) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
