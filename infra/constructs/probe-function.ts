/**
 * The live probe's Lambda function, deployed where the ESM runs so that it sees what the ESM sees:
 * MSK → the cluster's client subnets and security groups; self-managed → the ESM's VPC_SUBNET /
 * VPC_SECURITY_GROUP; no VPC for a self-managed ESM on the internet. One function per distinct
 * network position (`ProbeFunctions` groups the ESMs), each with only what the probe needs:
 * GetSecretValue on the ESMs' secrets, kms:Decrypt through Secrets Manager on their keys,
 * kafka-cluster:Connect / Describe* for IAM clusters, and the ENI permissions a function in a VPC
 * needs. The function itself is an EsmDoctorFunction, like every other esm-doctor Lambda.
 *
 * The main stack passes what the collector knows about each ESM (model/esm `esmPlacement`).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EsmDoctorFunction } from './esm-doctor-function';

/** Where an ESM's pollers sit. `internet`: a self-managed ESM without VPC_SUBNET / VPC_SECURITY_GROUP. */
export type ProbePlacement =
  | { kind: 'internet' }
  | {
      kind: 'vpc';
      vpcId: string;
      subnetIds: string[];
      securityGroupIds: string[];
      /** The subnets' availability zones, if known (only used to describe the imported VPC). */
      availabilityZones?: string[];
    };

/** An MSK cluster the probe authenticates to with IAM: the topics and groups it describes. */
export interface IamCluster {
  clusterArn: string;
  topics: string[];
  groups: string[];
}

/** What one ESM asks of the probe. */
export interface ProbeTarget {
  placement: ProbePlacement;
  /** The ESM's secrets (SASL_SCRAM_*, BASIC_AUTH, CLIENT_CERTIFICATE_TLS_AUTH, SERVER_ROOT_CA_CERTIFICATE). */
  secretArns?: string[];
  /** Customer managed keys of those secrets. */
  kmsKeyArns?: string[];
  iamCluster?: IamCluster;
}

export interface ProbeFunctionProps extends Omit<ProbeTarget, 'iamCluster'> {
  iamClusters?: IamCluster[];
  functionName?: string;
  /** The probe's own budget is 20 s; the function gets room for cold start and secrets. */
  timeout?: Duration;
}

/** The same subnets and security groups (in any order) are one network position. */
export function networkPositionKey(placement: ProbePlacement): string {
  if (placement.kind === 'internet') return 'internet';
  return `${placement.vpcId}|${[...placement.subnetIds].sort().join(',')}|${[...placement.securityGroupIds].sort().join(',')}`;
}

/** arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> → the same for topic/ and group/ resources. */
function kafkaResourceArn(clusterArn: string, kind: 'topic' | 'group', name: string): string {
  return `${clusterArn.replace(':cluster/', `:${kind}/`)}/${name}`;
}

export class ProbeFunction extends Construct {
  readonly function: EsmDoctorFunction;

  constructor(scope: Construct, id: string, props: ProbeFunctionProps) {
    super(scope, id);
    const placement = props.placement;
    let vpcProps: Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups' | 'allowPublicSubnet'> = {};
    if (placement.kind === 'vpc') {
      if (!placement.subnetIds.length || !placement.securityGroupIds.length) {
        throw new Error(`ProbeFunction ${id}: a VPC position needs subnets and security groups (got ${placement.subnetIds.length} and ${placement.securityGroupIds.length})`);
      }
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: placement.vpcId,
        availabilityZones: placement.availabilityZones ?? placement.subnetIds.map((_, i) => `${Stack.of(this).region}-az${i}`),
      });
      vpcProps = {
        vpc,
        vpcSubnets: { subnets: placement.subnetIds.map((s) => ec2.Subnet.fromSubnetId(this, `Subnet-${s}`, s)) },
        // The ESM's own groups: the probe's packets must be judged exactly as the ESM's are.
        securityGroups: placement.securityGroupIds.map((g) => ec2.SecurityGroup.fromSecurityGroupId(this, `Sg-${g}`, g, { mutable: false })),
      };
    }

    this.function = new EsmDoctorFunction(this, 'Function', {
      handler: 'probe',
      ...(props.functionName ? { functionName: props.functionName } : {}),
      timeout: props.timeout ?? Duration.seconds(30),
      description: 'esm-doctor live probe: replays an ESM\'s connection (DNS, TCP, TLS, SASL, metadata, group) from its network position',
      ...vpcProps,
    });

    const role = this.function.executionRole;
    const secrets = [...new Set(props.secretArns ?? [])];
    if (secrets.length) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadEsmSecrets', actions: ['secretsmanager:GetSecretValue'], resources: secrets }));
    }
    const keys = [...new Set(props.kmsKeyArns ?? [])];
    if (keys.length) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptEsmSecrets',
          actions: ['kms:Decrypt'],
          resources: keys,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    const clusters = props.iamClusters ?? [];
    if (clusters.length) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ConnectToIamClusters', actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], resources: [...new Set(clusters.map((c) => c.clusterArn))] }),
      );
      const topics = clusters.flatMap((c) => c.topics.map((t) => kafkaResourceArn(c.clusterArn, 'topic', t)));
      if (topics.length) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeEsmTopics', actions: ['kafka-cluster:DescribeTopic'], resources: [...new Set(topics)] }));
      const groups = clusters.flatMap((c) => c.groups.map((g) => kafkaResourceArn(c.clusterArn, 'group', g)));
      if (groups.length) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeEsmGroups', actions: ['kafka-cluster:DescribeGroup'], resources: [...new Set(groups)] }));
    }
  }
}

export interface ProbeFunctionsProps {
  targets: ProbeTarget[];
  timeout?: Duration;
}

/** One ProbeFunction per distinct network position, with the union of what its ESMs need. */
export class ProbeFunctions extends Construct {
  /** Network position key (networkPositionKey) → its function. */
  readonly byPosition = new Map<string, ProbeFunction>();

  constructor(scope: Construct, id: string, props: ProbeFunctionsProps) {
    super(scope, id);
    const groups = new Map<string, ProbeTarget[]>();
    for (const t of props.targets) {
      const key = networkPositionKey(t.placement);
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    let i = 0;
    for (const [key, targets] of groups) {
      const fn = new ProbeFunction(this, `Probe${i++}`, {
        placement: targets[0]!.placement,
        secretArns: targets.flatMap((t) => t.secretArns ?? []),
        kmsKeyArns: targets.flatMap((t) => t.kmsKeyArns ?? []),
        iamClusters: targets.flatMap((t) => (t.iamCluster ? [t.iamCluster] : [])),
        ...(props.timeout ? { timeout: props.timeout } : {}),
      });
      this.byPosition.set(key, fn);
    }
  }
}
