import { bootstrapDns, checks } from '../../../bot/checks/dns';
import type { ResolvedEndpoint, Snapshot } from '../../../bot/model/snapshot';
import { VPC_ID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { net, onTheInternet } from './network-fixtures';

const KAFKA_1 = 'kafka-1.internal.example.com:9096';
const KAFKA_2 = 'kafka-2.internal.example.com:9096';

function withAnswers(s: Snapshot, answers: ResolvedEndpoint[]): Snapshot {
  s.dns = { ok: true, source: 'dns', value: answers };
  return s;
}

const notFound = (entry: string): ResolvedEndpoint => ({ entry, host: entry.split(':')[0]!, port: 9096, addresses: [], error: 'ENOTFOUND' });

it('exports kafka.bootstrap-dns at step 3', () => {
  expect(checks.map((c) => [c.id, c.step])).toEqual([['kafka.bootstrap-dns', 3]]);
});

describe('kafka.bootstrap-dns', () => {
  it('skips an MSK ESM: its broker names come from GetBootstrapBrokers', () => {
    const o = bootstrapDns.run(mskIamHealthy());
    expect(o.status).toBe('skip');
    expect(o.detail).toContain('GetBootstrapBrokers');
  });

  it('passes when every bootstrap server resolves', () => {
    const o = bootstrapDns.run(selfManagedScramHealthy());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(`${KAFKA_1} → 10.20.1.15`);
  });

  it('fails on an entry that is not host:port', () => {
    const s = selfManagedScramHealthy();
    s.esm.SelfManagedEventSource = { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['kafka-1.internal.example.com', KAFKA_2] } };
    withAnswers(s, [{ entry: 'kafka-1.internal.example.com', addresses: [], error: 'malformed' }, { entry: KAFKA_2, host: 'kafka-2.internal.example.com', port: 9096, addresses: ['10.20.17.22'] }]);
    const o = bootstrapDns.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('Bootstrap server "kafka-1.internal.example.com" is not host:port');
    expect(o.fix).toContain('cannot be changed on an existing ESM');
  });

  it('fails when no bootstrap server resolves, saying where the lookup ran', () => {
    const s = withAnswers(selfManagedScramHealthy(), [notFound(KAFKA_1), notFound(KAFKA_2)]);
    const o = bootstrapDns.run(s);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('Bootstrap servers kafka-1.internal.example.com, kafka-2.internal.example.com do not resolve');
    expect(o.detail).toContain(`${KAFKA_1} → ENOTFOUND`);
    expect(o.detail).toContain('resolved from where esm-doctor ran');
    expect(o.detail).toContain(`associate the zone with that VPC`);
    expect(o.resources).toEqual([KAFKA_1, KAFKA_2]);
  });

  it('warns when one of two servers does not resolve: the client bootstraps from the other', () => {
    const s = withAnswers(selfManagedScramHealthy(), [notFound(KAFKA_1), { entry: KAFKA_2, host: 'kafka-2.internal.example.com', port: 9096, addresses: ['10.20.17.22'] }]);
    const o = bootstrapDns.run(s);
    expect(o.status).toBe('warn');
    expect(o.resources).toEqual([KAFKA_1]);
  });

  it('warns on a temporary resolver error (EAI_AGAIN) instead of failing', () => {
    const s = withAnswers(selfManagedScramHealthy(), [
      { entry: KAFKA_1, host: 'kafka-1.internal.example.com', port: 9096, addresses: [], error: 'EAI_AGAIN' },
      { entry: KAFKA_2, host: 'kafka-2.internal.example.com', port: 9096, addresses: [], error: 'EAI_AGAIN' },
    ]);
    expect(bootstrapDns.run(s).status).toBe('warn');
  });

  it('fails when the ESM is on the internet and the servers resolve only to private addresses', () => {
    const o = bootstrapDns.run(onTheInternet(selfManagedScramHealthy()));
    expect(o.status).toBe('fail');
    expect(o.title).toBe('The bootstrap servers resolve to private addresses the ESM cannot reach');
    expect(o.detail).toContain(`${KAFKA_1} → 10.20.1.15`);
    expect(o.remedy?.documents?.[0]?.json).toEqual(expect.arrayContaining([{ Type: 'VPC_SUBNET', URI: 'subnet:SUBNET_ID' }, { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:SECURITY_GROUP_ID' }]));
    expect(o.remedy?.commands).toBeUndefined();
  });

  it('treats 100.64.0.0/10 and fc00::/7 addresses as private too', () => {
    const s = withAnswers(onTheInternet(selfManagedScramHealthy()), [
      { entry: KAFKA_1, host: 'kafka-1.internal.example.com', port: 9096, addresses: ['100.72.14.3'] },
      { entry: KAFKA_2, host: 'kafka-2.internal.example.com', port: 9096, addresses: ['fd12:3456:789a::22'] },
    ]);
    expect(bootstrapDns.run(s).status).toBe('fail');
  });

  it('passes on the internet when the servers resolve to public addresses', () => {
    const s = withAnswers(onTheInternet(selfManagedScramHealthy()), [
      { entry: KAFKA_1, host: 'kafka-1.internal.example.com', port: 9096, addresses: ['203.0.113.10'] },
      { entry: KAFKA_2, host: 'kafka-2.internal.example.com', port: 9096, addresses: ['203.0.113.11'] },
    ]);
    expect(bootstrapDns.run(s).status).toBe('pass');
  });

  it('warns when the servers resolve to private addresses and the VPC has DNS support off', () => {
    const s = selfManagedScramHealthy();
    net(s).vpcDns = { ok: true, source: 'ec2:DescribeVpcAttribute', value: { EnableDnsSupport: false, EnableDnsHostnames: false } };
    const o = bootstrapDns.run(s);
    expect(o.status).toBe('warn');
    expect(o.title).toBe(`${VPC_ID} has DNS resolution turned off`);
    expect(o.remedy?.commands).toEqual([`aws ec2 modify-vpc-attribute --vpc-id ${VPC_ID} --enable-dns-support '{"Value":true}' --region eu-west-1`]);
  });

  it('errors when the DNS answers could not be collected', () => {
    const s = selfManagedScramHealthy();
    s.dns = { ok: false, source: 'dns', error: { code: 'NotCollected', message: 'the resolver was not reachable' } };
    const o = bootstrapDns.run(s);
    expect(o.status).toBe('error');
    expect(o.detail).toContain('NotCollected');
  });
});
