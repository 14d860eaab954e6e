import { authMode, authPort, portContradiction, checks as authChecks } from '../../../bot/checks/auth';
import type { ClusterInfo, Snapshot } from '../../../bot/model/snapshot';
import { CLUSTER_ARN, SM_SECRET_ARN, SM_UUID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

const SCRAM_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-consumer-Xy12Ab';
const MTLS_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/mtls-client-Qw34Er';

function cluster(snap: Snapshot): ClusterInfo {
  if (!snap.cluster?.ok) throw new Error('no cluster');
  return snap.cluster.value;
}

function clientAuth(snap: Snapshot, auth: NonNullable<NonNullable<ClusterInfo['Provisioned']>['ClientAuthentication']>): Snapshot {
  cluster(snap).Provisioned!.ClientAuthentication = auth;
  return snap;
}

function withConfigs(snap: Snapshot, configs: Array<{ Type: string; URI: string }>): Snapshot {
  snap.esm.SourceAccessConfigurations = configs;
  return snap;
}

function withServers(servers: string[], snap: Snapshot = selfManagedScramHealthy()): Snapshot {
  snap.esm.SelfManagedEventSource = { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: servers } };
  return snap;
}

const IAM_ONLY = { Sasl: { Scram: { Enabled: false }, Iam: { Enabled: true } }, Tls: { Enabled: false, CertificateAuthorityArnList: [] }, Unauthenticated: { Enabled: false } };

describe('auth.mode (MSK)', () => {
  it('passes on an IAM cluster and says which mode Lambda chose and why', () => {
    const out = authMode.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('Lambda uses IAM');
    expect(out.detail).toContain('the ESM has no secret and IAM access control is on');
    expect(out.detail).toContain('port 9098');
  });

  it('fails when the ESM has a SASL_SCRAM_512 secret but SCRAM is disabled on the cluster', () => {
    const snap = withConfigs(mskIamHealthy(), [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET }]);
    const out = authMode.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('SASL/SCRAM off');
    expect(out.detail).toContain('Lambda uses SASL/SCRAM-SHA-512 because the ESM has a SASL_SCRAM_512_AUTH secret');
    expect(out.detail).toContain('will not fall back');
    expect(out.resources).toEqual([CLUSTER_ARN, SCRAM_SECRET]);
    expect(out.remedy?.commands?.[0]).toBe(`aws kafka update-security --cluster-arn ${CLUSTER_ARN} --client-authentication '{"Sasl":{"Scram":{"Enabled":true}}}' --current-version K3AEGXETSR30VB --region eu-west-1`);
    expect(out.fix).toContain("--source-access-configurations '[]'");
  });

  it('fails when the ESM has a client certificate but TLS client authentication is off', () => {
    const out = authMode.run(withConfigs(mskIamHealthy(), [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: MTLS_SECRET }]));
    expect(out.status).toBe('fail');
    expect(out.title).toContain('TLS client authentication off');
    expect(out.detail).toContain('Server failed to authenticate Lambda');
    expect(out.fix).toContain('CertificateAuthorityArnList');
  });

  it('passes mTLS when TLS client authentication is on, noting an ignored SCRAM secret', () => {
    const snap = withConfigs(mskIamHealthy(), [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: MTLS_SECRET }, { Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET }]);
    clientAuth(snap, { ...IAM_ONLY, Tls: { Enabled: true, CertificateAuthorityArnList: ['arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'] } });
    const out = authMode.run(snap);
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('ignores it');
  });

  it.each([
    ['SASL_SCRAM_256_AUTH', SCRAM_SECRET, 'SHA-512 only'],
    ['BASIC_AUTH', SCRAM_SECRET, 'no SASL/PLAIN'],
    ['SERVER_ROOT_CA_CERTIFICATE', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:root-ca-Zx98Yw', 'Amazon Trust Services'],
    ['VPC_SUBNET', 'subnet:subnet-0a11aa11aa11aa111', 'client subnets'],
    ['VPC_SECURITY_GROUP', 'security_group:sg-0a1b2c3d4e5f60718', 'security groups'],
  ])('fails when an MSK ESM has a %s entry', (Type, URI, why) => {
    const out = authMode.run(withConfigs(mskIamHealthy(), [{ Type, URI }]));
    expect(out.status).toBe('fail');
    expect(out.title).toContain(Type);
    expect(out.detail).toContain(why);
    expect(out.fix).toContain('--source-access-configurations');
  });

  it('fails when no mode is possible (SCRAM only, no secret)', () => {
    const snap = clientAuth(mskIamHealthy(), { ...IAM_ONLY, Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } } });
    const out = authMode.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('neither IAM nor unauthenticated access');
    expect(out.detail).toContain('SASL/SCRAM');
  });

  it('passes with a note that Lambda will not fall back when IAM and unauthenticated TLS are both on', () => {
    const out = authMode.run(clientAuth(mskIamHealthy(), { ...IAM_ONLY, Unauthenticated: { Enabled: true } }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('never falls back');
    expect(out.detail).toContain('unauthenticated access');
  });

  it('passes unauthenticated TLS with a note that nothing authenticates', () => {
    const snap = clientAuth(mskIamHealthy(), { Sasl: { Scram: { Enabled: false }, Iam: { Enabled: false } }, Tls: { Enabled: false }, Unauthenticated: { Enabled: true } });
    const out = authMode.run(snap);
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('unauthenticated TLS');
    expect(out.detail).toContain('port 9094');
  });

  it('tells to remove a SCRAM secret on MSK Serverless, which supports IAM only', () => {
    const snap = withConfigs(mskIamHealthy(), [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET }]);
    snap.cluster = { ok: true, source: 'kafka:DescribeClusterV2', value: { ClusterArn: CLUSTER_ARN, ClusterType: 'SERVERLESS', State: 'ACTIVE', Serverless: { VpcConfigs: [], ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } } };
    const out = authMode.run(snap);
    expect(out.status).toBe('fail');
    expect(out.fix).toContain('Serverless supports IAM only');
  });

  it('skips when the cluster does not exist', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'NotFoundException', message: 'not found' } };
    expect(authMode.run(snap).status).toBe('skip');
  });

  it('reports an error when the cluster could not be read', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: false, source: 'kafka:DescribeClusterV2', error: { code: 'ForbiddenException', message: 'denied', action: 'kafka:DescribeClusterV2' } };
    expect(authMode.run(snap).status).toBe('error');
  });
});

describe('auth.mode (self-managed)', () => {
  it('passes SCRAM on 9096 and says the secret decides', () => {
    const out = authMode.run(selfManagedScramHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('Lambda uses SASL/SCRAM-SHA-512 because the ESM has a SASL_SCRAM_512_AUTH secret');
    expect(out.detail).toContain('SASL_SSL');
  });

  it('warns when SCRAM goes to port 9092, usually a plaintext listener', () => {
    const out = authMode.run(withServers(['kafka-1.internal.example.com:9092', 'kafka-2.internal.example.com:9092']));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('kafka-1.internal.example.com:9092');
    expect(out.detail).toContain('SASL_PLAINTEXT');
  });

  it('passes SCRAM on 9092 when a root CA secret shows the brokers speak TLS', () => {
    const snap = withServers(['kafka-1.internal.example.com:9092']);
    snap.esm.SourceAccessConfigurations!.push({ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/root-ca-Zx98Yw' });
    const out = authMode.run(snap);
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('SERVER_ROOT_CA_CERTIFICATE');
  });

  it('passes SASL/PLAIN on Confluent Cloud port 9092, which is SASL_SSL', () => {
    const snap = withServers(['pkc-4r087.eu-west-1.aws.confluent.cloud:9092']);
    withConfigs(snap, [{ Type: 'BASIC_AUTH', URI: SM_SECRET_ARN }]);
    expect(authMode.run(snap).status).toBe('pass');
  });

  it('fails when a self-managed ESM has a VIRTUAL_HOST entry', () => {
    const snap = selfManagedScramHealthy();
    snap.esm.SourceAccessConfigurations!.push({ Type: 'VIRTUAL_HOST', URI: '/orders' });
    expect(authMode.run(snap).status).toBe('fail');
  });
});

describe('auth.port (MSK)', () => {
  it('passes when the IAM broker string uses 9098', () => {
    const out = authPort.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('port 9098');
  });

  it('warns when the broker string of the chosen mode uses another port than MSK documents', () => {
    const snap = mskIamHealthy();
    snap.bootstrapBrokers = { ok: true, source: 'kafka:GetBootstrapBrokers', value: { BootstrapBrokerStringSaslIam: 'b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:14001' } };
    const out = authPort.run(snap);
    expect(out.status).toBe('warn');
    expect(out.detail).toContain(':14001');
  });

  it('skips when the chosen listener has no broker string (msk.bootstrap reports it)', () => {
    const snap = withConfigs(mskIamHealthy(), [{ Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET }]);
    expect(authPort.run(snap).status).toBe('skip');
  });

  it('skips when no mode is possible', () => {
    const snap = clientAuth(mskIamHealthy(), { ...IAM_ONLY, Sasl: { Scram: { Enabled: true }, Iam: { Enabled: false } } });
    expect(authPort.run(snap).status).toBe('skip');
  });

  it('reports an error when GetBootstrapBrokers failed', () => {
    const snap = mskIamHealthy();
    snap.bootstrapBrokers = { ok: false, source: 'kafka:GetBootstrapBrokers', error: { code: 'ForbiddenException', message: 'denied', action: 'kafka:GetBootstrapBrokers' } };
    expect(authPort.run(snap).status).toBe('error');
  });
});

describe('auth.port (self-managed)', () => {
  it('passes SCRAM on 9096', () => {
    const out = authPort.run(selfManagedScramHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('port 9096');
  });

  it('warns when SCRAM uses port 9092, a plaintext port by convention, and gives the commands to recreate the mapping', () => {
    const out = authPort.run(withServers(['kafka-1.internal.example.com:9092']));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('9092 is the plaintext listener by convention');
    expect(out.fix).toContain('aws lambda create-event-source-mapping --function-name arn:aws:lambda:eu-west-1:123456789012:function:clickstream-ingest');
    // Not an MSK host: the right port is unknown, so the list comes from the reader, never a <placeholder>.
    expect(out.fix).toContain('--self-managed-event-source "Endpoints={KAFKA_BOOTSTRAP_SERVERS=[$KAFKA_BOOTSTRAP_SERVERS]}"');
    expect(out.fix).toContain(`aws lambda delete-event-source-mapping --uuid ${SM_UUID} --region eu-west-1`);
  });

  it('warns when a self-hosted broker uses 9098 without IAM', () => {
    const out = authPort.run(withServers(['kafka-1.internal.example.com:9098']));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain("9098 is MSK's IAM listener");
  });

  it('fails when a self-managed ESM points at an MSK broker on the IAM port 9098 with a SCRAM secret, and names port 9096', () => {
    const out = authPort.run(withServers(['b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098']));
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('MSK broker name');
    expect(out.fix).toContain('Use port 9096');
    expect(out.fix).toContain('b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9096');
  });

  it('warns when SASL/PLAIN goes to the SCRAM convention port 9096', () => {
    const snap = withConfigs(selfManagedScramHealthy(), [{ Type: 'BASIC_AUTH', URI: SM_SECRET_ARN }]);
    expect(authPort.run(snap).status).toBe('warn');
  });

  it('passes an unauthenticated ESM on 9092', () => {
    const snap = withConfigs(withServers(['kafka-1.internal.example.com:9092']), []);
    expect(authPort.run(snap).status).toBe('pass');
  });

  it('knows which ports contradict which modes', () => {
    expect(portContradiction(9094, 'sasl-scram-512', true)).toContain('TLS listener');
    expect(portContradiction(9094, 'sasl-scram-512', false)).toBeUndefined();
    expect(portContradiction(9093, 'sasl-plain', false)).toBeUndefined();
    expect(portContradiction(9096, 'sasl-scram-256', false)).toBeUndefined();
    expect(portContradiction(9096, 'sasl-scram-256', true)).toContain('SHA-512');
  });
});

describe('auth checks on the healthy baselines', () => {
  it.each([['MSK IAM', mskIamHealthy()], ['self-managed SCRAM', selfManagedScramHealthy()]])('all pass on %s', (_name, snap) => {
    for (const check of authChecks) expect(check.run(snap).status).toBe('pass');
  });
});
