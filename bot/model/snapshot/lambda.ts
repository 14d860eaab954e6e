/** Lambda: the mapping, its function, and the other mappings of the same source. */
import { z } from 'zod';

export const SourceAccessConfiguration = z.looseObject({
  Type: z.string(),
  URI: z.string(),
});
export type SourceAccessConfiguration = z.infer<typeof SourceAccessConfiguration>;

/** KafkaSchemaRegistryConfig: a Glue registry ARN or a Confluent registry URL, with its access configs. */
export const KafkaSchemaRegistryConfig = z.looseObject({
  SchemaRegistryURI: z.string().optional(),
  EventRecordFormat: z.string().optional(),
  AccessConfigs: z.array(z.looseObject({ Type: z.string().optional(), URI: z.string().optional() })).optional(),
  SchemaValidationConfigs: z.array(z.looseObject({ Attribute: z.string().optional() })).optional(),
});
export type KafkaSchemaRegistryConfig = z.infer<typeof KafkaSchemaRegistryConfig>;

/** GetEventSourceMapping output (EventSourceMappingConfiguration). */
export const EsmConfig = z.looseObject({
  UUID: z.string(),
  EventSourceMappingArn: z.string().optional(),
  EventSourceArn: z.string().optional(),
  FunctionArn: z.string(),
  State: z.string(),
  StateTransitionReason: z.string().optional(),
  LastProcessingResult: z.string().optional(),
  LastModified: z.string().optional(),
  Topics: z.array(z.string()).optional(),
  StartingPosition: z.string().optional(),
  BatchSize: z.number().optional(),
  MaximumBatchingWindowInSeconds: z.number().optional(),
  SelfManagedEventSource: z.looseObject({ Endpoints: z.record(z.string(), z.array(z.string())).optional() }).optional(),
  SourceAccessConfigurations: z.array(SourceAccessConfiguration).optional(),
  AmazonManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional(), SchemaRegistryConfig: KafkaSchemaRegistryConfig.optional() }).optional(),
  SelfManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional(), SchemaRegistryConfig: KafkaSchemaRegistryConfig.optional() }).optional(),
  MaximumRetryAttempts: z.number().optional(),
  MaximumRecordAgeInSeconds: z.number().optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  DestinationConfig: z
    .looseObject({ OnFailure: z.looseObject({ Destination: z.string().optional() }).optional() })
    .optional(),
  ProvisionedPollerConfig: z
    .looseObject({
      MinimumPollers: z.number().optional(),
      MaximumPollers: z.number().optional(),
      PollerGroupName: z.string().optional(),
    })
    .optional(),
});
export type EsmConfig = z.infer<typeof EsmConfig>;

/** GetFunction output, minus `Code` (a presigned URL we have no use for). */
export const FunctionInfo = z.looseObject({
  Configuration: z.looseObject({
    FunctionName: z.string(),
    FunctionArn: z.string(),
    Role: z.string().optional(),
    Runtime: z.string().optional(),
    Timeout: z.number().optional(),
    State: z.string().optional(),
    StateReason: z.string().optional(),
    StateReasonCode: z.string().optional(),
    LastUpdateStatus: z.string().optional(),
    LastUpdateStatusReason: z.string().optional(),
    LastUpdateStatusReasonCode: z.string().optional(),
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
  FunctionArn: z.string().optional(),
  EventSourceArn: z.string().optional(),
  State: z.string().optional(),
  Topics: z.array(z.string()).optional(),
  SelfManagedEventSource: z.looseObject({ Endpoints: z.record(z.string(), z.array(z.string())).optional() }).optional(),
  AmazonManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional() }).optional(),
  SelfManagedKafkaEventSourceConfig: z.looseObject({ ConsumerGroupId: z.string().optional() }).optional(),
});
export type SiblingEsm = z.infer<typeof SiblingEsm>;
