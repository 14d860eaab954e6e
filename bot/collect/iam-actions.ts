/**
 * The IAM actions of every AWS call under bot/collect, declared once. Collectors name their action
 * by a key of this table (readFact only takes a `CollectorAction`), the CDK roles' statements are
 * built from it (infra/stack.ts `diagnosisStatements`), the README's permission list is generated
 * from it (`npm run docs`), and test/unit/collect/iam-actions.test.ts fails when a collector sends
 * an SDK command whose action is not here, or a deployed role lacks one that is.
 *
 * A new call is one line: `'service:Action': { on: <resource kind>, for: <who calls it> }`.
 */

/**
 * The resources a grant is scoped to. `*` where the action supports no resource-level permission
 * (Service Authorization Reference, "Resource types" column empty for the action).
 */
export const RESOURCE_KINDS = {
  any: { sid: 'DiagnoseUnscopedReads', service: '', resource: '*' },
  esm: { sid: 'DiagnoseReadEsm', service: 'lambda', resource: 'event-source-mapping:*' },
  function: { sid: 'DiagnoseReadFunction', service: 'lambda', resource: 'function:*' },
  cluster: { sid: 'DiagnoseReadCluster', service: 'kafka', resource: 'cluster/*' },
  topic: { sid: 'DiagnoseReadTopic', service: 'kafka', resource: 'topic/*' },
  secret: { sid: 'DiagnoseDescribeSecret', service: 'secretsmanager', resource: 'secret:*' },
  key: { sid: 'DiagnoseDescribeKey', service: 'kms', resource: 'key/*' },
  role: { sid: 'DiagnoseReadRole', service: 'iam', resource: 'role/*' },
  'vpc-connection': { sid: 'DiagnoseReadVpcConnection', service: 'kafka', resource: 'vpc-connection/*' },
  registry: { sid: 'DiagnoseReadSchemaRegistry', service: 'glue', resource: 'registry/*' },
  queue: { sid: 'DiagnoseReadDestinationQueue', service: 'sqs', resource: '*' },
  'sns-topic': { sid: 'DiagnoseReadDestinationTopic', service: 'sns', resource: '*' },
  bucket: { sid: 'DiagnoseReadDestinationBucket', service: 's3', resource: '*' },
  'security-group': { sid: 'RemediateSecurityGroup', service: 'ec2', resource: 'security-group/*' },
} as const;
export type ResourceKind = keyof typeof RESOURCE_KINDS;

/**
 * Who makes the call: `diagnose` (the worker and the alert function, and the CLI's caller),
 * `watch` (the watcher's inventory reads), `route` (the alert function's routing tags),
 * `inspect` (diagnose, but only with inspectSecrets / --inspect-secrets), `changes` (the "changed before the
 * failure" section: the CLI's diagnose unless --no-changes; deployed, the worker and alert roles only, and
 * only with the `changes` CDK context, on by default: infra/context.ts), `remediate`
 * (bot/remediate/apply.ts: the writes of a fix plan and the reads that make them idempotent; granted only
 * where remediation is on), `index` (the watcher's reads of what a created or re-pointed ESM depends on, for the
 * dependency index: bot/collect/dependencies.ts, bot/impact/index-refresh.ts).
 */
export type Caller = 'diagnose' | 'watch' | 'route' | 'inspect' | 'changes' | 'remediate' | 'index';

export interface ActionGrant {
  on: ResourceKind;
  for: readonly Caller[];
  /** Actions AWS authorizes besides the call's own (e.g. MSK's DescribeTopic also checks kafka-cluster:*). */
  alsoNeeds?: ReadonlyArray<{ action: string; on: ResourceKind }>;
}

export const COLLECTOR_ACTIONS = {
  'lambda:GetEventSourceMapping': { on: 'esm', for: ['diagnose', 'watch', 'remediate', 'index'] },
  'lambda:ListEventSourceMappings': { on: 'any', for: ['diagnose', 'watch'] },
  'lambda:GetFunction': { on: 'function', for: ['diagnose', 'index'] },
  'lambda:GetFunctionConcurrency': { on: 'function', for: ['diagnose'] },
  'lambda:ListTags': { on: 'function', for: ['route'] },
  'kafka:DescribeClusterV2': { on: 'cluster', for: ['diagnose', 'index'] },
  'kafka:GetBootstrapBrokers': { on: 'cluster', for: ['diagnose'] },
  'kafka:ListScramSecrets': { on: 'cluster', for: ['diagnose', 'remediate'] },
  // MSK's DescribeTopic API authorizes the kafka-cluster data-plane actions too (MSK Developer Guide, "DescribeTopic").
  'kafka:DescribeTopic': {
    on: 'topic',
    for: ['diagnose'],
    alsoNeeds: [
      { action: 'kafka-cluster:Connect', on: 'cluster' },
      { action: 'kafka-cluster:DescribeTopic', on: 'topic' },
      { action: 'kafka-cluster:DescribeTopicDynamicConfiguration', on: 'topic' },
    ],
  },
  'ec2:DescribeSubnets': { on: 'any', for: ['diagnose', 'index'] },
  'ec2:DescribeSecurityGroups': { on: 'any', for: ['diagnose'] },
  'ec2:DescribeRouteTables': { on: 'any', for: ['diagnose', 'index'] },
  'ec2:DescribeNatGateways': { on: 'any', for: ['diagnose', 'index'] },
  'ec2:DescribeVpcEndpoints': { on: 'any', for: ['diagnose', 'index'] },
  'ec2:DescribeNetworkAcls': { on: 'any', for: ['diagnose', 'index'] },
  'ec2:DescribeVpcAttribute': { on: 'any', for: ['diagnose'] },
  'secretsmanager:DescribeSecret': { on: 'secret', for: ['diagnose', 'index'] },
  'secretsmanager:GetSecretValue': { on: 'secret', for: ['inspect'] },
  'kms:DescribeKey': { on: 'key', for: ['diagnose', 'index'] },
  'iam:GetRole': { on: 'role', for: ['diagnose'] },
  'iam:SimulatePrincipalPolicy': { on: 'role', for: ['diagnose'] },
  'sts:GetCallerIdentity': { on: 'any', for: ['diagnose'] },
  // The progress checks' metrics (docs/metrics.md); GetMetricData supports no resource-level permissions.
  'cloudwatch:GetMetricData': { on: 'any', for: ['diagnose', 'watch'] },
  // Report.changes: management events on the failing findings' resources; LookupEvents has no resource-level permissions.
  'cloudtrail:LookupEvents': { on: 'any', for: ['changes'] },
  // Newer ESM features: a cross-account ESM's VPC connection, a Glue schema registry, an SQS / SNS / S3 on-failure destination's KMS key.
  'kafka:DescribeVpcConnection': { on: 'vpc-connection', for: ['diagnose'] },
  'glue:GetRegistry': { on: 'registry', for: ['diagnose'] },
  'sqs:GetQueueUrl': { on: 'queue', for: ['diagnose'] },
  'sqs:GetQueueAttributes': { on: 'queue', for: ['diagnose'] },
  'sns:GetTopicAttributes': { on: 'sns-topic', for: ['diagnose'] },
  // An S3 on-failure destination's default encryption: the GetBucketEncryption API is authorized as this action.
  's3:GetEncryptionConfiguration': { on: 'bucket', for: ['diagnose'] },
  // Fix plans (bot/remediate/apply.ts), each write with its undo. GetRolePolicy: a policy of the plan's name
  // that exists with another document is never overwritten.
  'ec2:AuthorizeSecurityGroupIngress': { on: 'security-group', for: ['remediate'] },
  'ec2:RevokeSecurityGroupIngress': { on: 'security-group', for: ['remediate'] },
  'iam:GetRolePolicy': { on: 'role', for: ['remediate'] },
  'iam:PutRolePolicy': { on: 'role', for: ['remediate'] },
  'iam:DeleteRolePolicy': { on: 'role', for: ['remediate'] },
  'kafka:BatchAssociateScramSecret': { on: 'cluster', for: ['remediate'] },
  'kafka:BatchDisassociateScramSecret': { on: 'cluster', for: ['remediate'] },
  'lambda:UpdateEventSourceMapping': { on: 'esm', for: ['remediate'] },
} as const satisfies Record<string, ActionGrant>;

export type CollectorAction = keyof typeof COLLECTOR_ACTIONS;

const TABLE: Record<CollectorAction, ActionGrant> = COLLECTOR_ACTIONS;

/** Every action (the calls' own and the ones AWS also authorizes) a caller needs, with its resource kind. */
export function grantsFor(caller: Caller): Array<{ action: string; on: ResourceKind }> {
  const out: Array<{ action: string; on: ResourceKind }> = [];
  for (const [action, grant] of Object.entries(TABLE) as Array<[CollectorAction, ActionGrant]>) {
    if (!grant.for.includes(caller)) continue;
    out.push({ action, on: grant.on }, ...(grant.alsoNeeds ?? []));
  }
  return out;
}

/** The README's permission list (between its `iam-actions` markers), regenerated by `npm run docs`. */
export function permissionsMarkdown(): string {
  const code = (a: string) => `\`${a}\``;
  const lines = (Object.entries(TABLE) as Array<[CollectorAction, ActionGrant]>)
    .filter(([, g]) => g.for.includes('diagnose') || g.for.includes('inspect') || g.for.includes('changes'))
    .map(([action, g]) => {
      const also = g.alsoNeeds?.length ? ` (with ${g.alsoNeeds.map((n) => code(n.action)).join(', ')})` : '';
      const only =
        g.for.includes('inspect') && !g.for.includes('diagnose')
          ? ' (only for `--inspect-secrets`)'
          : g.for.includes('changes') && !g.for.includes('diagnose')
            ? ' (only for the "changed before the failure" section; `--no-changes` skips it, and a deployment with `-c changes=false` grants it to no role)'
            : '';
      return `- ${code(action)}${also}${only}`;
    });
  return lines.join('\n');
}
