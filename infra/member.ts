/**
 * What each member account of the organization gets, from one service-managed CloudFormation
 * StackSet targeted at an Organizations OU (docs/deploy.md shows the two commands). `npx cdk synth`
 * writes it to cdk.out/EsmDoctorMember.template.json: no assets, no bootstrap version rule, so the
 * template deploys through StackSets in any account and region of the OU.
 *
 *  - the read-only role the hub's watcher, worker and alert functions assume, trusting only the hub
 *    account and only with the ExternalId (the confused-deputy guard); its permissions are the
 *    diagnosis's own statements (infra/stack.ts `diagnosisStatements`, one source with the hub's
 *    roles) plus what the watcher reads. IAM is global and the StackSet deploys one instance per
 *    region, so the role is created only in the instance of `RoleRegion`;
 *  - in every region, EventBridge rules on the default bus forwarding to the hub's esm-doctor bus
 *    the member's ESM API calls (so the watcher reads that ESM at once) and the CloudTrail calls that
 *    change what an ESM depends on (security groups, routes, NACLs, endpoints, MSK security and
 *    connectivity, secrets, keys, the execution role's policies, the function's concurrency: the calls
 *    bot/impact assesses, DEPENDENCY_CALLS), through a role that may put
 *    events on that one bus. IAM's calls arrive only in us-east-1 (a global service's CloudTrail
 *    events are recorded there).
 */
import { CfnCondition, CfnParameter, DefaultStackSynthesizer, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { changesStatements, cloudTrailEsmPattern, diagnosisStatements } from './stack';
import { RESOURCE_KINDS } from '../bot/collect/iam-actions';
import { preAlertPatterns } from './constructs/pre-alert';

/**
 * CloudTrail calls that can change whether an ESM works, by event source: exactly the calls impact
 * assesses (bot/impact/events.ts CALL_FAMILIES, through the hub's own pre-alert patterns), so a
 * forwarded call is one the hub's pre-alert rules take, and a call impact learns is forwarded too.
 */
export const DEPENDENCY_CALLS: Record<string, string[]> = Object.fromEntries(
  preAlertPatterns().map((p) => [p.source![0]!, (p.detail as { eventName: string[] }).eventName]),
);

/** The reader's wildcard resources (cdk-nag IAM5), all in this account. */
const inAccount = (service: string, resource: string) => `arn:<AWS::Partition>:${service}:*:<AWS::AccountId>:${resource}`;
// From the one IAM source (bot/collect/iam-actions.ts), so a new resource kind is acknowledged with its grant.
const MEMBER_WILDCARDS = [
  '*',
  ...Object.values(RESOURCE_KINDS)
    .filter((k) => k.resource !== '*' || k.service !== '')
    .map((k) =>
      k.service === 'iam'
        ? `arn:<AWS::Partition>:iam::<AWS::AccountId>:${k.resource}`
        : k.service === 's3'
          ? `arn:<AWS::Partition>:s3:::${k.resource}`
          : inAccount(k.service, k.resource),
    ),
];

export class EsmDoctorMemberStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'esm-doctor member account: read-only role for the hub (ExternalId) and CloudTrail forwarding to the hub bus',
      // StackSets deploy the template as is: no bootstrap version rule or assets.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
      ...props,
    });
    const hubAccount = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The account esm-doctor runs in (its watcher, worker and alert functions assume the role from there)',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      allowedPattern: '^[\\w+=,.@:/-]{2,1224}$',
      description: 'The ExternalId the hub presents (the externalId of each entry in the hub\'s accounts context)',
    });
    const hubBusArn = new CfnParameter(this, 'HubEventBusArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/.+$',
      description: 'The hub\'s esm-doctor event bus (output HubEventBusArn of the hub stack)',
    });
    const hubRoles = new CfnParameter(this, 'HubRolePrefix', {
      type: 'String',
      default: 'EsmDoctor-',
      allowedPattern: '^[\\w+=,.@-]{1,64}$',
      description: 'Only the hub roles whose names start with this may assume the role (the hub stack\'s name and a dash)',
    });
    const roleName = new CfnParameter(this, 'RoleName', { type: 'String', default: 'esm-doctor-reader', allowedPattern: '^[\\w+=,.@-]{1,64}$' });
    const roleRegion = new CfnParameter(this, 'RoleRegion', {
      type: 'String',
      allowedPattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}$',
      description: 'The one region whose stack instance creates the (global) IAM role',
    });
    const inRoleRegion = new CfnCondition(this, 'InRoleRegion', { expression: Fn.conditionEquals(Stack.of(this).region, roleRegion.valueAsString) });
    const lookUpChanges = new CfnParameter(this, 'LookUpChanges', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'Let the hub read this account\'s CloudTrail event history (cloudtrail:LookupEvents) for "changed before the failure", as the hub\'s changes context does (default on)',
    });
    const withChanges = new CfnCondition(this, 'LookUpChangesInRoleRegion', {
      expression: Fn.conditionAnd(inRoleRegion, Fn.conditionEquals(lookUpChanges.valueAsString, 'true')),
    });

    const reader = new iam.Role(this, 'Reader', {
      roleName: roleName.valueAsString,
      description: 'esm-doctor (hub account): read-only diagnosis and watching of Kafka ESMs',
      assumedBy: new iam.AccountPrincipal(hubAccount.valueAsString).withConditions({
        StringEquals: { 'sts:ExternalId': externalId.valueAsString },
        ArnLike: { 'aws:PrincipalArn': `arn:${this.partition}:iam::${hubAccount.valueAsString}:role/${hubRoles.valueAsString}*` },
      }),
    });
    (reader.node.defaultChild as iam.CfnRole).cfnOptions.condition = inRoleRegion;
    const policy = new iam.Policy(this, 'ReaderPolicy', {
      statements: [
        ...diagnosisStatements(['*'], false),
        new iam.PolicyStatement({ sid: 'WatchReadTags', actions: ['lambda:ListTags'], resources: [`arn:${this.partition}:lambda:*:${this.account}:function:*`] }),
      ],
    });
    policy.attachToRole(reader);
    (policy.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = inRoleRegion;
    // The hub's alert and worker functions look up what changed with this role too (infra/context.ts `changes`).
    const changes = new iam.Policy(this, 'ReaderChangesPolicy', { statements: changesStatements() });
    changes.attachToRole(reader);
    (changes.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = withChanges;

    const forward = new iam.Role(this, 'ForwardToHub', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'esm-doctor: EventBridge forwards ESM and dependency CloudTrail events to the hub bus',
    });
    forward.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PutOnHubBus', actions: ['events:PutEvents'], resources: [hubBusArn.valueAsString] }));
    const target = { arn: hubBusArn.valueAsString, id: 'HubBus', roleArn: forward.roleArn };
    const esm = cloudTrailEsmPattern();
    new events.CfnRule(this, 'ForwardEsmCalls', {
      description: 'esm-doctor: this account\'s ESM create / update / delete calls → the hub bus',
      eventPattern: { source: esm.source, 'detail-type': esm.detailType, detail: esm.detail },
      targets: [target],
    });
    new events.CfnRule(this, 'ForwardDependencyCalls', {
      description: 'esm-doctor: calls that change what an ESM depends on → the hub bus',
      eventPattern: {
        'detail-type': ['AWS API Call via CloudTrail'],
        $or: Object.entries(DEPENDENCY_CALLS).map(([source, names]) => ({ source: [source], detail: { eventName: names } })),
      },
      targets: [target],
    });

    const reason = 'The hub diagnoses whichever ESM of this account fails (its function, cluster, topic, secrets, keys, execution role), which cannot be known when the account joins; read-only and limited to this account.';
    for (const id of MEMBER_WILDCARDS) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${id}]`, reason });
    Validations.of(changes).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudtrail:LookupEvents supports no resource-level permissions; it reads the event history of this account only, for the changes named in a failing diagnosis.' });
  }
}
