import { mskBootstrap, mskCluster, checks as mskChecks } from '../../../bot/checks/msk';
import type { ClusterInfo, Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_ARN, ESM_UUID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

function cluster(snap: Snapshot): ClusterInfo {
  if (!snap.cluster?.ok) throw new Error('no cluster');
  return snap.cluster.value;
}

function withState(State: string, StateInfo?: { Code?: string; Message?: string }): Snapshot {
  const snap = mskIamHealthy();
  Object.assign(cluster(snap), { State, ...(StateInfo ? { StateInfo } : {}) });
  return snap;
}

describe('msk.cluster', () => {
  it('passes when the cluster is ACTIVE', () => {
    const out = mskCluster.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('Kafka 3.6.0');
  });

  it('skips for self-managed Kafka', () => {
    const out = mskCluster.run(selfManagedScramHealthy());
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('Self-managed');
  });

  it('fails when DescribeClusterV2 answers NotFoundException (cluster deleted or wrong ARN)', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'NotFoundException', message: `The specified cluster ${CLUSTER_ARN} was not found.`, action: 'kafka:DescribeClusterV2', httpStatus: 404 } };
    const out = mskCluster.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain(CLUSTER_ARN);
    expect(out.resources).toEqual([CLUSTER_ARN]);
    expect(out.remedy?.commands?.[0]).toMatch(/^aws kafka list-clusters-v2 .*--region eu-west-1$/);
    expect(out.fix).toContain(`aws lambda delete-event-source-mapping --uuid ${ESM_UUID} --region eu-west-1`);
  });

  it('fails when the cluster is FAILED, quoting its StateInfo', () => {
    const out = mskCluster.run(withState('FAILED', { Code: 'InternalServiceError', Message: 'Broker creation failed.' }));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('FAILED');
    expect(out.detail).toContain('StateInfo: InternalServiceError: Broker creation failed.');
  });

  it.each(['CREATING', 'DELETING'])('fails when the cluster is %s', (state) => {
    expect(mskCluster.run(withState(state)).status).toBe('fail');
  });

  it.each(['UPDATING', 'MAINTENANCE', 'REBOOTING_BROKER', 'HEALING'])('warns while the cluster is %s because the brokers keep serving', (state) => {
    const out = mskCluster.run(withState(state));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain(state);
  });

  it('reports an error when DescribeClusterV2 was denied', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'ForbiddenException', message: 'not authorized', action: 'kafka:DescribeClusterV2' } };
    const out = mskCluster.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('kafka:DescribeClusterV2');
  });
});

describe('msk.bootstrap', () => {
  it('passes when the IAM broker string is there', () => {
    const out = mskBootstrap.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('BootstrapBrokerStringSaslIam lists 3 broker(s)');
  });

  it('skips for self-managed Kafka', () => {
    expect(mskBootstrap.run(selfManagedScramHealthy()).status).toBe('skip');
  });

  it('fails when Lambda will use SCRAM but MSK returns no BootstrapBrokerStringSaslScram, and gives update-security', () => {
    const snap = mskIamHealthy();
    snap.esm.SourceAccessConfigurations = [{ Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-Xy12Ab' }];
    const out = mskBootstrap.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('no BootstrapBrokerStringSaslScram');
    expect(out.detail).toContain('port 9096');
    expect(out.detail).toContain('It returns BootstrapBrokerStringSaslIam');
    expect(out.remedy?.commands).toEqual([`aws kafka update-security --cluster-arn ${CLUSTER_ARN} --client-authentication '{"Sasl":{"Scram":{"Enabled":true}}}' --current-version K3AEGXETSR30VB --region eu-west-1`]);
    expect(out.resources).toEqual([CLUSTER_ARN]);
  });

  it('fails when the IAM listener string is empty', () => {
    const snap = mskIamHealthy();
    snap.bootstrapBrokers = { ok: true, source: 'kafka:GetBootstrapBrokers', value: { BootstrapBrokerStringSaslIam: '' } };
    const out = mskBootstrap.run(snap);
    expect(out.status).toBe('fail');
    expect(out.fix).toContain('"Iam":{"Enabled":true}');
  });

  it('fails when no auth mode is possible, explaining why', () => {
    const snap = mskIamHealthy();
    cluster(snap).Provisioned!.ClientAuthentication = { Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } }, Tls: { Enabled: false }, Unauthenticated: { Enabled: false } };
    const out = mskBootstrap.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('the ESM has no secret and the cluster allows neither IAM nor unauthenticated access');
    expect(out.detail).toContain('SASL/SCRAM');
  });

  it('skips when the cluster does not exist', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'NotFoundException', message: 'not found' } };
    expect(mskBootstrap.run(snap).status).toBe('skip');
  });

  it('reports an error when the cluster could not be read and the mode depends on it', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'ForbiddenException', message: 'denied', action: 'kafka:DescribeClusterV2' } };
    expect(mskBootstrap.run(snap).status).toBe('error');
  });

  it('reports an error naming kafka:GetBootstrapBrokers when it failed', () => {
    const snap = mskIamHealthy();
    snap.bootstrapBrokers = { ok: false, source: 'kafka:GetBootstrapBrokers', error: { code: 'ConflictException', message: 'The cluster is not in ACTIVE state.', action: 'kafka:GetBootstrapBrokers' } };
    const out = mskBootstrap.run(snap);
    expect(out.status).toBe('error');
    expect(out.detail).toContain('kafka:GetBootstrapBrokers');
  });
});

describe('msk checks on the healthy baselines', () => {
  it('pass on MSK IAM', () => {
    for (const check of mskChecks) expect(check.run(mskIamHealthy()).status).toBe('pass');
  });

  it('skip with a reason on self-managed SCRAM', () => {
    for (const check of mskChecks) {
      const out = check.run(selfManagedScramHealthy());
      expect(out.status).toBe('skip');
      expect(out.detail).toContain('Self-managed');
    }
  });
});
