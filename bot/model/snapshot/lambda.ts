/** Lambda: the mapping, its function, and the other mappings of the same source. */
import { z } from 'zod';
import { fields, optionalStrings, strings } from '../fields';

export const SourceAccessConfiguration = z.looseObject(strings('Type', 'URI'));
export type SourceAccessConfiguration = z.infer<typeof SourceAccessConfiguration>;

/** KafkaSchemaRegistryConfig: a Glue registry ARN or a Confluent registry URL, with its access configs. */
export const KafkaSchemaRegistryConfig = z.looseObject({
  ...optionalStrings('SchemaRegistryURI', 'EventRecordFormat'),
  AccessConfigs: z.array(z.looseObject(optionalStrings('Type', 'URI'))).optional(),
  SchemaValidationConfigs: z.array(z.looseObject({ Attribute: z.string().optional() })).optional(),
});
export type KafkaSchemaRegistryConfig = z.infer<typeof KafkaSchemaRegistryConfig>;

const SelfManagedEventSource = z.looseObject({ Endpoints: z.record(z.string(), z.array(z.string())).optional() });
const ConsumerGroupConfig = z.looseObject({ ConsumerGroupId: z.string().optional() });
/** AmazonManagedKafkaEventSourceConfig and SelfManagedKafkaEventSourceConfig have one shape. */
const kafkaEventSourceConfigs = <T extends z.ZodType>(config: T) =>
  fields(config.optional(), 'AmazonManagedKafkaEventSourceConfig', 'SelfManagedKafkaEventSourceConfig');

/** GetEventSourceMapping output (EventSourceMappingConfiguration). */
export const EsmConfig = z.looseObject({
  UUID: z.string(),
  ...optionalStrings('EventSourceMappingArn', 'EventSourceArn'),
  ...strings('FunctionArn', 'State'),
  ...optionalStrings('StateTransitionReason', 'LastProcessingResult', 'LastModified'),
  Topics: z.array(z.string()).optional(),
  StartingPosition: z.string().optional(),
  ...fields(z.number().optional(), 'BatchSize', 'MaximumBatchingWindowInSeconds'),
  SelfManagedEventSource: SelfManagedEventSource.optional(),
  SourceAccessConfigurations: z.array(SourceAccessConfiguration).optional(),
  ...kafkaEventSourceConfigs(ConsumerGroupConfig.extend({ SchemaRegistryConfig: KafkaSchemaRegistryConfig.optional() })),
  ...fields(z.number().optional(), 'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds'),
  BisectBatchOnFunctionError: z.boolean().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  DestinationConfig: z
    .looseObject({ OnFailure: z.looseObject({ Destination: z.string().optional() }).optional() })
    .optional(),
  ProvisionedPollerConfig: z
    .looseObject({
      ...fields(z.number().optional(), 'MinimumPollers', 'MaximumPollers'),
      PollerGroupName: z.string().optional(),
    })
    .optional(),
});
export type EsmConfig = z.infer<typeof EsmConfig>;

/** GetFunction output, minus `Code` (a presigned URL we have no use for). */
export const FunctionInfo = z.looseObject({
  Configuration: z.looseObject({
    ...strings('FunctionName', 'FunctionArn'),
    ...optionalStrings('Role', 'Runtime'),
    Timeout: z.number().optional(),
    ...optionalStrings('State', 'StateReason', 'StateReasonCode'),
    ...optionalStrings('LastUpdateStatus', 'LastUpdateStatusReason', 'LastUpdateStatusReasonCode'),
  }),
  Tags: z.record(z.string(), z.string()).optional(),
});
export type FunctionInfo = z.infer<typeof FunctionInfo>;

/** GetFunctionConcurrency output: no ReservedConcurrentExecutions means unreserved. */
export const FunctionConcurrency = z.looseObject({ ReservedConcurrentExecutions: z.number().optional() });
export type FunctionConcurrency = z.infer<typeof FunctionConcurrency>;

/** One entry of ListEventSourceMappings, kept small: what consumer-group.unique compares. */
export const SiblingEsm = z.looseObject({
  UUID: z.string(),
  ...optionalStrings('FunctionArn', 'EventSourceArn', 'State'),
  Topics: z.array(z.string()).optional(),
  SelfManagedEventSource: SelfManagedEventSource.optional(),
  ...kafkaEventSourceConfigs(ConsumerGroupConfig),
});
export type SiblingEsm = z.infer<typeof SiblingEsm>;
