import { spawnSync } from 'node:child_process';
import {
  assign, authorizeSgEgress, authorizeSgIngress, aws, batchAssociateScramSecret, createKafkaEsm, createNaclEntry, enableVpcDns, putRolePolicy,
  setSecretKey, tailFunctionLogs, updateClusterSecurity, updateEsm, variable,
} from '../../../../bot/checks/lib/commands';

const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

/** The words bash would pass to the program: the real test of the quoting. */
function argv(command: string): string[] {
  const r = spawnSync('bash', ['-c', `set -- ${command}; printf '%s\\0' "$@"`], { encoding: 'utf8', env: { PATH: process.env.PATH, KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:1:key/k', SERVERS: 'a:9092,b:9092' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

const itBash = hasBash ? it : it.skip;
if (!hasBash) console.warn('commands.test: bash is not installed; the argv round-trips are skipped');

describe('aws()', () => {
  it('always ends with --region', () => {
    expect(aws('lambda', 'get-event-source-mapping', [['uuid', 'u-1']], 'eu-west-1')).toBe('aws lambda get-event-source-mapping --uuid u-1 --region eu-west-1');
  });
  it('refuses a command without a region or with a <placeholder>', () => {
    expect(() => aws('ec2', 'describe-vpcs', [], '')).toThrow(/no region/);
    expect(() => aws('ec2', 'describe-vpcs', [['vpc-ids', '<vpc-id>']], 'eu-west-1')).toThrow(/placeholder/);
    expect(() => updateClusterSecurity({ clusterArn: 'arn:x', region: 'r', clientAuthentication: { Tls: { CertificateAuthorityArnList: ['<ACM Private CA ARN>'] } } })).toThrow(/placeholder/);
  });
  it('leaves out false and undefined flags, writes true ones bare', () => {
    expect(updateEsm({ uuid: 'u', enabled: true, region: 'r' })).toBe('aws lambda update-event-source-mapping --uuid u --enabled --region r');
    expect(updateEsm({ uuid: 'u', enabled: false, region: 'r' })).toBe('aws lambda update-event-source-mapping --uuid u --no-enabled --region r');
  });
});

describe('quoting', () => {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: "arn:aws:sqs:eu-west-1:1:it's-a-queue" }] };

  itBash('passes a JSON document holding a single quote as one argument, byte for byte', () => {
    const command = putRolePolicy({ roleName: 'role', policyName: 'p', document: policy, region: 'eu-west-1' });
    const words = argv(command);
    expect(words.slice(0, 7)).toEqual(['aws', 'iam', 'put-role-policy', '--role-name', 'role', '--policy-name', 'p']);
    expect(JSON.parse(words[words.indexOf('--policy-document') + 1]!)).toEqual(policy);
    expect(words.slice(-2)).toEqual(['--region', 'eu-west-1']);
  });

  itBash('quotes role names and values with spaces or shell characters', () => {
    const words = argv(putRolePolicy({ roleName: 'my role$(id)', policyName: 'a;b', document: policy, region: 'eu-west-1' }));
    expect(words[4]).toBe('my role$(id)');
    expect(words[6]).toBe('a;b');
  });

  itBash('keeps EC2 shorthand, NACL and VPC attribute arguments one word each', () => {
    expect(argv(authorizeSgEgress({ groupId: 'sg-1', port: 9098, to: { groupId: 'sg-2' }, region: 'r' }))).toContain('IpProtocol=tcp,FromPort=9098,ToPort=9098,UserIdGroupPairs=[{GroupId=sg-2}]');
    expect(argv(createNaclEntry({ aclId: 'acl-1', egress: false, ruleNumber: 90, ports: { from: 1024, to: 65535 }, cidr: '10.0.0.0/16', region: 'r' }))).toEqual([
      'aws', 'ec2', 'create-network-acl-entry', '--network-acl-id', 'acl-1', '--ingress', '--rule-number', '90', '--protocol', 'tcp',
      '--port-range', 'From=1024,To=65535', '--cidr-block', '10.0.0.0/16', '--rule-action', 'allow', '--region', 'r',
    ]);
    expect(argv(enableVpcDns({ vpcId: 'vpc-1', attribute: 'enableDnsSupport', region: 'r' }))).toContain('{"Value":true}');
    expect(argv(authorizeSgIngress({ groupId: 'sg-1', port: 443, from: { cidr: '0.0.0.0/0' }, region: 'r' }))).toEqual([
      'aws', 'ec2', 'authorize-security-group-ingress', '--group-id', 'sg-1', '--protocol', 'tcp', '--port', '443', '--cidr', '0.0.0.0/0', '--region', 'r',
    ]);
  });

  itBash('expands a shell variable the reader sets, and only that', () => {
    expect(argv(setSecretKey({ secretId: 's', kmsKeyId: variable('KMS_KEY_ARN'), region: 'r' }))).toContain('arn:aws:kms:eu-west-1:1:key/k');
    const create = createKafkaEsm({ functionArn: 'arn:aws:lambda:r:1:function:f', topics: ['t'], source: { bootstrapServersVariable: 'SERVERS' }, region: 'r' });
    expect(argv(create)).toContain('Endpoints={KAFKA_BOOTSTRAP_SERVERS=[a:9092,b:9092]}');
    expect(() => variable('lower')).toThrow();
    expect(() => variable('X', 'a"$X')).toThrow();
    expect(() => variable('X', '$X $(id)')).toThrow();
  });

  itBash('an assignment keeps the ARN a command prints for the next one', () => {
    const both = `${assign('NEW', "printf '%s' arn:x")}; ${batchAssociateScramSecret({ clusterArn: 'c', secretArns: variable('NEW'), region: 'r' })}`;
    const r = spawnSync('bash', ['-c', `aws() { printf '%s\\n' "$@"; }; ${both}`], { encoding: 'utf8' });
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['--secret-arn-list', 'arn:x', '--region', 'r']));
  });

  itBash('reads the cluster version in the command itself when the snapshot does not hold it', () => {
    const command = updateClusterSecurity({ clusterArn: 'arn:aws:kafka:r:1:cluster/c/u', region: 'r', clientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
    expect(spawnSync('bash', ['-n'], { input: command }).status).toBe(0);
    expect(command).toContain('--current-version "$(aws kafka describe-cluster-v2 --cluster-arn arn:aws:kafka:r:1:cluster/c/u --query ClusterInfo.CurrentVersion --output text --region r)"');
    expect(updateClusterSecurity({ clusterArn: 'a', currentVersion: 'K3AEGXETSR30VB', region: 'r', encryptionInfo: {} })).toContain('--current-version K3AEGXETSR30VB --region r');
  });

  it('puts the log group of logs tail first, as the CLI wants it', () => {
    expect(tailFunctionLogs({ functionName: 'f', since: '1h', region: 'r' })).toBe('aws logs tail /aws/lambda/f --since 1h --region r');
  });

  it('creates a Kafka mapping with a starting position and no consumer group unless one is given', () => {
    const c = createKafkaEsm({ functionArn: 'f', topics: ['t'], source: { clusterArn: 'arn:c' }, region: 'r', startingPosition: 'TRIM_HORIZON' });
    expect(c).toBe('aws lambda create-event-source-mapping --function-name f --topics t --starting-position TRIM_HORIZON --event-source-arn arn:c --region r');
    expect(createKafkaEsm({ functionArn: 'f', topics: ['t'], source: { bootstrapServers: ['h:1'] }, region: 'r', consumerGroupId: 'g' })).toContain(`--self-managed-kafka-event-source-config '{"ConsumerGroupId":"g"}'`);
  });
});
