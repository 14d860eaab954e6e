/**
 * Steps 1, 2 and 9 seen from the network: in the default on-demand mode an ESM in a VPC calls STS
 * (assume the execution role), Secrets Manager (read the auth secret) and Lambda (invoke the
 * function) from its own ENIs. Each subnet then needs a 0.0.0.0/0 route to a NAT gateway, or an
 * interface endpoint with private DNS that admits it and whose policy allows Lambda's call. An
 * internet-gateway route does not help: the ENIs have no public IP. Provisioned mode needs neither
 * (docs: with-msk-cluster-network, with-kafka-cluster-network).
 */
import { egressSts } from './egress.sts';
import { egressSecretsManager } from './egress.secretsmanager';
import { egressLambda } from './egress.lambda';

export * from './lib';
export * from './egress.sts';
export * from './egress.secretsmanager';
export * from './egress.lambda';

export const checks = [egressSts, egressSecretsManager, egressLambda] as const;
