/** Helpers shared by the msk checks; index.ts says what the area checks and why. */


export const SELF_MANAGED = 'Self-managed Kafka: there is no MSK cluster to read; Lambda uses KAFKA_BOOTSTRAP_SERVERS as given.';
