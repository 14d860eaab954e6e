/**
 * Step 3 for MSK: Lambda finds the brokers through the MSK API with the execution role —
 * DescribeClusterV2 (is the cluster there, is it ACTIVE) and GetBootstrapBrokers (is there a broker
 * string for the auth mode Lambda chooses).
 */


export const SELF_MANAGED = 'Self-managed Kafka: there is no MSK cluster to read; Lambda uses KAFKA_BOOTSTRAP_SERVERS as given.';
