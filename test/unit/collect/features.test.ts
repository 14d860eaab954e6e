/** The newer-feature readers against mocked SDK clients, with the shapes the APIs return. */
import { GetRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { DescribeVpcConnectionCommand } from '@aws-sdk/client-kafka';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { readBucketEncryption, readGlueRegistry, readQueueEncryption, readTopicEncryption } from '../../../bot/collect/features';
import { readVpcConnection } from '../../../bot/collect/kafka';
import { awsError, metadata, mockedClients } from '../../support/collect-fixtures';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-not-real' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const VPC_CONNECTION_ARN = 'arn:aws:kafka:eu-west-1:123456789012:vpc-connection/210987654321/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3';

describe('readVpcConnection', () => {
  it('reads DescribeVpcConnection by Arn, timestamps as ISO strings', async () => {
    const env = mockedClients();
    env.mocks.kafka.on(DescribeVpcConnectionCommand).resolves({
      VpcConnectionArn: VPC_CONNECTION_ARN,
      TargetClusterArn: 'arn:aws:kafka:eu-west-1:210987654321:cluster/payments-prod/7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f-3',
      State: 'AVAILABLE',
      Authentication: 'SASL_IAM',
      VpcId: 'vpc-0c1d2e3f4a5b6c7d8',
      Subnets: ['subnet-0a11aa11aa11aa111'],
      SecurityGroups: ['sg-0a1b2c3d4e5f60718'],
      CreationTime: new Date('2026-10-01T08:00:00Z'),
      $metadata: metadata(),
    });
    const fact = await readVpcConnection(env.clients.kafka, VPC_CONNECTION_ARN);
    expect(env.mocks.kafka.commandCalls(DescribeVpcConnectionCommand)[0]!.args[0].input).toEqual({ Arn: VPC_CONNECTION_ARN });
    expect(fact).toMatchObject({ ok: true, source: 'kafka:DescribeVpcConnection', value: { State: 'AVAILABLE', CreationTime: '2026-10-01T08:00:00.000Z' } });
    env.restore();
  });

  it('names kafka:DescribeVpcConnection when it is denied', async () => {
    const env = mockedClients();
    env.mocks.kafka.on(DescribeVpcConnectionCommand).rejects(awsError('ForbiddenException', 'User is not authorized', 403));
    expect(await readVpcConnection(env.clients.kafka, VPC_CONNECTION_ARN)).toMatchObject({ ok: false, error: { code: 'ForbiddenException', action: 'kafka:DescribeVpcConnection' } });
    env.restore();
  });
});

describe('readGlueRegistry', () => {
  it('asks GetRegistry by RegistryArn and keeps Status', async () => {
    const glue = new GlueClient({ region: 'eu-west-1', credentials: CREDENTIALS });
    const mock = mockClient(glue);
    const arn = 'arn:aws:glue:eu-west-1:123456789012:registry/orders-schemas';
    mock.on(GetRegistryCommand).resolves({ RegistryName: 'orders-schemas', RegistryArn: arn, Status: 'AVAILABLE', CreatedTime: '2026-01-02T03:04:05Z', $metadata: metadata() });
    const fact = await readGlueRegistry(glue, arn);
    expect(mock.commandCalls(GetRegistryCommand)[0]!.args[0].input).toEqual({ RegistryId: { RegistryArn: arn } });
    expect(fact).toMatchObject({ ok: true, source: 'glue:GetRegistry', value: { Status: 'AVAILABLE' } });
    mock.on(GetRegistryCommand).rejects(awsError('EntityNotFoundException', 'Registry not found'));
    expect(await readGlueRegistry(glue, arn)).toMatchObject({ ok: false, error: { code: 'EntityNotFoundException', action: 'glue:GetRegistry' } });
    mock.restore();
  });
});

describe('destination encryption', () => {
  it('reads an SQS queue\'s KmsMasterKeyId through GetQueueUrl + GetQueueAttributes, then DescribeKey', async () => {
    const env = mockedClients();
    const sqs = new SQSClient({ region: 'eu-west-1', credentials: CREDENTIALS });
    const mock = mockClient(sqs);
    mock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-failed', $metadata: metadata() });
    mock.on(GetQueueAttributesCommand).resolves({ Attributes: { KmsMasterKeyId: KEY_ARN }, $metadata: metadata() });
    env.mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ARN.split('/')[1]!, Arn: KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' }, $metadata: metadata() });
    const fact = await readQueueEncryption(sqs, env.clients.kms, 'arn:aws:sqs:eu-west-1:123456789012:orders-failed');
    expect(mock.commandCalls(GetQueueUrlCommand)[0]!.args[0].input).toEqual({ QueueName: 'orders-failed', QueueOwnerAWSAccountId: '123456789012' });
    expect(mock.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input.AttributeNames).toEqual(['KmsMasterKeyId']);
    expect(fact).toMatchObject({ ok: true, source: 'sqs:GetQueueAttributes', value: { KmsMasterKeyId: KEY_ARN, key: { ok: true, value: { KeyManager: 'CUSTOMER' } } } });
    mock.restore();
    env.restore();
  });

  it('does not describe the AWS managed alias/aws/sns key', async () => {
    const env = mockedClients();
    const sns = new SNSClient({ region: 'eu-west-1', credentials: CREDENTIALS });
    const mock = mockClient(sns);
    mock.on(GetTopicAttributesCommand).resolves({ Attributes: { KmsMasterKeyId: 'alias/aws/sns' }, $metadata: metadata() });
    const fact = await readTopicEncryption(sns, env.clients.kms, 'arn:aws:sns:eu-west-1:123456789012:orders-failed');
    expect(fact).toEqual({ ok: true, source: 'sns:GetTopicAttributes', value: { KmsMasterKeyId: 'alias/aws/sns' } });
    expect(env.mocks.kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
    mock.restore();
    env.restore();
  });
});

describe('S3 destination encryption (GetBucketEncryption)', () => {
  const BUCKET_ARN = 'arn:aws:s3:::orders-failed-batches';
  function s3With(output: unknown): { s3: S3Client; mock: ReturnType<typeof mockClient> } {
    const s3 = new S3Client({ region: 'eu-west-1', credentials: CREDENTIALS });
    const mock = mockClient(s3);
    if (output instanceof Error) mock.on(GetBucketEncryptionCommand).rejects(output);
    else mock.on(GetBucketEncryptionCommand).resolves(output as never);
    return { s3, mock };
  }

  it('asks by bucket name and describes the customer managed KMSMasterKeyID, keeping SSEAlgorithm and BucketKeyEnabled', async () => {
    const env = mockedClients();
    const { s3, mock } = s3With({
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN }, BucketKeyEnabled: true }] },
      $metadata: metadata(),
    });
    env.mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ARN.split('/')[1]!, Arn: KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' }, $metadata: metadata() });
    const fact = await readBucketEncryption(s3, env.clients.kms, BUCKET_ARN);
    expect(mock.commandCalls(GetBucketEncryptionCommand)[0]!.args[0].input).toEqual({ Bucket: 'orders-failed-batches' });
    expect(env.mocks.kms.commandCalls(DescribeKeyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ARN });
    expect(fact).toMatchObject({
      ok: true,
      source: 's3:GetEncryptionConfiguration',
      value: { SSEAlgorithm: 'aws:kms', BucketKeyEnabled: true, KmsMasterKeyId: KEY_ARN, key: { ok: true, value: { KeyManager: 'CUSTOMER', KeyState: 'Enabled' } } },
    });
    mock.restore();
    env.restore();
  });

  it('reads SSE-S3 (AES256) as no key, and aws:kms without a KMSMasterKeyID as the AWS managed aws/s3 key, describing neither', async () => {
    const env = mockedClients();
    const sseS3 = s3With({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] }, $metadata: metadata() });
    expect(await readBucketEncryption(sseS3.s3, env.clients.kms, BUCKET_ARN)).toEqual({ ok: true, source: 's3:GetEncryptionConfiguration', value: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false } });
    sseS3.mock.restore();
    const managed = s3With({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] }, $metadata: metadata() });
    expect(await readBucketEncryption(managed.s3, env.clients.kms, BUCKET_ARN)).toEqual({
      ok: true,
      source: 's3:GetEncryptionConfiguration',
      value: { SSEAlgorithm: 'aws:kms', BucketKeyEnabled: true, KmsMasterKeyId: 'alias/aws/s3' },
    });
    expect(env.mocks.kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
    managed.mock.restore();
    env.restore();
  });

  it('describes a DSSE-KMS key too', async () => {
    const env = mockedClients();
    const { s3, mock } = s3With({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: KEY_ARN } }] }, $metadata: metadata() });
    env.mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' }, $metadata: metadata() });
    expect(await readBucketEncryption(s3, env.clients.kms, BUCKET_ARN)).toMatchObject({ ok: true, value: { SSEAlgorithm: 'aws:kms:dsse', KmsMasterKeyId: KEY_ARN, key: { ok: true } } });
    mock.restore();
    env.restore();
  });

  it('reads a bucket with no encryption configuration as no key', async () => {
    const env = mockedClients();
    const { s3, mock } = s3With(awsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', 404));
    expect(await readBucketEncryption(s3, env.clients.kms, BUCKET_ARN)).toEqual({ ok: true, source: 's3:GetEncryptionConfiguration', value: {} });
    mock.restore();
    env.restore();
  });

  it('names s3:GetEncryptionConfiguration when it is denied', async () => {
    const env = mockedClients();
    const { s3, mock } = s3With(awsError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/esm-doctor/x is not authorized to perform: s3:GetEncryptionConfiguration', 403));
    expect(await readBucketEncryption(s3, env.clients.kms, BUCKET_ARN)).toMatchObject({ ok: false, error: { code: 'AccessDenied', action: 's3:GetEncryptionConfiguration', httpStatus: 403 } });
    mock.restore();
    env.restore();
  });
});
