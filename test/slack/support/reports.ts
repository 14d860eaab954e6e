/**
 * Reports as the engine produces them for an on-demand MSK ESM using IAM auth (ids as in
 * scenarios/base.ts). Hand-written so that the Slack tests do not move when a check's wording does.
 */
import type { Finding, Report, Status, Step } from '../../../bot/model/report';
import type { SlackReport } from '../../../bot/slack/blocks';
import { mostLikelyCause } from '../../../bot/checks/engine';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const ESM_UUID = '14e0db71-5d35-4eb5-b481-8945cf9d10c2';
export const CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-consumer`;
export const CLUSTER_SG = 'sg-0a1b2c3d4e5f60718';

const PROBLEM =
  'PROBLEM: Connection error. Please check your event source connection configuration. If your event source lives in a VPC, try setting up a new Lambda function or EC2 instance with the same VPC, Subnet, and Security Group settings. Connect the new device to the Kafka cluster and consume messages to ensure that the issue is not related to VPC or Endpoint configuration.';

export function finding(check: string, step: Step, status: Status, title: string, detail = '', extra: Partial<Finding> = {}): Finding {
  return { check, step, status, title, detail, ...extra };
}

const PASSES: Finding[] = [
  finding('esm.state', 0, 'pass', 'The ESM is enabled', 'State is Enabled.'),
  finding('role.trust', 1, 'pass', 'The execution role trusts lambda.amazonaws.com', 'Trust policy allows sts:AssumeRole for lambda.amazonaws.com.'),
  finding('egress.sts', 1, 'pass', 'The ESM subnets reach STS through the NAT gateway', 'Every ESM subnet routes 0.0.0.0/0 to nat-0e55ee55ee55ee555.'),
  finding('egress.secretsmanager', 2, 'skip', 'No secret is used', 'IAM auth uses no secret.'),
  finding('msk.cluster', 3, 'pass', 'The cluster is ACTIVE', 'orders-prod is ACTIVE.'),
  finding('msk.bootstrap', 3, 'pass', 'The cluster has an IAM bootstrap string', 'BootstrapBrokerStringSaslIam is set (port 9098).'),
  finding('network.sg-egress', 4, 'pass', 'The cluster SG allows egress to 9098 and 443', 'sg-0a1b2c3d4e5f60718 allows all egress.'),
  finding('network.nacl', 4, 'pass', 'The NACLs allow 9098 and the ephemeral ports', 'acl-0a1b2c3d uses the default rules.'),
  finding('network.subnets', 4, 'pass', 'Three subnets in supported AZs', 'euw1-az1, euw1-az2, euw1-az3; 4081 free addresses each.'),
  finding('auth.mode', 5, 'pass', 'Lambda will use IAM auth, which the cluster enables', 'No secret is configured and the cluster enables SASL/IAM.'),
  finding('auth.port', 5, 'pass', 'The bootstrap port matches IAM auth (9098)', 'All brokers listen on 9098.'),
  finding('topic.exists', 6, 'skip', 'The topic cannot be checked without a probe', 'The cluster runs Kafka 3.5.1; DescribeTopic needs 3.6.0 or later.'),
  finding('batch.payload', 8, 'pass', 'Records fit in a 6 MB batch', 'max.message.bytes is 1048588.'),
  finding('function.state', 9, 'pass', 'The function is Active', 'State Active, LastUpdateStatus Successful.'),
  finding('egress.lambda', 9, 'pass', 'The ESM subnets reach Lambda through the NAT gateway', 'Every ESM subnet routes 0.0.0.0/0 to nat-0e55ee55ee55ee555.'),
];

const SG_FAIL = finding(
  'network.sg-broker-ingress',
  4,
  'fail',
  "No cluster security group admits port 9098 from the ESM's subnets",
  `The cluster uses ${CLUSTER_SG}. Its inbound rules admit tcp/9092 from 10.0.0.0/16 and tcp/9098 from 10.1.0.0/24 only; the ESM's subnets are 10.0.1.0/24, 10.0.2.0/24 and 10.0.3.0/24, and there is no self-referencing rule.`,
  {
    fix: `aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port 9098 --source-group ${CLUSTER_SG} --region ${REGION}`,
    resources: [CLUSTER_SG],
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html',
  },
);

const LAST_RESULT_FAIL = finding(
  'esm.last-result',
  0,
  'fail',
  'Lambda reports a connection error',
  `LastProcessingResult is "${PROBLEM}" Confirmed by: network.sg-broker-ingress (fail).`,
);

const IAM_FAIL = finding(
  'iam.execution-role',
  6,
  'fail',
  "The execution role cannot kafka-cluster:AlterGroup on the ESM's consumer group",
  `iam:SimulatePrincipalPolicy answers implicitDeny for kafka-cluster:AlterGroup on arn:aws:kafka:${REGION}:${ACCOUNT}:group/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3/${ESM_UUID}.`,
  { fix: 'Add kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on the group ARN to the execution role.' },
);

const GROUP_WARN = finding(
  'consumer-group.unique',
  6,
  'warn',
  'The ESM uses a custom consumer group id',
  'ConsumerGroupId is "orders-consumer"; existing committed offsets override StartingPosition.',
);

function report(findings: Finding[], verdict: Report['verdict'], headline: string, lastProcessingResult: string): SlackReport {
  return {
    target: { uuid: ESM_UUID, region: REGION, account: ACCOUNT, arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${ESM_UUID}` },
    esm: {
      state: 'Enabled',
      stateTransitionReason: 'USER_INITIATED',
      lastProcessingResult,
      source: 'msk',
      functionArn: FUNCTION_ARN,
      topics: ['orders'],
      clusterArn: CLUSTER_ARN,
      auth: 'IAM (SASL/OAUTHBEARER)',
    },
    verdict,
    headline,
    // As the engine sets it: renderers read the cause, never derive it.
    ...(mostLikelyCause(findings) ? { cause: mostLikelyCause(findings)!.check } : {}),
    findings,
    startedAt: '2026-11-20T09:14:03.000Z',
    durationMs: 8412,
    pollerMode: 'on-demand',
  };
}

/** Fails at step 4 (the SG), also at step 6 (IAM); Lambda says "Connection error". */
export function failingReport(): SlackReport {
  return report(
    [LAST_RESULT_FAIL, SG_FAIL, IAM_FAIL, GROUP_WARN, ...PASSES],
    'failing',
    "Failing at step 4 of 9 (Network path to the brokers): No cluster security group admits port 9098 from the ESM's subnets",
    PROBLEM,
  );
}

/** After someone fixed the SG: the connection error is gone, IAM still fails, and the function got throttled. */
export function afterSgFixReport(): SlackReport {
  const passes = PASSES.filter((f) => f.check !== 'function.state');
  return report(
    [
      IAM_FAIL,
      finding('function.concurrency', 9, 'fail', 'Reserved concurrency is 0: every invoke is throttled', 'PutFunctionConcurrency set ReservedConcurrentExecutions to 0.', {
        fix: `aws lambda delete-function-concurrency --function-name orders-consumer --region ${REGION}`,
      }),
      finding('esm.last-result', 0, 'pass', 'Lambda reports no problem', 'LastProcessingResult is "OK".'),
      { ...SG_FAIL, status: 'pass', title: 'The cluster SG admits 9098 from itself', detail: `${CLUSTER_SG} has a self-referencing rule for tcp/9098.` },
      GROUP_WARN,
      finding('function.state', 9, 'pass', 'The function is Active', 'State Active, LastUpdateStatus Successful.'),
      ...passes,
    ],
    'failing',
    "Failing at step 6 of 9 (Authorize: topic and consumer group): The execution role cannot kafka-cluster:AlterGroup on the ESM's consumer group",
    'OK',
  );
}

export function healthyReport(): SlackReport {
  return report(PASSES, 'healthy', `Healthy: all ${PASSES.filter((f) => f.status === 'pass').length} applicable checks pass`, 'OK');
}

/** 40 findings, most of them failing, with long evidence: for the limits. */
export function fortyFindingReport(): SlackReport {
  const words = 'the security group sg-0123456789abcdef0 admits nothing from subnet-0a11aa11aa11aa111 on port 9098 and';
  const findings: Finding[] = Array.from({ length: 40 }, (_, i) =>
    finding(
      `synthetic.check-number-${String(i + 1).padStart(2, '0')}`,
      ((i % 9) + 1) as Step,
      i % 5 === 4 ? 'warn' : 'fail',
      `Synthetic finding ${i + 1}: ${'a rather long title that goes on and on '.repeat(3).trim()}`,
      Array.from({ length: 60 }, () => words).join(' '),
      { fix: Array.from({ length: 40 }, () => 'run aws ec2 authorize-security-group-ingress with the right group').join(' and then ') },
    ),
  );
  return {
    ...report(findings, 'failing', `Failing at step 1 of 9 (STS: assume the execution role): ${findings[0]!.title}`, PROBLEM.repeat(12)),
    esm: { ...report([], 'failing', '', '').esm!, lastProcessingResult: PROBLEM.repeat(12), topics: Array.from({ length: 30 }, (_, i) => `orders-topic-number-${i}`) },
  };
}
