/**
 * Step 8: the schema registry a provisioned-mode ESM validates and decodes records with
 * (KafkaSchemaRegistryConfig). Sources: with-msk-permissions ("optional permissions": a Glue
 * registry needs glue:GetRegistry and glue:GetSchemaVersion; a Confluent registry with BASIC_AUTH or
 * CLIENT_CERTIFICATE_TLS_AUTH needs secretsmanager:GetSecretValue on its secret), and the schema
 * registry pages: the feature requires provisioned mode. schema-registry.reachable traces the path to
 * the registry from the ESM's position (Glue's API through NAT or a glue endpoint; a Confluent
 * host:port through the ESM's security groups and network ACLs).
 */
import { schemaRegistryAccess } from './schema-registry.access';
import { schemaRegistryReachable } from './schema-registry.reachable';

export * from './schema-registry.access';
export * from './schema-registry.reachable';

export const checks = [schemaRegistryAccess, schemaRegistryReachable] as const;
