/**
 * Metadata, topics and consumer groups against librdkafka's mock cluster: a real Kafka-protocol
 * peer on loopback, with faults injected the way the mock API offers them.
 */
import { runProbe } from '../../bot/probe/run';
import { probeStep, type ProbeResult } from '../../bot/probe/schema';
import { selfManaged } from './support/esm';
import { mockClusterUnavailable, startMockCluster, type MockCluster } from './support/mock-cluster';
import { describeIf } from './support/tools';

const FAST = { stepTimeouts: { tcp: 1_000, tls: 2_000, sasl: 3_000, metadata: 3_000, group: 3_000 } };

function statuses(r: ProbeResult): string {
  return r.steps.map((s) => `${s.step}:${s.status}`).join(' ');
}

describeIf(mockClusterUnavailable())('probe against librdkafka\'s mock cluster', () => {
  let cluster: MockCluster | undefined;
  const start = async (brokers = 3) => {
    cluster = await startMockCluster(brokers);
    await cluster.command('topic orders 3 1');
    return cluster;
  };
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('passes every step of a plaintext self-managed ESM: topic with leaders, 3 advertised brokers reachable, coordinator found', async () => {
    const c = await start();
    const result = await runProbe(selfManaged([c.bootstraps[0]!, c.bootstraps[1]!]), FAST);
    expect(statuses(result)).toBe('dns:pass tcp:pass tls:skip sasl:skip metadata:pass group:pass');
    const md = probeStep(result, 'metadata')!;
    expect(md.evidence?.found).toBe(true);
    expect(md.evidence?.partitions).toHaveLength(3);
    expect(md.evidence?.partitions.every((p) => p.leader >= 1)).toBe(true);
    expect(md.evidence?.brokers.map((b) => b.outcome)).toEqual(['reachable', 'reachable', 'reachable']);
    expect(md.summary).toMatch(/Topic "orders" exists; all 3 partitions have a leader/);
    // librdkafka 2.0's mock answers FindCoordinator but not DescribeGroups: the probe says what it could see.
    const group = probeStep(result, 'group')!;
    expect(group.evidence?.outcome).toBe('unsupported');
    expect(group.evidence?.groupId).toBe(result.groupId);
    expect(probeStep(result, 'tls')!.summary).toMatch(/without TLS/);
  });

  it('fails metadata when the broker answers UNKNOWN_TOPIC_OR_PARTITION for the ESM\'s topic', async () => {
    const c = await start();
    // The mock auto-creates unknown topics for Metadata < v4 (kafkajs asks v2 here); the topic error makes it answer as Kafka does for a missing topic.
    await c.command('topic-error invoices 3');
    const result = await runProbe(selfManaged([c.bootstraps[0]!], { topic: 'invoices' }), FAST);
    const md = probeStep(result, 'metadata')!;
    expect(md.status).toBe('fail');
    expect(md.evidence?.found).toBe(false);
    expect(md.evidence?.errorType).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(md.summary).toMatch(/Topic "invoices" does not exist/);
  });

  it('fails metadata with TOPIC_AUTHORIZATION_FAILED when an ACL hides the topic', async () => {
    const c = await start();
    await c.command('topic-error payments 29');
    const result = await runProbe(selfManaged([c.bootstraps[0]!], { topic: 'payments' }), FAST);
    const md = probeStep(result, 'metadata')!;
    expect(md.status).toBe('fail');
    expect(md.evidence?.errorType).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(md.evidence?.found).toBeUndefined();
    expect(md.summary).toMatch(/Not authorized to describe topic "payments"/);
  });

  it('fails the group step with GROUP_AUTHORIZATION_FAILED when the coordinator lookup is denied', async () => {
    const c = await start();
    await c.command('errors 10 30 4');
    const result = await runProbe(selfManaged([c.bootstraps[0]!], { group: 'orders-consumers' }), FAST);
    const group = probeStep(result, 'group')!;
    expect(group.status).toBe('fail');
    expect(group.evidence).toMatchObject({ groupId: 'orders-consumers', outcome: 'not-authorized', errorType: 'GROUP_AUTHORIZATION_FAILED' });
  });

  it('fails the group step when no coordinator is available', async () => {
    const c = await start();
    await c.command('errors 10 15 8');
    const result = await runProbe(selfManaged([c.bootstraps[0]!]), FAST);
    const group = probeStep(result, 'group')!;
    expect(group.status).toBe('fail');
    expect(group.evidence?.outcome).toBe('coordinator-unavailable');
  });

  it('fails metadata when an advertised broker is down although the bootstrap broker answers', async () => {
    const c = await start();
    await c.command('down 3');
    const result = await runProbe(selfManaged([c.bootstraps[0]!]), FAST);
    const md = probeStep(result, 'metadata')!;
    const b3 = md.evidence?.brokers.find((b) => b.nodeId === 3);
    expect(b3?.outcome).not.toBe('reachable');
    expect(md.status).toBe('fail');
    expect(md.summary).toMatch(/advertised brokers cannot be reached/);
  });
});
