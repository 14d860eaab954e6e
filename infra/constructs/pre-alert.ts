/**
 * The deployed pre-alert: EventBridge rules for the CloudTrail calls that can break a Kafka ESM
 * (bot/impact/events CALL_FAMILIES, so a call added there is watched here) → the `impact` function
 * → a pre-alert in Slack. Kept out of stack.ts so that the stack only wires it in.
 *
 * Where the events arrive: "AWS API Call via CloudTrail" events reach EventBridge in the Region of
 * the call; IAM is a global service whose events are delivered in us-east-1 (EventBridge user guide,
 * eb-service-event-cloudtrail). So the IAM rule only sees events in a stack deployed in us-east-1,
 * or events forwarded to the esm-doctor bus from there. Other accounts forward their calls to the
 * bus (as they forward their ESM API calls); a rule on the bus takes them.
 *
 * Permissions: what a diagnosis reads, routing tags, the state table (alert records, claims, the
 * stored reports behind the buttons) and the Slack tokens. No cloudtrail:LookupEvents: impact does
 * not look up changes, it is handed one.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CALL_FAMILIES } from '../../bot/impact/events';
import { EsmDoctorFunction } from './esm-doctor-function';

/** Lambda's CloudTrail event names carry the API version of the call. */
const LAMBDA_EVENT_NAMES: Record<string, string> = {
  PutFunctionConcurrency: 'PutFunctionConcurrency20171031',
  DeleteFunction: 'DeleteFunction20150331',
};

/** One pattern per service: its source, its eventSource, its event names. */
export function preAlertPatterns(): events.EventPattern[] {
  const bySource = new Map<string, string[]>();
  for (const family of CALL_FAMILIES) {
    const names = family.names.map((n) => (family.source === 'lambda.amazonaws.com' ? (LAMBDA_EVENT_NAMES[n] ?? n) : n));
    bySource.set(family.source, [...(bySource.get(family.source) ?? []), ...names]);
  }
  return [...bySource.entries()].map(([eventSource, names]) => ({
    source: [`aws.${eventSource.split('.')[0]}`],
    detailType: ['AWS API Call via CloudTrail'],
    detail: { eventSource: [eventSource], eventName: names },
  }));
}

export interface PreAlertProps {
  environment: Record<string, string>;
  /** The diagnosing functions' read-only statements (stack.ts diagnosisStatements). */
  diagnosis: iam.PolicyStatement[];
  /** State table, Slack tokens, routing tags, watched-account roles. */
  access: iam.PolicyStatement[];
  /** Events from other accounts arrive here. */
  bus?: events.IEventBus;
  deadLetterQueue: sqs.IQueue;
}

export class PreAlert extends Construct {
  readonly function: EsmDoctorFunction;
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: PreAlertProps) {
    super(scope, id);
    this.function = new EsmDoctorFunction(this, 'Impact', {
      handler: 'impact',
      description: 'esm-doctor: a CloudTrail call that can break a Kafka ESM → impact → pre-alert in Slack',
      memorySize: 1024,
      // Re-diagnosing many dependents (8 at a time) takes a while: 100 ESMs ≈ 7 s at 100 ms per call.
      timeout: Duration.minutes(5),
      environment: props.environment,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
    });
    for (const st of [...props.diagnosis, ...props.access]) this.function.executionRole.addToPrincipalPolicy(st);
    const target = () => new targets.LambdaFunction(this.function, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(1) });
    this.rules = preAlertPatterns().flatMap((pattern, i) => {
      const service = pattern.source![0]!.replace('aws.', '');
      const rules = [new events.Rule(this, `Calls${i}`, { description: `esm-doctor pre-alert: ${service} calls that can break a Kafka ESM`, eventPattern: pattern, targets: [target()] })];
      if (props.bus) {
        rules.push(
          new events.Rule(this, `ForwardedCalls${i}`, {
            description: `esm-doctor pre-alert: ${service} calls forwarded from other accounts`,
            eventBus: props.bus,
            eventPattern: pattern,
            targets: [target()],
          }),
        );
      }
      return rules;
    });
  }
}
