/**
 * The AWS documentation pages the checks link to (the canonical URLs of the Lambda developer guide
 * pages the fact base cites). One place, so a moved page is one edit.
 */
export const AWS_DOCS = {
  troubleshoot: 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html',
  mskNetwork: 'https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html',
  selfManagedNetwork: 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-cluster-network.html',
  mskPermissions: 'https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html',
  selfManagedPermissions: 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-permissions.html',
  mskAuth: 'https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html',
  selfManagedAuth: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-cluster-auth.html',
  mskCreate: 'https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-create.html',
  consumerGroupId: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html',
  mskParameters: 'https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-parameters.html',
  scaling: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html',
  onFailure: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html',
  crossAccount: 'https://docs.aws.amazon.com/lambda/latest/dg/msk-cross-account.html',
  onFailureKafka: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html',
  retries: 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html',
  schemaRegistry: 'https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html',
  metrics: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html',
} as const;
