/**
 * Step 8: the schema registry a provisioned-mode ESM validates and decodes records with
 * (KafkaSchemaRegistryConfig). Sources: with-msk-permissions ("optional permissions": a Glue
 * registry needs glue:GetRegistry and glue:GetSchemaVersion; a Confluent registry with BASIC_AUTH or
 * CLIENT_CERTIFICATE_TLS_AUTH needs secretsmanager:GetSecretValue on its secret), and the schema
 * registry pages: the feature requires provisioned mode.
 */
import { schemaRegistryAccess } from './schema-registry.access';

export * from './schema-registry.access';

export const checks = [schemaRegistryAccess] as const;
