/**
 * An S3 on-failure destination whose default encryption is SSE-KMS, end to end against moto: the
 * bucket's encryption set through the real SDK (PutBucketEncryption), read back by the collector
 * (GetBucketEncryption, then DescribeKey), the role simulated by the moto_ext SimulatePrincipalPolicy,
 * and judged by destination.kms (kafka-on-failure: kms:GenerateDataKey for an S3 destination's key).
 */
import { CreateBucketCommand, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { diagnose as diagnoseEsm } from '../../bot/diagnose';
import type { Report } from '../../bot/model/report';
import { seedMskIamWithNat, type MskScenario } from '../support/aws-seed';
import { withMoto, useMotoEnv } from './harness';

const REGION = 'eu-west-1';
const BUCKET = 'orders-failed-batches';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

async function diagnose(target: { uuid: string; region: string }): Promise<Report> {
  return (await diagnoseEsm(target)).report;
}

function finding(report: Report, check: string) {
  const f = report.findings.find((x) => x.check === check);
  if (!f) throw new Error(`no ${check} finding`);
  return f;
}

withMoto('destination.kms: an S3 on-failure destination with SSE-KMS, against moto', (ctx) => {
  useMotoEnv(ctx);
  let s3: S3Client;

  beforeAll(() => {
    s3 = new S3Client({
      region: REGION,
      endpoint: ctx.moto().endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
      maxAttempts: 1,
    });
  });

  afterAll(() => {
    s3?.destroy();
  });

  /** The healthy MSK IAM ESM with the bucket as its on-failure destination; the role may write to it. */
  async function withBucket(encryption: { SSEAlgorithm: 'AES256' | 'aws:kms'; KMSMasterKeyID?: string; BucketKeyEnabled?: boolean } | undefined, kmsGrant: boolean): Promise<MskScenario> {
    const c = ctx.aws();
    const seeded = await seedMskIamWithNat(c, ctx.moto());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    if (encryption) {
      const { BucketKeyEnabled, ...byDefault } = encryption;
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: BUCKET,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, ...(BucketKeyEnabled !== undefined ? { BucketKeyEnabled } : {}) }] },
        }),
      );
    }
    const statements: unknown[] = [
      { Sid: 'WriteFailedBatches', Effect: 'Allow', Action: 's3:PutObject', Resource: `${BUCKET_ARN}/*` },
      { Sid: 'ListFailedBatches', Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
    ];
    if (kmsGrant && encryption?.KMSMasterKeyID) statements.push({ Sid: 'EncryptFailedBatches', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: encryption.KMSMasterKeyID });
    await c.iam.send(
      new PutRolePolicyCommand({ RoleName: seeded.roleName, PolicyName: 'on-failure-destination', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
    );
    await c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: seeded.uuid, DestinationConfig: { OnFailure: { Destination: BUCKET_ARN } } }));
    return seeded;
  }

  async function customerKey(): Promise<string> {
    const key = await ctx.aws().kms.send(new CreateKeyCommand({ Description: 'encrypts failed batches', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' }));
    return key.KeyMetadata!.Arn!;
  }

  it('passes a customer managed key the role may kms:GenerateDataKey on, reading the Bucket Key setting', async () => {
    const keyArn = await customerKey();
    const seeded = await withBucket({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn, BucketKeyEnabled: true }, true);
    const report = await diagnose({ uuid: seeded.uuid, region: REGION });
    const f = finding(report, 'destination.kms');
    expect(f.status).toBe('pass');
    expect(f.detail).toContain(keyArn);
    expect(f.detail).toContain('kms:GenerateDataKey');
    expect(f.detail).toContain('S3 Bucket Key');
    expect(report.findings.filter((x) => x.status === 'fail').map((x) => x.check)).toEqual([]);
  }, 60_000);

  it('fails when the role lacks kms:GenerateDataKey on the bucket key, with the grant to add', async () => {
    const keyArn = await customerKey();
    const seeded = await withBucket({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, false);
    const report = await diagnose({ uuid: seeded.uuid, region: REGION });
    const f = finding(report, 'destination.kms');
    expect(f.status).toBe('fail');
    expect(f.detail).toContain(`kms:GenerateDataKey on ${keyArn}`);
    expect(f.remedy?.commands?.[0]).toContain(`--role-name ${seeded.roleName} --policy-name esm-on-failure-destination-kms`);
    expect(JSON.stringify(f.remedy?.documents?.[0]?.json)).toContain(keyArn);
  }, 60_000);

  it('fails a bucket key pending deletion, with the command that cancels it', async () => {
    const keyArn = await customerKey();
    // By key id: this moto answers ScheduleKeyDeletion / DisableKey by ARN with an HTML error page.
    await ctx.aws().kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn.split('/').pop()!, PendingWindowInDays: 7 }));
    const seeded = await withBucket({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, true);
    const f = finding(await diagnose({ uuid: seeded.uuid, region: REGION }), 'destination.kms');
    expect(f.status).toBe('fail');
    expect(f.title).toContain('PendingDeletion');
    expect(f.remedy?.commands?.[0]).toBe(`aws kms cancel-key-deletion --key-id ${keyArn} --region ${REGION}`);
  }, 60_000);

  it('passes SSE-S3 and the AWS managed aws/s3 key without any KMS grant', async () => {
    const seeded = await withBucket({ SSEAlgorithm: 'AES256' }, false);
    const sseS3 = finding(await diagnose({ uuid: seeded.uuid, region: REGION }), 'destination.kms');
    expect(sseS3.status).toBe('pass');
    expect(sseS3.detail).toContain('SSE-S3 (AES256)');
    await s3.send(new PutBucketEncryptionCommand({ Bucket: BUCKET, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } }));
    const managed = finding(await diagnose({ uuid: seeded.uuid, region: REGION }), 'destination.kms');
    expect(managed.status).toBe('pass');
    expect(managed.detail).toContain('alias/aws/s3');
  }, 60_000);

  it('reports an error naming s3:GetEncryptionConfiguration when the bucket cannot be read (here: it does not exist)', async () => {
    const seeded = await seedMskIamWithNat(ctx.aws(), ctx.moto());
    await ctx.aws().lambda.send(new UpdateEventSourceMappingCommand({ UUID: seeded.uuid, DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::no-such-bucket-here' } } }));
    const f = finding(await diagnose({ uuid: seeded.uuid, region: REGION }), 'destination.kms');
    expect(f.status).toBe('error');
    expect(f.detail).toContain('s3:GetEncryptionConfiguration');
    expect(f.detail).toContain('NoSuchBucket');
  }, 60_000);
});
