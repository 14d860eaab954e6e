/**
 * The ESM features Lambda added since 2024, with the API shapes GetEventSourceMapping, DescribeTopic,
 * DescribeVpcConnection, glue:GetRegistry, sqs:GetQueueAttributes and kms:DescribeKey return.
 */
import { destinationKafkaTopic, destinationKms } from '../../../bot/checks/destination-kafka';
import { vpcConnection } from '../../../bot/checks/cross-account';
import { provisionedPollers } from '../../../bot/checks/provisioned';
import { errorHandling } from '../../../bot/checks/retries';
import { schemaRegistryAccess } from '../../../bot/checks/schema-registry';
import { requiredPermissions } from '../../../bot/model/permissions';
import type { Snapshot } from '../../../bot/model/snapshot';
import { ACCOUNT, CLUSTER_ARN, ESM_UUID, REGION, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';
import { crossAccount as crossAccountScenario, VPC_CONNECTION_ARN } from '../../../scenarios/index';
import { allowAll } from '../../support/allow-all';

const DLT_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders-dlt`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-failed`;
const QUEUE_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
const REGISTRY_ARN = `arn:aws:glue:${REGION}:${ACCOUNT}:registry/orders-schemas`;

function provisioned(s: Snapshot, config: Snapshot['esm']['ProvisionedPollerConfig'] = { MinimumPollers: 1, MaximumPollers: 12 }): Snapshot {
  s.esm.ProvisionedPollerConfig = config;
  return s;
}

function resimulate(s: Snapshot, deny: (action: string) => boolean = () => false): Snapshot {
  s.permissions = { ok: true, source: 'iam:SimulatePrincipalPolicy', value: allowAll(s).map((r) => (deny(r.EvalActionName) ? { ...r, EvalDecision: 'implicitDeny' } : r)) };
  return s;
}

function withKafkaDestination(found = true): Snapshot {
  const s = provisioned(mskIamHealthy());
  s.esm.DestinationConfig = { OnFailure: { Destination: 'kafka://orders-dlt' } };
  s.destinationTopic = found
    ? { ok: true, source: 'kafka:DescribeTopic', value: { Found: true, TopicName: 'orders-dlt', TopicArn: DLT_ARN, PartitionCount: 3, ReplicationFactor: 3, Status: 'ACTIVE' } }
    : { ok: true, source: 'kafka:DescribeTopic', value: { Found: false, TopicName: 'orders-dlt' } };
  return resimulate(s);
}

describe('destination.kafka-topic (item 7)', () => {
  it('asks for kafka-cluster:WriteData, DescribeTopic and Connect on the destination topic under IAM auth', () => {
    const s = withKafkaDestination();
    const reqs = requiredPermissions({ esm: s.esm, cluster: s.cluster!.ok ? s.cluster!.value : undefined, region: REGION, account: ACCOUNT }).filter((r) => r.group === 'destination');
    expect(reqs.map((r) => [r.action, r.resource])).toEqual([
      ['kafka-cluster:Connect', CLUSTER_ARN],
      ['kafka-cluster:DescribeTopic', DLT_ARN],
      ['kafka-cluster:WriteData', DLT_ARN],
    ]);
  });

  it('passes when the topic exists and the role may write it', () => {
    const o = destinationKafkaTopic.run(withKafkaDestination());
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('orders-dlt exists');
  });

  it('fails when DescribeTopic says the destination topic does not exist, with the create-topic command', () => {
    const o = destinationKafkaTopic.run(withKafkaDestination(false));
    expect(o.status).toBe('fail');
    expect(o.title).toContain('orders-dlt does not exist');
    expect(o.remedy?.commands?.[0]).toBe(`aws kafka create-topic --cluster-arn ${CLUSTER_ARN} --topic-name orders-dlt --partition-count 12 --replication-factor 3 --region ${REGION}`);
  });

  it('fails when the role may not kafka-cluster:WriteData on it, giving the statement', () => {
    const o = destinationKafkaTopic.run(resimulate(withKafkaDestination(), (a) => a === 'kafka-cluster:WriteData'));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`kafka-cluster:WriteData on ${DLT_ARN}`);
    expect(JSON.stringify(o.remedy?.documents)).toContain('kafka-cluster:WriteData');
    expect(o.remedy?.commands?.[0]).toContain('aws iam put-role-policy --role-name orders-consumer-role --policy-name esm-on-failure-topic');
  });

  it('skips without a kafka:// destination, and says what it cannot read on a self-managed cluster', () => {
    expect(destinationKafkaTopic.run(mskIamHealthy()).status).toBe('skip');
    const sm = selfManagedScramHealthy();
    sm.esm.DestinationConfig = { OnFailure: { Destination: 'kafka://clickstream-dlt' } };
    expect(destinationKafkaTopic.run(sm).detail).toContain('Write and Describe ACLs');
  });
});

describe('destination.kms (item 7)', () => {
  function withQueue(key: 'cmk' | 'aws' | 'none' | 'disabled', deny = false): Snapshot {
    const s = mskIamHealthy();
    s.esm.DestinationConfig = { OnFailure: { Destination: QUEUE_ARN } };
    s.destinationEncryption = {
      ok: true,
      source: 'sqs:GetQueueAttributes',
      value:
        key === 'none'
          ? {}
          : key === 'aws'
            ? { KmsMasterKeyId: 'alias/aws/sqs' }
            : {
                KmsMasterKeyId: QUEUE_KEY,
                key: { ok: true, source: 'kms:DescribeKey', value: { KeyId: QUEUE_KEY.split('/')[1]!, Arn: QUEUE_KEY, KeyManager: 'CUSTOMER', KeyState: key === 'disabled' ? 'Disabled' : 'Enabled' } },
              },
    };
    return resimulate(s, (a) => deny && a.startsWith('kms:'));
  }

  it('asks for kms:Decrypt and kms:GenerateDataKey on a customer managed destination key', () => {
    const s = withQueue('cmk');
    expect(s.permissions!.ok && s.permissions!.value.filter((r) => r.EvalResourceName === QUEUE_KEY).map((r) => r.EvalActionName)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(destinationKms.run(s).status).toBe('pass');
  });

  it('fails when the role may not use the key, and when the key is disabled', () => {
    const denied = destinationKms.run(withQueue('cmk', true));
    expect(denied.status).toBe('fail');
    expect(denied.detail).toContain(`kms:GenerateDataKey on ${QUEUE_KEY}`);
    const disabled = destinationKms.run(withQueue('disabled'));
    expect(disabled.status).toBe('fail');
    expect(disabled.remedy?.commands).toContain(`aws kms enable-key --key-id ${QUEUE_KEY} --region ${REGION}`);
  });

  it('passes for an unencrypted queue and for the AWS managed key', () => {
    expect(destinationKms.run(withQueue('none')).status).toBe('pass');
    expect(destinationKms.run(withQueue('aws')).status).toBe('pass');
  });

  it('reports an error naming the call when the queue attributes were denied', () => {
    const s = withQueue('none');
    s.destinationEncryption = { ok: false, source: 'sqs:GetQueueAttributes', error: { code: 'AccessDenied', message: 'not authorized', action: 'sqs:GetQueueAttributes' } };
    const o = destinationKms.run(s);
    expect(o.status).toBe('error');
    expect(o.fix).toContain('sqs:GetQueueAttributes');
  });
});

describe('destination.kms with an S3 destination (item 7)', () => {
  const BUCKET_ARN = 'arn:aws:s3:::orders-failed-batches';
  const BUCKET_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918`;
  const OTHER_ACCOUNT_KEY = `arn:aws:kms:${REGION}:210987654321:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d`;

  /** The DestinationEncryption the collector makes of a GetBucketEncryption rule (see test/unit/collect). */
  function withBucket(value: NonNullable<Snapshot['destinationEncryption']>, deny: (action: string) => boolean = () => false): Snapshot {
    const s = selfManagedScramHealthy();
    s.esm.DestinationConfig = { OnFailure: { Destination: BUCKET_ARN } };
    s.destinationEncryption = value;
    return resimulate(s, deny);
  }
  function cmk(arn = BUCKET_KEY, state = 'Enabled', bucketKey = false): NonNullable<Snapshot['destinationEncryption']> {
    return {
      ok: true,
      source: 's3:GetEncryptionConfiguration',
      value: {
        SSEAlgorithm: 'aws:kms',
        BucketKeyEnabled: bucketKey,
        KmsMasterKeyId: arn,
        key: { ok: true, source: 'kms:DescribeKey', value: { KeyId: arn.split('/')[1]!, Arn: arn, KeyManager: 'CUSTOMER', KeyState: state } },
      },
    };
  }

  it('asks only kms:GenerateDataKey on the bucket\'s customer managed key (kafka-on-failure), and passes when allowed', () => {
    const s = withBucket(cmk());
    expect(s.permissions!.ok && s.permissions!.value.filter((r) => r.EvalResourceName === BUCKET_KEY).map((r) => r.EvalActionName)).toEqual(['kms:GenerateDataKey']);
    const o = destinationKms.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('kms:GenerateDataKey');
    expect(o.detail).not.toContain('kms:Decrypt');
    expect(o.resources).toEqual([BUCKET_ARN, BUCKET_KEY]);
  });

  it('fails with a put-role-policy granting kms:GenerateDataKey when the role may not use the key', () => {
    const o = destinationKms.run(withBucket(cmk(), (a) => a === 'kms:GenerateDataKey'));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(`kms:GenerateDataKey on ${BUCKET_KEY}`);
    expect(o.detail).toContain('S3 rejects them');
    const doc = JSON.stringify(o.remedy!.documents![0]!.json);
    expect(doc).toContain('kms:GenerateDataKey');
    expect(doc).toContain(BUCKET_KEY);
    expect(o.remedy?.commands?.[0]).toMatch(/^aws iam put-role-policy --role-name \S+ --policy-name esm-on-failure-destination-kms /);
  });

  it('names the key policy for a key in another account', () => {
    const o = destinationKms.run(withBucket(cmk(OTHER_ACCOUNT_KEY), (a) => a === 'kms:GenerateDataKey'));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('its key policy must also allow the role kms:GenerateDataKey');
  });

  it('fails a disabled or pending-deletion key with the commands that bring it back', () => {
    const disabled = destinationKms.run(withBucket(cmk(BUCKET_KEY, 'Disabled')));
    expect(disabled.status).toBe('fail');
    expect(disabled.detail).toContain('S3 refuses every object');
    expect(disabled.remedy?.commands).toEqual([`aws kms enable-key --key-id ${BUCKET_KEY} --region ${REGION}`]);
    const pending = destinationKms.run(withBucket(cmk(BUCKET_KEY, 'PendingDeletion')));
    expect(pending.remedy?.commands?.[0]).toBe(`aws kms cancel-key-deletion --key-id ${BUCKET_KEY} --region ${REGION}`);
  });

  it('notes the bucket-ARN encryption context of an S3 Bucket Key', () => {
    const o = destinationKms.run(withBucket(cmk(BUCKET_KEY, 'Enabled', true)));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('S3 Bucket Key');
    expect(o.detail).toContain('kms:EncryptionContext:aws:s3:arn');
    expect(destinationKms.run(withBucket(cmk())).detail).not.toContain('Bucket Key');
  });

  it('passes SSE-S3 (AES256) and the AWS managed key aws/s3 without asking for any KMS permission', () => {
    const sseS3 = withBucket({ ok: true, source: 's3:GetEncryptionConfiguration', value: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false } });
    // (the SCRAM secret's own key still needs kms:Decrypt; nothing is asked for the bucket)
    expect(sseS3.permissions!.ok && sseS3.permissions!.value.some((r) => r.EvalActionName === 'kms:GenerateDataKey')).toBe(false);
    const o = destinationKms.run(sseS3);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('SSE-S3 (AES256)');
    const managed = destinationKms.run(withBucket({ ok: true, source: 's3:GetEncryptionConfiguration', value: { SSEAlgorithm: 'aws:kms', KmsMasterKeyId: 'alias/aws/s3' } }));
    expect(managed.status).toBe('pass');
    expect(managed.detail).toContain('AWS managed key alias/aws/s3');
    const described = destinationKms.run(
      withBucket({
        ok: true,
        source: 's3:GetEncryptionConfiguration',
        value: { SSEAlgorithm: 'aws:kms', KmsMasterKeyId: BUCKET_KEY, key: { ok: true, source: 'kms:DescribeKey', value: { KeyId: 'k', Arn: BUCKET_KEY, KeyManager: 'AWS', KeyState: 'Enabled' } } },
      }),
    );
    expect(described.status).toBe('pass');
  });

  it('reports an error naming s3:GetEncryptionConfiguration when the read was denied, and one naming kms:DescribeKey for the key', () => {
    const denied = destinationKms.run(
      withBucket({ ok: false, source: 's3:GetEncryptionConfiguration', error: { code: 'AccessDenied', message: 'User is not authorized to perform: s3:GetEncryptionConfiguration', action: 's3:GetEncryptionConfiguration', httpStatus: 403 } }),
    );
    expect(denied.status).toBe('error');
    expect(denied.fix).toContain('s3:GetEncryptionConfiguration');
    const keyDenied = destinationKms.run(
      withBucket({
        ok: true,
        source: 's3:GetEncryptionConfiguration',
        value: { SSEAlgorithm: 'aws:kms', KmsMasterKeyId: BUCKET_KEY, key: { ok: false, source: 'kms:DescribeKey', error: { code: 'AccessDeniedException', message: 'not authorized', action: 'kms:DescribeKey' } } },
      }),
    );
    expect(keyDenied.status).toBe('error');
    expect(keyDenied.fix).toContain('kms:DescribeKey');
  });

  it('skips when the bucket\'s encryption was not collected, naming the call', () => {
    const s = selfManagedScramHealthy();
    s.esm.DestinationConfig = { OnFailure: { Destination: BUCKET_ARN } };
    const o = destinationKms.run(s);
    expect(o.status).toBe('skip');
    expect(o.detail).toContain('s3:GetEncryptionConfiguration');
  });
});

describe('schema-registry.access (item 8)', () => {
  function withGlue(s: Snapshot = provisioned(mskIamHealthy())): Snapshot {
    s.esm.AmazonManagedKafkaEventSourceConfig = {
      ConsumerGroupId: ESM_UUID,
      SchemaRegistryConfig: { SchemaRegistryURI: REGISTRY_ARN, EventRecordFormat: 'JSON', SchemaValidationConfigs: [{ Attribute: 'VALUE' }] },
    };
    s.schemaRegistry = { ok: true, source: 'glue:GetRegistry', value: { RegistryName: 'orders-schemas', RegistryArn: REGISTRY_ARN, Status: 'AVAILABLE' } };
    return resimulate(s);
  }

  it('asks for glue:GetRegistry on the registry and glue:GetSchemaVersion on its schemas', () => {
    const s = withGlue();
    const reqs = requiredPermissions({ esm: s.esm, region: REGION, account: ACCOUNT }).filter((r) => r.group === 'schema-registry');
    expect(reqs.map((r) => [r.action, r.resource])).toEqual([
      ['glue:GetRegistry', REGISTRY_ARN],
      ['glue:GetSchemaVersion', `arn:aws:glue:${REGION}:${ACCOUNT}:schema/orders-schemas/*`],
    ]);
    expect(schemaRegistryAccess.run(s).status).toBe('pass');
  });

  it('fails when the role lacks the Glue permissions', () => {
    const o = schemaRegistryAccess.run(resimulate(withGlue(), (a) => a.startsWith('glue:')));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('glue:GetSchemaVersion');
    expect(o.remedy?.commands?.[0]).toContain('--policy-name esm-schema-registry');
  });

  it('fails when the registry does not exist, and in on-demand mode', () => {
    const gone = withGlue();
    gone.schemaRegistry = { ok: false, source: 'glue:GetRegistry', error: { code: 'EntityNotFoundException', message: 'Registry not found', action: 'glue:GetRegistry' } };
    expect(schemaRegistryAccess.run(gone).title).toContain('does not exist');
    const onDemand = withGlue(mskIamHealthy());
    const o = schemaRegistryAccess.run(onDemand);
    expect(o.status).toBe('fail');
    expect(o.title).toBe('A schema registry needs provisioned mode');
  });

  it('needs the Confluent registry\'s secret readable, and fails a private registry address for an ESM on the internet', () => {
    const s = provisioned(selfManagedScramHealthy());
    const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:confluent/registry-Xy12Ab`;
    s.esm.SelfManagedKafkaEventSourceConfig = {
      ConsumerGroupId: s.esm.UUID,
      SchemaRegistryConfig: { SchemaRegistryURI: 'https://schema-registry.internal.example.com', EventRecordFormat: 'SOURCE', AccessConfigs: [{ Type: 'BASIC_AUTH', URI: secret }] },
    };
    resimulate(s, (a) => a === 'secretsmanager:GetSecretValue');
    const o = schemaRegistryAccess.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(secret);
    s.esm.SourceAccessConfigurations = s.esm.SourceAccessConfigurations!.filter((c) => !c.Type.startsWith('VPC_'));
    s.esm.SelfManagedKafkaEventSourceConfig.SchemaRegistryConfig!.SchemaRegistryURI = 'https://10.20.4.8:8081';
    expect(schemaRegistryAccess.run(resimulate(s)).title).toBe('The schema registry has a private address the ESM cannot reach');
  });
});

describe('esm.provisioned-pollers (item 9)', () => {
  it('passes within the limits, noting that MaximumPollers above the partitions acts as the partition count', () => {
    const o = provisionedPollers.run(provisioned(mskIamHealthy(), { MinimumPollers: 2, MaximumPollers: 40 }));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('acts as 12');
  });

  it.each([
    [{ MinimumPollers: 0, MaximumPollers: 10 }, 'MinimumPollers 0 is outside 1–200'],
    [{ MinimumPollers: 201, MaximumPollers: 300 }, 'MinimumPollers 201 is outside 1–200'],
    [{ MinimumPollers: 1, MaximumPollers: 2001 }, 'MaximumPollers 2001 is outside 1–2,000'],
    [{ MinimumPollers: 8, MaximumPollers: 4 }, 'MinimumPollers 8 is above MaximumPollers 4'],
    [{ MinimumPollers: 1, MaximumPollers: 4, PollerGroupName: 'orders pollers!' }, 'PollerGroupName "orders pollers!"'],
  ])('fails %j', (config, text) => {
    const o = provisionedPollers.run(provisioned(mskIamHealthy(), config));
    expect(o.status).toBe('fail');
    expect(o.detail).toContain(text);
    expect(o.remedy?.commands?.[0]).toMatch(new RegExp(`^aws lambda update-event-source-mapping --uuid ${ESM_UUID} --provisioned-poller-config MinimumPollers=\\d+,MaximumPollers=\\d+.* --region ${REGION}$`));
  });

  it('warns when MinimumPollers is above the topic\'s partitions (idle, billed pollers)', () => {
    const o = provisionedPollers.run(provisioned(mskIamHealthy(), { MinimumPollers: 20, MaximumPollers: 40 }));
    expect(o.status).toBe('warn');
    expect(o.title).toBe('MinimumPollers 20 is above the topic\'s 12 partitions');
  });

  it('fails a poller group whose mappings add up to more than 2,000 pollers', () => {
    const s = provisioned(mskIamHealthy(), { MinimumPollers: 1, MaximumPollers: 1500, PollerGroupName: 'orders' });
    const sib = s.siblings!;
    if (sib.ok) (sib.value[1] as Record<string, unknown>).ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 600, PollerGroupName: 'orders' };
    const o = provisionedPollers.run(s);
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('add up to 2100');
  });

  it('skips an on-demand ESM', () => {
    expect(provisionedPollers.run(mskIamHealthy()).status).toBe('skip');
  });
});

describe('msk.vpc-connection (item 10)', () => {
  /** The bundled cross-account scenario, with the connection in `state` and of `authentication`. */
  function crossAccount(state: string, authentication = 'SASL_IAM'): Snapshot {
    const s = crossAccountScenario(state);
    if (s.vpcConnection?.ok) s.vpcConnection.value.Authentication = authentication;
    return s;
  }

  it('passes an AVAILABLE connection with the ESM\'s authentication', () => {
    const o = vpcConnection.run(crossAccount('AVAILABLE'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('payments-prod');
  });

  it.each(['REJECTED', 'INACTIVE', 'FAILED', 'DELETING'])('fails a %s connection with the describe command', (state) => {
    const o = vpcConnection.run(crossAccount(state));
    expect(o.status).toBe('fail');
    expect(o.remedy?.commands).toEqual([`aws kafka describe-vpc-connection --arn ${VPC_CONNECTION_ARN} --region ${REGION}`]);
  });

  it('warns while the connection is CREATING, and fails an authentication mismatch', () => {
    expect(vpcConnection.run(crossAccount('CREATING')).status).toBe('warn');
    expect(vpcConnection.run(crossAccount('AVAILABLE', 'SASL_SCRAM')).status).toBe('fail');
  });

  it('reports an error naming kafka:DescribeVpcConnection when it was denied', () => {
    const s = crossAccount('AVAILABLE');
    s.vpcConnection = { ok: false, source: 'kafka:DescribeVpcConnection', error: { code: 'ForbiddenException', message: 'not authorized', action: 'kafka:DescribeVpcConnection' } };
    expect(vpcConnection.run(s).status).toBe('error');
  });
});

describe('esm.error-handling (item 11)', () => {
  it('warns in provisioned mode when retries are unlimited and nothing isolates a failing record, naming the controls', () => {
    const o = errorHandling.run(provisioned(mskIamHealthy()));
    expect(o.status).toBe('warn');
    expect(o.title).toContain('block its partition');
    expect(o.remedy?.commands?.[0]).toBe(
      `aws lambda update-event-source-mapping --uuid ${ESM_UUID} --maximum-retry-attempts 10 --bisect-batch-on-function-error --function-response-types ReportBatchItemFailures --region ${REGION}`,
    );
  });

  it.each([
    ['an on-failure destination (Lambda caps unlimited retries at 10)', (s: Snapshot) => { s.esm.DestinationConfig = { OnFailure: { Destination: 'kafka://orders-dlt' } }; }],
    ['bounded retries', (s: Snapshot) => { s.esm.MaximumRetryAttempts = 5; }],
    ['retries set to 0', (s: Snapshot) => { s.esm.MaximumRetryAttempts = 0; }],
    ['a maximum record age', (s: Snapshot) => { s.esm.MaximumRecordAgeInSeconds = 3600; }],
    ['bisection and partial batch response on top of bounded retries', (s: Snapshot) => {
      s.esm.BisectBatchOnFunctionError = true;
      s.esm.FunctionResponseTypes = ['ReportBatchItemFailures'];
      s.esm.MaximumRetryAttempts = 3;
    }],
  ])('passes with %s', (_what, patch) => {
    const s = provisioned(mskIamHealthy());
    patch(s);
    expect(errorHandling.run(s).status).toBe('pass');
  });

  // kafka-retry-configurations: bisection and ReportBatchItemFailures narrow a retry down to the failing
  // record, but with MaximumRetryAttempts and MaximumRecordAgeInSeconds at -1 that record is still retried
  // until it expires, and the partition's later offsets wait behind it.
  it.each([
    ['BisectBatchOnFunctionError', (s: Snapshot) => { s.esm.BisectBatchOnFunctionError = true; }],
    ['ReportBatchItemFailures', (s: Snapshot) => { s.esm.FunctionResponseTypes = ['ReportBatchItemFailures']; }],
    ['both', (s: Snapshot) => { s.esm.BisectBatchOnFunctionError = true; s.esm.FunctionResponseTypes = ['ReportBatchItemFailures']; }],
  ])('still warns with only %s: the isolated record is retried for ever', (what, patch) => {
    const s = provisioned(selfManagedScramHealthy());
    patch(s);
    const o = errorHandling.run(s);
    expect(o.status).toBe('warn');
    expect(o.title).toContain('block its partition');
    expect(o.detail).toContain(what === 'both' ? 'BisectBatchOnFunctionError' : what);
    expect(o.detail).toContain('retried until it expires');
    // The fix bounds the retries; what the ESM already has is not repeated.
    expect(o.remedy?.commands?.[0]).toContain('--maximum-retry-attempts 10');
  });

  it('names the risk and what prevents it in on-demand mode (an SQS, SNS or S3 destination), without warning', () => {
    for (const s of [mskIamHealthy(), selfManagedScramHealthy()]) {
      const o = errorHandling.run(s);
      expect(o.status).toBe('pass');
      expect(o.detail).toContain('one poison record blocks its partition');
      expect(o.detail).toContain('provisioned mode');
      expect(o.detail).toMatch(/SQS, SNS or S3 on-failure destination/);
      expect(o.detail).toContain('at most 10');
    }
  });

  it('passes in on-demand mode with an SQS on-failure destination: Lambda bounds the retries', () => {
    const s = mskIamHealthy();
    s.esm.DestinationConfig = { OnFailure: { Destination: QUEUE_ARN } };
    const o = errorHandling.run(s);
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(QUEUE_ARN);
    expect(o.detail).not.toContain('poison');
  });
});
