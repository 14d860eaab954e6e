/** Lambda: the mapping and the function, and what shows how the function runs (quotas, metrics, logs). */
import { aws, jsonFlag, variable } from './aws';

export interface SourceAccess {
  Type: string;
  URI?: string;
}

export interface EsmUpdate {
  enabled?: boolean;
  sourceAccessConfigurations?: SourceAccess[];
  provisionedPollerConfig?: { MinimumPollers: number; MaximumPollers: number; PollerGroupName?: string };
  maximumRetryAttempts?: number;
  bisectBatchOnFunctionError?: boolean;
  functionResponseTypes?: string[];
}

/** ProvisionedPollerConfig in the CLI's shorthand (PollerGroupName only when set). */
function pollerConfig(c: NonNullable<EsmUpdate['provisionedPollerConfig']>): string {
  return `MinimumPollers=${c.MinimumPollers},MaximumPollers=${c.MaximumPollers}${c.PollerGroupName ? `,PollerGroupName=${c.PollerGroupName}` : ''}`;
}

export function updateEsm(o: { uuid: string; region: string } & EsmUpdate): string {
  const access = o.sourceAccessConfigurations?.map((c) => ({ Type: c.Type, ...(c.URI ? { URI: c.URI } : {}) }));
  return aws('lambda', 'update-event-source-mapping', [
    ['uuid', o.uuid],
    ['enabled', o.enabled === true],
    ['no-enabled', o.enabled === false],
    ...(access ? [jsonFlag('source-access-configurations', access)] : []),
    ['provisioned-poller-config', o.provisionedPollerConfig ? pollerConfig(o.provisionedPollerConfig) : undefined],
    ['maximum-retry-attempts', o.maximumRetryAttempts],
    ['bisect-batch-on-function-error', o.bisectBatchOnFunctionError === true],
    ['function-response-types', o.functionResponseTypes],
  ], o.region);
}

/**
 * A new mapping with what the current one has, plus the change that cannot be made in place
 * (bootstrap servers, consumer group). Without a consumer group id, Lambda uses the new mapping's UUID.
 */
export function createKafkaEsm(o: {
  functionArn: string;
  topics: string[];
  region: string;
  /** bootstrapServersVariable: the reader's corrected list, comma-separated host:port, in that shell variable. */
  source: { clusterArn: string } | { bootstrapServers: string[] } | { bootstrapServersVariable: string };
  sourceAccessConfigurations?: SourceAccess[];
  consumerGroupId?: string;
  /** Required for Kafka sources; the current mapping's, so the new one reads from the same place. */
  startingPosition?: string;
}): string {
  const access = (o.sourceAccessConfigurations ?? []).map((c) => ({ Type: c.Type, ...(c.URI ? { URI: c.URI } : {}) }));
  const msk = 'clusterArn' in o.source;
  const config = o.consumerGroupId
    ? [jsonFlag(msk ? 'amazon-managed-kafka-event-source-config' : 'self-managed-kafka-event-source-config', { ConsumerGroupId: o.consumerGroupId })]
    : [];
  return aws('lambda', 'create-event-source-mapping', [
    ['function-name', o.functionArn],
    ['topics', o.topics],
    ['starting-position', o.startingPosition ?? 'LATEST'],
    'clusterArn' in o.source
      ? ['event-source-arn', o.source.clusterArn]
      : 'bootstrapServers' in o.source
        ? jsonFlag('self-managed-event-source', { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: o.source.bootstrapServers } })
        // CLI shorthand, so the list can come from a variable (a JSON argument is single-quoted and would not expand it).
        : ['self-managed-event-source', variable(o.source.bootstrapServersVariable, `Endpoints={KAFKA_BOOTSTRAP_SERVERS=[$${o.source.bootstrapServersVariable}]}`)],
    ...(access.length ? [jsonFlag('source-access-configurations', access)] : []),
    ...config,
  ], o.region);
}

export function deleteEsm(o: { uuid: string; region: string }): string {
  return aws('lambda', 'delete-event-source-mapping', [['uuid', o.uuid]], o.region);
}

export function getEsm(o: { uuid: string; region: string }): string {
  return aws('lambda', 'get-event-source-mapping', [['uuid', o.uuid]], o.region);
}

export function getFunctionState(o: { functionName: string; region: string }): string {
  return aws('lambda', 'get-function', [['function-name', o.functionName], ['query', 'Configuration.State']], o.region);
}

/** A configuration update that changes nothing but the description: it moves a function out of Failed/Inactive. */
export function touchFunction(o: { functionName: string; region: string }): string {
  return aws('lambda', 'update-function-configuration', [['function-name', o.functionName], ['description', 'retry after fix']], o.region);
}

export function deleteFunctionConcurrency(o: { functionName: string; region: string }): string {
  return aws('lambda', 'delete-function-concurrency', [['function-name', o.functionName]], o.region);
}

export function putFunctionConcurrency(o: { functionName: string; reserved: number; region: string }): string {
  return aws('lambda', 'put-function-concurrency', [['function-name', o.functionName], ['reserved-concurrent-executions', o.reserved]], o.region);
}

export function setFunctionTimeout(o: { functionName: string; seconds: number; region: string }): string {
  return aws('lambda', 'update-function-configuration', [['function-name', o.functionName], ['timeout', o.seconds]], o.region);
}

export function accountSettings(o: { region: string }): string {
  return aws('lambda', 'get-account-settings', [], o.region);
}

/** The account's concurrent executions quota (Service Quotas code L-B99A9384). */
export function concurrencyQuota(o: { region: string }): string {
  return aws('service-quotas', 'get-service-quota', [['service-code', 'lambda'], ['quota-code', 'L-B99A9384']], o.region);
}

/** A function metric's average and maximum over [start, end) in 5-minute periods. */
export function functionMetricStats(o: { functionName: string; metric: string; start: string; end: string; region: string }): string {
  return aws('cloudwatch', 'get-metric-statistics', [
    ['namespace', 'AWS/Lambda'],
    ['metric-name', o.metric],
    ['dimensions', `Name=FunctionName,Value=${o.functionName}`],
    ['statistics', ['Average', 'Maximum']],
    ['period', 300],
    ['start-time', o.start],
    ['end-time', o.end],
  ], o.region);
}

export function tailFunctionLogs(o: { functionName: string; since: string; filterPattern?: string; region: string }): string {
  return aws('logs', 'tail', [['since', o.since], ['filter-pattern', o.filterPattern]], o.region, [`/aws/lambda/${o.functionName}`]);
}
