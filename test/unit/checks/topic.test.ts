import { batchPayload, consumerGroupUnique, topicExists, checks as topicChecks } from '../../../bot/checks/topic';
import type { Snapshot, SiblingEsm } from '../../../bot/model/snapshot';
import { decodeTopicConfigs } from '../../../bot/checks/lib/kafka-config';
import { CLUSTER_ARN, ESM_UUID, FUNCTION_ARN, SM_UUID, mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

const TOPIC_ARN = 'arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders';

function withTopicConfigs(text: string): Snapshot {
  const snap = mskIamHealthy();
  if (snap.topic?.ok && snap.topic.value.Found) snap.topic.value.Configs = Buffer.from(text).toString('base64');
  return snap;
}

function withSiblings(snap: Snapshot, extra: SiblingEsm[]): Snapshot {
  const current = snap.siblings?.ok ? snap.siblings.value : [];
  snap.siblings = { ok: true, source: 'lambda:ListEventSourceMappings', value: [...current, ...extra] };
  return snap;
}

describe('topic.exists', () => {
  it('passes when DescribeTopic finds the topic, with its partition count', () => {
    const out = topicExists.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('12 partitions');
    expect(out.resources).toEqual([TOPIC_ARN]);
  });

  it('fails when the topic does not exist, mentioning case and restarting the trigger', () => {
    const snap = mskIamHealthy();
    snap.topic = { ok: true, source: 'kafka:DescribeTopic', value: { Found: false, TopicName: 'orders' } };
    const out = topicExists.run(snap);
    expect(out.status).toBe('fail');
    expect(out.title).toContain('"orders" does not exist');
    expect(out.detail).toContain('case-sensitive');
    expect(out.detail).toContain(CLUSTER_ARN);
    expect(out.fix).toContain(`aws kafka create-topic --cluster-arn ${CLUSTER_ARN} --topic-name orders`);
    expect(out.fix).toContain(`aws lambda update-event-source-mapping --uuid ${ESM_UUID} --no-enabled --region eu-west-1`);
    expect(out.fix).toContain(`aws lambda update-event-source-mapping --uuid ${ESM_UUID} --enabled --region eu-west-1`);
    expect(out.resources).toContain(CLUSTER_ARN);
  });

  it('skips for self-managed Kafka: only a live probe can see the topic', () => {
    const out = topicExists.run(selfManagedScramHealthy());
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('only a live probe');
  });

  it('skips when MSK answers BadRequestException (topic API unsupported)', () => {
    const snap = mskIamHealthy();
    snap.topic = { ok: false, source: 'kafka:DescribeTopic', error: { code: 'BadRequestException', message: 'This operation is not supported for this cluster.', action: 'kafka:DescribeTopic' } };
    const out = topicExists.run(snap);
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('3.6.0');
  });

  it('skips with the reason when the cluster runs Kafka older than 3.6.0 and no answer was collected', () => {
    const snap = mskIamHealthy();
    if (snap.cluster?.ok) snap.cluster.value.Provisioned!.CurrentBrokerSoftwareInfo = { KafkaVersion: '2.8.1' };
    delete snap.topic;
    const out = topicExists.run(snap);
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('Kafka 2.8.1');
  });

  it('skips on MSK Serverless, which has no topic API', () => {
    const snap = mskIamHealthy();
    snap.cluster = { ok: true, source: 'kafka:DescribeClusterV2', value: { ClusterArn: CLUSTER_ARN, ClusterType: 'SERVERLESS', State: 'ACTIVE', Serverless: { VpcConfigs: [] } } };
    delete snap.topic;
    expect(topicExists.run(snap).detail).toContain('Serverless');
  });

  it('reports an error with the kafka-cluster actions when DescribeTopic was denied', () => {
    const snap = mskIamHealthy();
    snap.topic = { ok: false, source: 'kafka:DescribeTopic', error: { code: 'ForbiddenException', message: 'not authorized to perform kafka-cluster:DescribeTopic', action: 'kafka:DescribeTopic' } };
    const out = topicExists.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('kafka-cluster:DescribeTopicDynamicConfiguration');
    expect(out.fix).toContain(TOPIC_ARN);
  });

  it('skips when the cluster itself was not found', () => {
    const snap = mskIamHealthy();
    snap.topic = { ok: false, source: 'kafka:DescribeTopic', error: { code: 'NotFoundException', message: 'topic orders not read because kafka:DescribeClusterV2 failed', action: 'kafka:DescribeClusterV2' } };
    expect(topicExists.run(snap).status).toBe('skip');
  });

  it('warns when the topic is being deleted', () => {
    const snap = mskIamHealthy();
    if (snap.topic?.ok && snap.topic.value.Found) snap.topic.value.Status = 'DELETING';
    expect(topicExists.run(snap).status).toBe('warn');
  });
});

describe('consumer-group.unique', () => {
  it('passes when the ESM uses its UUID and no sibling shares it', () => {
    const out = consumerGroupUnique.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('1 other mapping');
  });

  it('fails when another enabled mapping on the same cluster uses the same ConsumerGroupId', () => {
    const snap = mskIamHealthy();
    snap.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'orders-processor' };
    withSiblings(snap, [{
      UUID: 'b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e',
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer-v2',
      EventSourceArn: CLUSTER_ARN,
      State: 'Enabled',
      Topics: ['orders'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-processor' },
    }]);
    const out = consumerGroupUnique.run(snap);
    expect(out.status).toBe('fail');
    expect(out.detail).toContain('"orders-processor"');
    expect(out.detail).toContain('b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e');
    expect(out.resources).toContain('b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e');
    // No ConsumerGroupId on the new mapping: Lambda then uses its UUID, unique by construction.
    expect(out.remedy?.commands?.[0]).toContain(`--event-source-arn ${CLUSTER_ARN}`);
    expect(out.remedy?.commands?.[0]).not.toContain('ConsumerGroupId');
    expect(out.remedy?.commands?.[1]).toMatch(/^aws lambda delete-event-source-mapping --uuid \S+ --region eu-west-1$/);
  });

  it('does not count a mapping with the same group id on another cluster', () => {
    const snap = mskIamHealthy();
    snap.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'orders-processor' };
    withSiblings(snap, [{ UUID: 'b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e', EventSourceArn: CLUSTER_ARN.replace('orders-prod', 'orders-staging'), State: 'Enabled', AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-processor' } }]);
    expect(consumerGroupUnique.run(snap).status).toBe('warn');
  });

  it('fails when a self-managed sibling with an overlapping bootstrap server uses the same group', () => {
    const snap = selfManagedScramHealthy();
    snap.esm.SelfManagedKafkaEventSourceConfig = { ConsumerGroupId: 'clickstream' };
    withSiblings(snap, [{
      UUID: 'c6d9e2f5-a8b1-4c4d-8e7f-2a3b4c5d6e7f',
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:clickstream-archive',
      State: 'Enabled',
      Topics: ['clickstream'],
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['KAFKA-2.internal.example.com:9096'] } },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'clickstream' },
    }]);
    const out = consumerGroupUnique.run(snap);
    expect(out.status).toBe('fail');
    expect(out.remedy?.commands?.[0]).toContain('--self-managed-event-source \'{"Endpoints":{"KAFKA_BOOTSTRAP_SERVERS":[');
    expect(out.fix).not.toMatch(/<[^>]+>/);
  });

  it('warns when the only mapping sharing the group is disabled', () => {
    const snap = mskIamHealthy();
    snap.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'orders-processor' };
    withSiblings(snap, [{ UUID: 'b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e', EventSourceArn: CLUSTER_ARN, State: 'Disabled', AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-processor' } }]);
    const out = consumerGroupUnique.run(snap);
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('Disabled');
  });

  it('warns on a custom ConsumerGroupId: committed offsets override StartingPosition and it cannot be changed', () => {
    const snap = mskIamHealthy();
    snap.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'orders-processor' };
    const out = consumerGroupUnique.run(snap);
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('ignores StartingPosition (LATEST)');
    expect(out.detail).toContain('cannot be changed');
  });

  it('reports an error naming lambda:ListEventSourceMappings when the list failed', () => {
    const snap = mskIamHealthy();
    snap.siblings = { ok: false, source: 'lambda:ListEventSourceMappings', error: { code: 'AccessDeniedException', message: 'not authorized', action: 'lambda:ListEventSourceMappings' } };
    const out = consumerGroupUnique.run(snap);
    expect(out.status).toBe('error');
    expect(out.fix).toContain('lambda:ListEventSourceMappings');
  });
});

describe('batch.payload', () => {
  it('passes when max.message.bytes is the 1 MB default', () => {
    const out = batchPayload.run(mskIamHealthy());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('1,048,588 bytes');
  });

  it('warns when the topic accepts 10 MB records (JSON Configs)', () => {
    const out = batchPayload.run(withTopicConfigs(JSON.stringify({ 'max.message.bytes': '10485760', 'retention.ms': '604800000' })));
    expect(out.status).toBe('warn');
    expect(out.detail).toContain('10,485,760 bytes');
    expect(out.detail).toContain('6,291,456 bytes');
    expect(out.resources).toEqual([TOPIC_ARN]);
    expect(out.fix).toContain('kafka-configs.sh --bootstrap-server b-1.ordersprod.x1y2z3.c3.kafka.eu-west-1.amazonaws.com:9098');
    expect(out.fix).toContain('--entity-name orders');
  });

  it('reads Java properties Configs too', () => {
    const out = batchPayload.run(withTopicConfigs('# topic overrides\nretention.ms=604800000\nmax.message.bytes=8388608\n'));
    expect(out.status).toBe('warn');
    expect(decodeTopicConfigs(Buffer.from('a=1\nb: 2').toString('base64'))).toEqual({ a: '1', b: '2' });
  });

  it('passes exactly at 6 MB', () => {
    expect(batchPayload.run(withTopicConfigs(JSON.stringify({ 'max.message.bytes': 6291456 }))).status).toBe('pass');
  });

  it('skips when the topic does not override max.message.bytes', () => {
    const out = batchPayload.run(withTopicConfigs(JSON.stringify({ 'retention.ms': '604800000' })));
    expect(out.status).toBe('skip');
    expect(out.detail).toContain('message.max.bytes');
  });

  it('skips for self-managed Kafka', () => {
    expect(batchPayload.run(selfManagedScramHealthy()).status).toBe('skip');
  });

  it('skips when the topic could not be described', () => {
    const snap = mskIamHealthy();
    snap.topic = { ok: false, source: 'kafka:DescribeTopic', error: { code: 'BadRequestException', message: 'unsupported' } };
    expect(batchPayload.run(snap).status).toBe('skip');
  });
});

describe('topic checks on the healthy baselines', () => {
  it('pass on MSK IAM', () => {
    for (const check of topicChecks) expect(check.run(mskIamHealthy()).status).toBe('pass');
  });

  it('pass or skip with a reason on self-managed SCRAM', () => {
    const snap = selfManagedScramHealthy();
    expect(topicExists.run(snap).status).toBe('skip');
    expect(consumerGroupUnique.run(snap).status).toBe('pass');
    expect(consumerGroupUnique.run(snap).detail).toContain(SM_UUID);
    expect(batchPayload.run(snap).status).toBe('skip');
  });

  it('uses the function ARN in the fix for a shared group', () => {
    const snap = mskIamHealthy();
    snap.esm.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'g' };
    withSiblings(snap, [{ UUID: 'b5c8d1e4-f7a0-4b3c-9d6e-1f2a3b4c5d6e', EventSourceArn: CLUSTER_ARN, State: 'Enabled', AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } }]);
    expect(consumerGroupUnique.run(snap).fix).toContain(`--function-name ${FUNCTION_ARN}`);
  });
});
