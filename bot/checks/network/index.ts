/**
 * Step 4: the network path from the ESM's ENIs to the brokers. The ESM ignores the function's VPC:
 * MSK ESMs sit in the cluster's client subnets with the cluster's security groups; self-managed
 * ones in VPC_SUBNET with VPC_SECURITY_GROUP, or on the internet when neither is set
 * (docs: with-msk-cluster-network, with-kafka-cluster-network).
 */
import { sgBrokerIngress } from './network.sg-broker-ingress';
import { sgEgress } from './network.sg-egress';
import { nacl } from './network.nacl';
import { subnets } from './network.subnets';
import { selfManagedVpc } from './network.self-managed-vpc';

export * from './lib';
export * from './network.sg-broker-ingress';
export * from './network.sg-egress';
export * from './network.nacl';
export * from './network.subnets';
export * from './network.self-managed-vpc';

export const checks = [sgBrokerIngress, sgEgress, nacl, subnets, selfManagedVpc] as const;
