/**
 * DNS: a name under .invalid (RFC 6761: never resolves) through the system resolver, and a zone
 * served by dnsmasq on loopback — one bootstrap name resolving, one NXDOMAIN — ahead of a real
 * Kafka peer (librdkafka's mock cluster) so the steps after DNS run too.
 */
import { runProbe } from '../../bot/probe/run';
import { serversResolver } from '../../bot/probe/net';
import { probeStep } from '../../bot/probe/schema';
import { selfManaged } from './support/esm';
import { startDnsmasq } from './support/dnsmasq';
import { mockClusterUnavailable, startMockCluster } from './support/mock-cluster';
import { describeIf, missing } from './support/tools';

describe('DNS through the system resolver', () => {
  it('fails when no bootstrap host resolves (.invalid), and skips every later step with that reason', async () => {
    const result = await runProbe(selfManaged(['kafka-1.broker.invalid:9096', 'kafka-2.broker.invalid:9096']));
    const dns = probeStep(result, 'dns')!;
    expect(dns.status).toBe('fail');
    expect(dns.evidence?.resolver).toBe('system');
    expect(dns.evidence?.answers.map((a) => a.error)).toEqual([expect.stringMatching(/ENOTFOUND|EAI_AGAIN/), expect.stringMatching(/ENOTFOUND|EAI_AGAIN/)]);
    expect(dns.summary).toMatch(/2 of 2 bootstrap hosts did not resolve: kafka-1.broker.invalid/);
    expect(result.steps.slice(1).map((s) => [s.status, s.summary])).toEqual(
      ['tcp', 'tls', 'sasl', 'metadata', 'group'].map(() => ['skip', 'no bootstrap host resolved (probe.dns)']),
    );
  });

  it('reports a malformed host:port entry without looking it up', async () => {
    const result = await runProbe(selfManaged(['kafka-1.broker.invalid']));
    expect(probeStep(result, 'dns')!.evidence?.answers[0]).toMatchObject({ entry: 'kafka-1.broker.invalid', error: 'malformed', addresses: [] });
  });
});

describeIf(missing(['dnsmasq']) ?? mockClusterUnavailable())('DNS through dnsmasq on loopback', () => {
  it('warns when one bootstrap name is NXDOMAIN and goes on with the one that resolves, with the same resolver for the Kafka client', async () => {
    const dnsmasq = await startDnsmasq({ 'kafka.probe.test': '127.0.0.1', 'nx.probe.test': null });
    const cluster = await startMockCluster(1);
    try {
      await cluster.command('topic orders 1 1');
      const port = cluster.bootstraps[0]!.split(':')[1];
      const result = await runProbe(selfManaged([`kafka-1.kafka.probe.test:${port}`, `kafka-2.nx.probe.test:${port}`]), {
        resolver: serversResolver([dnsmasq.server]),
        resolverName: dnsmasq.server,
      });
      const dns = probeStep(result, 'dns')!;
      expect(dns.status).toBe('warn');
      expect(dns.evidence?.resolver).toBe(dnsmasq.server);
      expect(dns.evidence?.answers).toEqual([
        expect.objectContaining({ host: 'kafka-1.kafka.probe.test', addresses: ['127.0.0.1'] }),
        expect.objectContaining({ host: 'kafka-2.nx.probe.test', addresses: [], error: 'ENOTFOUND' }),
      ]);
      expect(probeStep(result, 'tcp')!.status).toBe('pass');
      // kafkajs resolved kafka-1.kafka.probe.test through dnsmasq too: the system resolver does not know the name.
      expect(probeStep(result, 'metadata')!.status).toBe('pass');
    } finally {
      await cluster.stop();
      await dnsmasq.stop();
    }
  });
});
