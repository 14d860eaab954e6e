/**
 * Step 3 for a cross-account ESM: its EventSourceArn is a managed VPC connection
 * (arn:aws:kafka:<region>:<account>:vpc-connection/<cluster account>/<cluster>/<uuid>) to a cluster
 * in another account (msk-cross-account; MSK multi-VPC private connectivity). This account cannot
 * describe that cluster, but it can read the connection (kafka:DescribeVpcConnection, which the
 * execution role needs too): its State must be AVAILABLE, and its Authentication must be the one the
 * ESM uses (multi-VPC connectivity supports IAM, TLS and SASL/SCRAM only).
 */
import { vpcConnection } from './msk.vpc-connection';

export * from './msk.vpc-connection';

export const checks = [vpcConnection] as const;
