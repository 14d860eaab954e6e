/**
 * The collector's critical path. Every AWS call (and every DNS lookup) is made to take 100 ms; each
 * call's depth is 1 + the deepest call that had *finished* when it started. A call that waited for
 * nothing has depth 1; a call chained on one round-2 answer has depth 3. Depths come from the order
 * of events, not from wall-clock thresholds, so a slow CI machine cannot make the test flaky.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from '../../../bot/collect/clients';
import type { Resolver } from '../../../bot/collect/dns';
import { collectSnapshot } from '../../../bot/collect/snapshot';
import * as base from '../../../scenarios/base';
import { metadata, mockedClients, mockMskIamHealthy, mockSelfManagedScram } from '../../support/collect-fixtures';

const CALL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Call {
  name: string;
  depth: number;
}

/** Wraps every client's (mocked) send so that each call takes CALL_MS and records its depth. */
function instrument(clients: AwsClients) {
  const calls: Call[] = [];
  const finished: number[] = [];
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const depth = 1 + Math.max(0, ...finished);
    calls.push({ name, depth });
    await sleep(CALL_MS);
    try {
      return await run();
    } finally {
      finished.push(depth);
    }
  };
  for (const client of Object.values(clients) as Array<{ send: (command: object) => Promise<unknown> }>) {
    const send = client.send.bind(client);
    client.send = (command: object) => timed(command.constructor.name.replace(/Command$/, ''), () => send(command));
  }
  const resolver: Resolver = (host) =>
    timed(`dns:${host}`, async () => [{ address: host.startsWith('kafka-1') ? '10.20.1.15' : '10.20.17.22', family: 4 }]);
  const depthOf = (name: string) => {
    const found = calls.filter((c) => c.name === name).map((c) => c.depth);
    if (found.length === 0) throw new Error(`${name} was never called`);
    return Math.max(...found);
  };
  return { calls, resolver, depthOf, maxDepth: () => Math.max(...calls.map((c) => c.depth)) };
}

let env: ReturnType<typeof mockedClients>;
beforeEach(() => {
  env = mockedClients();
});
afterEach(() => env.restore());

describe('collectSnapshot critical path', () => {
  it('collects an MSK IAM ESM in at most 4 sequential rounds of calls', async () => {
    mockMskIamHealthy(env.mocks);
    const timing = instrument(env.clients);
    const snapshot = await collectSnapshot({ uuid: base.ESM_UUID, region: base.REGION }, { clients: env.clients });

    expect(snapshot.network?.routeTables?.ok).toBe(true);
    expect(timing.maxDepth()).toBeLessThanOrEqual(4);
    expect(timing.depthOf('GetEventSourceMapping')).toBe(1);
    expect(timing.depthOf('GetCallerIdentity')).toBe(1);
    for (const name of ['DescribeClusterV2', 'GetBootstrapBrokers', 'DescribeTopic', 'GetFunction', 'GetFunctionConcurrency', 'ListEventSourceMappings']) {
      expect([name, timing.depthOf(name)]).toEqual([name, 2]);
    }
    for (const name of ['DescribeSubnets', 'GetRole', 'SimulatePrincipalPolicy']) {
      expect([name, timing.depthOf(name)]).toEqual([name, 3]);
    }
    for (const name of ['DescribeSecurityGroups', 'DescribeRouteTables', 'DescribeNatGateways', 'DescribeVpcEndpoints', 'DescribeNetworkAcls', 'DescribeVpcAttribute']) {
      expect([name, timing.depthOf(name)]).toEqual([name, 4]);
    }
  });

  it('collects a self-managed ESM in a VPC, with its secret value and key, in at most 3 rounds', async () => {
    mockSelfManagedScram(env.mocks);
    const timing = instrument(env.clients);
    const snapshot = await collectSnapshot(
      { uuid: base.SM_UUID, region: base.REGION },
      { clients: env.clients, resolver: timing.resolver, inspectSecrets: true },
    );

    expect(snapshot.secrets[0]?.format?.ok).toBe(true);
    expect(timing.maxDepth()).toBeLessThanOrEqual(3);
    for (const name of ['DescribeSecret', 'GetSecretValue', 'DescribeSubnets', 'GetFunction', 'ListEventSourceMappings', 'dns:kafka-1.internal.example.com']) {
      expect([name, timing.depthOf(name)]).toEqual([name, 2]);
    }
    for (const name of ['DescribeKey', 'GetRole', 'SimulatePrincipalPolicy', 'DescribeSecurityGroups', 'DescribeRouteTables']) {
      expect([name, timing.depthOf(name)]).toEqual([name, 3]);
    }
  });

  it('stays within 4 rounds when a secret names its key by alias (the simulation waits for DescribeKey)', async () => {
    mockSelfManagedScram(env.mocks);
    env.mocks.secretsManager.on(DescribeSecretCommand).resolves({
      ARN: base.SM_SECRET_ARN,
      Name: 'kafka/clickstream/scram',
      KmsKeyId: 'alias/clickstream-secrets',
      $metadata: metadata(),
    });
    env.mocks.kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: base.SM_KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' },
      $metadata: metadata(),
    });
    const timing = instrument(env.clients);
    await collectSnapshot({ uuid: base.SM_UUID, region: base.REGION }, { clients: env.clients, resolver: timing.resolver });

    expect(timing.maxDepth()).toBeLessThanOrEqual(4);
    expect(timing.depthOf('DescribeKey')).toBe(3);
    expect(timing.depthOf('SimulatePrincipalPolicy')).toBe(4);
    expect(timing.depthOf('GetRole')).toBe(3);
  });
});
