/**
 * The organization-wide watcher's fan-out: one EventBridge Scheduler schedule per watched
 * account-region scope, every minute, each invoking the watcher with that scope alone
 * (`{ source: 'esm-doctor.schedule', account, region }`, handlers/watcher.ts). Sixty scopes are then
 * sixty concurrent invocations of a few seconds each, instead of one invocation that walks them
 * one after another and grows by a whole scan per account.
 *
 * Why Scheduler, and not a Step Functions Map or SQS:
 *  - no orchestrator in the path: each scope is its own schedule with its own target retry
 *    policy and dead-letter queue, so a slow or denied member account cannot delay another's minute;
 *  - a Step Functions Map (inline) caps concurrency at 40 and adds a state machine, an execution
 *    and a state transition per scope to each minute; SQS adds a dispatcher, and Lambda's SQS
 *    pollers scale up gradually from a few concurrent batches, which does not fit a 60 s budget;
 *  - cost: 60 schedules × 43,200 invocations a month = 2.6 M, inside Scheduler's free tier of
 *    14 M invocations a month (https://aws.amazon.com/eventbridge/pricing/).
 * The scopes are the deploy-time configuration (accounts × regions), as they already were for the
 * watcher's environment; adding an account is one `cdk deploy` (docs/deploy.md).
 */
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EsmDoctorFunction } from './esm-doctor-function';

export interface WatcherFanoutProps {
  watcher: EsmDoctorFunction;
  regions: string[];
  /** Other watched accounts' ids (the functions' own account is always watched). */
  accounts: string[];
  /** Where a tick goes that could not be delivered. */
  undelivered: sqs.IQueue;
}

export class WatcherFanout extends Construct {
  readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, props: WatcherFanoutProps) {
    super(scope, id);
    const group = new scheduler.ScheduleGroup(this, 'Group');
    // One role for every schedule (the default is one role per target): it may invoke the watcher, nothing else.
    const role = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'esm-doctor: EventBridge Scheduler invokes the watcher once per watched account-region',
    });
    const accounts = [Aws.ACCOUNT_ID, ...props.accounts.filter((a, i, all) => all.indexOf(a) === i)];
    accounts.forEach((account, a) => {
      props.regions.forEach((region, r) => {
        // By position: the stack's own region (the default) is a token until deploy.
        this.schedules.push(
          new scheduler.Schedule(this, `Scope${a}x${r}`, {
            scheduleGroup: group,
            description: `esm-doctor watcher: the Kafka ESMs of ${a === 0 ? 'this account' : account} in ${region}, every minute`,
            schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
            target: new schedulerTargets.LambdaInvoke(props.watcher, {
              input: scheduler.ScheduleTargetInput.fromObject({ source: 'esm-doctor.schedule', account, region }),
              role,
              // A late tick is worthless: the next one is a minute away (60 s is Scheduler's minimum age).
              retryAttempts: 0,
              maxEventAge: Duration.minutes(1),
              deadLetterQueue: props.undelivered,
            }),
          }),
        );
      });
    });
    const watcherId = Stack.of(this).getLogicalId(props.watcher.node.defaultChild as lambda.CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${watcherId}.Arn>:*]`,
      reason: 'Scheduler\'s Lambda target grants InvokeFunction on the watcher and its versions (<arn>:*); the role can invoke that one function and nothing else.',
    });
  }
}
