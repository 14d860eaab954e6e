/**
 * The execution roles of the scenarios, as the policies attached to them, and SimulatePrincipalPolicy's
 * answer computed from those policies: the simulated decisions come from what the role really has,
 * never from what esm-doctor thinks it needs (bot/model/permissions.ts is the code under test). The
 * questions asked are the collector's (the real API answers whatever it is asked); a required action
 * or resource ARN that esm-doctor gets wrong is then denied here as it would be in AWS.
 *
 * Managed policies are copied from the AWS Managed Policy Reference (AWSLambdaMSKExecutionRole v2,
 * AWSLambdaVPCAccessExecutionRole v3). The ARNs are written out, not built with the ARN helpers under test.
 */
import { simulationRequests } from '../bot/model/permissions';
import { requirementsOf } from '../bot/checks/lib/policy';
import type { EvaluationResult, Snapshot } from '../bot/model/snapshot';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
}
export interface Policy {
  name: string;
  Statement: Statement[];
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole (v2). */
export const AWS_LAMBDA_MSK_EXECUTION_ROLE: Policy = {
  name: 'AWSLambdaMSKExecutionRole',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'kafka:DescribeCluster',
        'kafka:DescribeClusterV2',
        'kafka:GetBootstrapBrokers',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeVpcs',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ],
      Resource: ['*'],
    },
  ],
};

/** arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole (v3). */
export const AWS_LAMBDA_VPC_ACCESS_EXECUTION_ROLE: Policy = {
  name: 'AWSLambdaVPCAccessExecutionRole',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: ['*'],
    },
  ],
};

/** orders-consumer-role (the MSK IAM baseline): the managed policy plus the kafka-cluster grants IAM auth needs. */
export const ORDERS_CONSUMER_ROLE: Policy[] = [
  AWS_LAMBDA_MSK_EXECUTION_ROLE,
  {
    name: 'orders-consumer-kafka',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        Resource: [`arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3`],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: [`arn:aws:kafka:${REGION}:${ACCOUNT}:topic/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/orders`],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [`arn:aws:kafka:${REGION}:${ACCOUNT}:group/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/14e0db71-5d35-4eb5-b481-8945cf9d10c2`],
      },
    ],
  },
];

/** clickstream-ingest-role (the self-managed SCRAM baseline): VPC access, the ENI reads Lambda's pre-flight wants, its secret and key. */
export const CLICKSTREAM_INGEST_ROLE: Policy[] = [
  AWS_LAMBDA_VPC_ACCESS_EXECUTION_ROLE,
  {
    name: 'clickstream-ingest-kafka',
    Statement: [
      { Effect: 'Allow', Action: ['ec2:DescribeVpcs', 'ec2:DescribeSecurityGroups'], Resource: ['*'] },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:kafka/clickstream/scram-*`] },
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`] },
    ],
  },
];

/** The policies of the baselines' roles, by role ARN. */
const ROLES: Record<string, Policy[]> = {
  [`arn:aws:iam::${ACCOUNT}:role/orders-consumer-role`]: ORDERS_CONSUMER_ROLE,
  [`arn:aws:iam::${ACCOUNT}:role/clickstream-ingest-role`]: CLICKSTREAM_INGEST_ROLE,
};

/** One more inline policy on a role (a scenario that grants what its variant needs). */
export function withGrant(policies: Policy[], action: string | string[], resource: string | string[]): Policy[] {
  const Action = Array.isArray(action) ? action : [action];
  const Resource = Array.isArray(resource) ? resource : [resource];
  return [...policies, { name: `extra-${policies.length}`, Statement: [{ Effect: 'Allow', Action, Resource }] }];
}

/** IAM's wildcard match: `*` any run of characters, `?` one; actions compare case-insensitively. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

/** Identity-policy evaluation: an explicit Deny wins, then an Allow, else the implicit deny. */
function decide(policies: Policy[], action: string, resource: string): string {
  const hits = policies.flatMap((p) => p.Statement).filter((s) => s.Action.some((a) => matches(a, action, true)) && s.Resource.some((r) => matches(r, resource, false)));
  if (hits.some((s) => s.Effect === 'Deny')) return 'explicitDeny';
  return hits.some((s) => s.Effect === 'Allow') ? 'allowed' : 'implicitDeny';
}

/** The role of the snapshot's function. */
export function policiesOf(snapshot: Snapshot): Policy[] {
  const roleArn = snapshot.function?.ok ? snapshot.function.value.Configuration?.Role : undefined;
  const policies = roleArn ? ROLES[roleArn] : undefined;
  if (!policies) throw new Error(`no policies are written down for role ${roleArn ?? '(none)'}`);
  return policies;
}

/** SimulatePrincipalPolicy's answer to the collector's questions, decided by the role's policies. */
export function simulateRole(snapshot: Snapshot, policies: Policy[] = policiesOf(snapshot)): EvaluationResult[] {
  return simulationRequests(requirementsOf(snapshot)).flatMap(({ resource, actions }) =>
    actions.map((action) => ({ EvalActionName: action, EvalResourceName: resource, EvalDecision: decide(policies, action, resource) })),
  );
}
