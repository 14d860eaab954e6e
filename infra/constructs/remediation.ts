/**
 * Guarded remediation (only with `-c remediation=true`): the function that applies a fix plan after
 * a second person approved it in Slack, and its role. Everything else in the stack stays read-only;
 * this role is the only one that can write, and only what the four plan kinds call:
 *
 *   ec2:AuthorizeSecurityGroupIngress, ec2:RevokeSecurityGroupIngress
 *       on the security groups the operator listed (remediableSecurityGroups), or else on any
 *       security group of this account and the watched regions tagged esm-doctor-remediable=true
 *       (aws:ResourceTag condition: EC2 authorizes these two actions on the group's tags);
 *   iam:GetRolePolicy, iam:PutRolePolicy, iam:DeleteRolePolicy
 *       only on roles matching the operator's remediableRoles patterns (role path and/or name
 *       prefix). IAM has no condition key for the policy's name or content, so the role ARN is the
 *       only scope IAM can enforce; without patterns the role gets no IAM write at all and
 *       role-policy fixes answer AccessDenied in the thread;
 *   kafka:BatchAssociateScramSecret, kafka:BatchDisassociateScramSecret on MSK clusters of this
 *       account and the watched regions;
 *   lambda:UpdateEventSourceMapping on ESMs of this account and the watched regions;
 *
 * plus the diagnosis' read-only calls (it diagnoses before and after applying), its own table and the
 * Slack secret. The actions come from the one declaration (bot/collect/iam-actions.ts, caller
 * `remediate`); the test in test/infra fails if a plan's writer needs one this role lacks.
 */
import { Aws, Duration, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantsFor, RESOURCE_KINDS } from '../../bot/collect/iam-actions';
import { EsmDoctorFunction } from './esm-doctor-function';

/** The tag an operator puts on a security group esm-doctor may add (and remove) its rule on. */
export const REMEDIABLE_TAG = { key: 'esm-doctor-remediable', value: 'true' } as const;

export interface RemediationSettings {
  /** Slack user ids, and user group ids, whose members may approve (never the requester). */
  fixApprovers: string[];
  fixApproverGroups: string[];
  /** Role name patterns (with path): "kafka-consumers/*", "orders-*". Empty: no IAM writes. */
  remediableRoles: string[];
  /** Security group ids; empty: any group tagged esm-doctor-remediable=true. */
  remediableSecurityGroups: string[];
}

export interface RemediationProps {
  settings: RemediationSettings;
  regions: string[];
  table: dynamodb.ITable;
  slackSecret: secretsmanager.ISecret;
  undelivered: sqs.IQueue;
  environment: Record<string, string>;
  /** The read-only diagnosis statements (stack.ts diagnosisStatements), so the two roles read alike. */
  diagnosis: iam.PolicyStatement[];
}

/** What the Slack side needs to offer Fix it and check approvers (every function that renders a report). */
export function remediationEnvironment(settings: RemediationSettings): Record<string, string> {
  return {
    ESM_DOCTOR_REMEDIATION: 'on',
    ...(settings.fixApprovers.length ? { ESM_DOCTOR_FIX_APPROVERS: settings.fixApprovers.join(',') } : {}),
    ...(settings.fixApproverGroups.length ? { ESM_DOCTOR_FIX_APPROVER_GROUPS: settings.fixApproverGroups.join(',') } : {}),
  };
}

export class RemediationFunction extends Construct {
  readonly function: EsmDoctorFunction;
  /** The write statements, by sid (for the docs and the tests). */
  readonly writes: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: RemediationProps) {
    super(scope, id);
    const { settings, regions } = props;
    const p = Aws.PARTITION;
    const a = Aws.ACCOUNT_ID;
    this.function = new EsmDoctorFunction(this, 'Function', {
      handler: 'remediate',
      description: 'esm-doctor: applies a fix plan a second person approved in Slack, then diagnoses again',
      memorySize: 1024,
      timeout: Duration.minutes(2),
      environment: { ...props.environment, ...remediationEnvironment(settings), ESM_DOCTOR_ACCOUNT_ID: Aws.ACCOUNT_ID },
      deadLetterQueue: props.undelivered,
      // At most once: the request's conditional state change already makes a retry a no-op.
      retryAttempts: 0,
    });

    const remediate = new Set(grantsFor('remediate').map((g) => g.action));
    const need = (...actions: string[]) => {
      for (const action of actions) if (!remediate.has(action)) throw new Error(`${action} is not declared for the remediate caller in bot/collect/iam-actions.ts`);
      return actions;
    };
    const perRegion = (service: string, resource: string) => regions.map((r) => `arn:${p}:${service}:${r}:${a}:${resource}`);

    const sgActions = need('ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress');
    const sg = settings.remediableSecurityGroups.length
      ? new iam.PolicyStatement({
          sid: 'RemediateListedSecurityGroups',
          actions: sgActions,
          resources: settings.remediableSecurityGroups.flatMap((g) => perRegion('ec2', `security-group/${g}`)),
        })
      : new iam.PolicyStatement({
          sid: 'RemediateTaggedSecurityGroups',
          actions: sgActions,
          resources: perRegion('ec2', RESOURCE_KINDS['security-group'].resource),
          conditions: { StringEquals: { [`aws:ResourceTag/${REMEDIABLE_TAG.key}`]: REMEDIABLE_TAG.value } },
        });
    const writes = [
      sg,
      new iam.PolicyStatement({ sid: 'RemediateScramSecrets', actions: need('kafka:BatchAssociateScramSecret', 'kafka:BatchDisassociateScramSecret'), resources: perRegion('kafka', 'cluster/*') }),
      new iam.PolicyStatement({ sid: 'RemediateEsmState', actions: need('lambda:UpdateEventSourceMapping'), resources: perRegion('lambda', 'event-source-mapping:*') }),
    ];
    if (settings.remediableRoles.length) {
      writes.push(
        new iam.PolicyStatement({
          sid: 'RemediateExecutionRolePolicies',
          actions: need('iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'),
          resources: settings.remediableRoles.map((pattern) => `arn:${p}:iam::${a}:role/${pattern.replace(/^\/+/, '')}`),
        }),
      );
    }
    this.writes = writes;
    const role = this.function.executionRole;
    for (const st of [
      ...props.diagnosis,
      ...writes,
      new iam.PolicyStatement({ sid: 'StateTable', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
      new iam.PolicyStatement({ sid: 'ReadSlackTokens', actions: ['secretsmanager:GetSecretValue'], resources: [props.slackSecret.secretArn] }),
    ]) {
      role.addToPrincipalPolicy(st);
    }
    this.acknowledge(regions, settings);
  }

  private acknowledge(regions: string[], settings: RemediationSettings): void {
    const role = this.function.executionRole;
    const ack = (resource: string, reason: string) => Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    const region = (r: string) => (Token.isUnresolved(r) ? '<AWS::Region>' : r);
    const arn = (service: string, r: string, resource: string) => `arn:<AWS::Partition>:${service}:${region(r)}:<AWS::AccountId>:${resource}`;
    const reads = (what: string) => `The diagnosis before and after a fix reads ${what} of the ESM being fixed, which cannot be known at deploy time; read-only and limited to this account and the watched regions.`;
    ack('*', 'X-Ray and the unscoped reads (lambda:ListEventSourceMappings, ec2:Describe*, sts:GetCallerIdentity) support no resource-level permissions.');
    for (const r of regions) {
      ack(arn('lambda', r, 'event-source-mapping:*'), 'The ESM being fixed is whichever one failed (not known at deploy time): GetEventSourceMapping to diagnose, UpdateEventSourceMapping only to re-enable it (the esm-enable plan); this account and the watched regions only.');
      ack(arn('lambda', r, 'function:*'), reads('the function'));
      ack(arn('kafka', r, 'cluster/*'), 'The cluster of the ESM being fixed (not known at deploy time): read to diagnose; BatchAssociate/DisassociateScramSecret only to associate the ESM\'s own SCRAM secret (the scram-associate plan) and undo it; this account and the watched regions only.');
      ack(arn('kafka', r, 'topic/*'), reads('the topic'));
      ack(arn('secretsmanager', r, 'secret:*'), reads('the metadata of the secrets (DescribeSecret; never GetSecretValue)'));
      ack(arn('kms', r, 'key/*'), reads('the key of the secret (DescribeKey)'));
      ack(arn('kafka', r, 'vpc-connection/*'), reads('the VPC connection'));
      ack(arn('glue', r, 'registry/*'), reads('the Glue schema registry'));
      ack(arn('sqs', r, '*'), reads('an SQS on-failure destination'));
      ack(arn('sns', r, '*'), reads('an SNS on-failure destination'));
      if (!settings.remediableSecurityGroups.length) {
        ack(arn('ec2', r, 'security-group/*'), `Adding and removing the ESM's self-referencing rule only on security groups the operator tagged ${REMEDIABLE_TAG.key}=${REMEDIABLE_TAG.value} (aws:ResourceTag condition); this account and the watched regions only.`);
      }
    }
    ack('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*', reads('and simulates the execution role (GetRole, SimulatePrincipalPolicy)'));
    ack('arn:<AWS::Partition>:s3:::*', 'The diagnosis before and after a fix reads the default encryption of the S3 on-failure bucket of the ESM being fixed (GetBucketEncryption, read-only); S3 bucket ARNs carry no account or region to narrow it by.');
    for (const pattern of settings.remediableRoles) {
      if (pattern.includes('*')) {
        ack(`arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${pattern.replace(/^\/+/, '')}`, 'Writing esm-doctor\'s inline policy (the missing kafka-cluster statements) only on the ESM execution roles the operator designated by path or name prefix; IAM offers no narrower scope (no condition key for the policy name or document).');
      }
    }
  }
}
