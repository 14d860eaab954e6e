/**
 * esm-doctor in one stack:
 *
 *   schedule per scope ─┐                                ┌─ rule: failing / recovered / deleted ─→ alert ─→ Slack
 *   (1/min, account ×   │
 *    region, Scheduler) │
 *   CloudTrail ESM ─────┴→ watcher ─ PutEvents ─→ esm-doctor bus
 *   API calls (prefix match)                              └─ (anyone's rules: paging, tickets, …)
 *
 *   Slack ─→ Function URL ─→ slack ─ async invoke ─→ worker ─→ Slack
 *
 *   DynamoDB table (pk/sk, on-demand, TTL expiresAt, PITR): watch state, alerts, reports, acks, claims
 *   Secrets Manager: the Slack tokens (+ the button key), read once per container
 *
 * IAM is per function and least privilege: read-only describe/list/simulate for the functions that
 * diagnose (README "Permissions esm-doctor needs"), GetSecretValue on ESM secrets only with
 * `inspectSecrets`, cloudtrail:LookupEvents only on the worker and the alert function and only with
 * `changes` (on by default), lambda:InvokeFunction only on the worker, events:PutEvents only on the bus,
 * DynamoDB only on the table, sts:AssumeRole only on the configured roles.
 */
import { Aws, CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { CLOUDTRAIL_EVENT_PREFIXES } from '../bot/alerts/triggers';
import { RESOURCE_KINDS, grantsFor, type Caller, type ResourceKind } from '../bot/collect/iam-actions';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../bot/model/events';
import { SLACK_SECRET_TEMPLATE } from '../bot/slack/secrets';
import { PROBE_FUNCTIONS_ENV } from '../bot/probe/position';
import { EsmDoctorFunction } from './constructs/esm-doctor-function';
import { ProbeFunctions, type ProbeTarget } from './constructs/probe-function';
import { WatcherFanout } from './constructs/watcher-fanout';
import { RemediationFunction, remediationEnvironment } from './constructs/remediation';
import { accountOfRole } from '../bot/alerts/config';
import { PreAlert } from './constructs/pre-alert';
import type { DeployContext } from './context';

export interface EsmDoctorStackProps extends StackProps {
  settings: DeployContext;
}

/** What the watcher table layout needs; the TTL attribute is the Slack store's. */
export const TABLE_TTL_ATTRIBUTE = 'expiresAt';

/** The Slack secret's initial content: placeholders for the tokens, a generated button key. */

/** EventBridge pattern for Lambda's own CloudTrail events on ESMs (names carry a version suffix: match by prefix). */
export function cloudTrailEsmPattern(): events.EventPattern {
  return {
    source: ['aws.lambda'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['lambda.amazonaws.com'],
      eventName: events.Match.anyOf(...CLOUDTRAIL_EVENT_PREFIXES.map((p) => events.Match.prefix(p))),
    },
  };
}

/** Our events that need an alert: failing, recovered, and deleted (a `changed` event whose state is Deleted). */
export function alertPattern(): events.EventPattern {
  return {
    source: [EVENT_SOURCE],
    detailType: [EVENT_DETAIL_TYPE],
    detail: { $or: [{ health: ['failing', 'recovered'] }, { health: ['changed'], current: { state: ['Deleted'] } }] },
  };
}

export class EsmDoctorStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  readonly slackSecret: secretsmanager.Secret;
  readonly functions: Record<'slack' | 'worker' | 'watcher' | 'alert', EsmDoctorFunction>;
  readonly functionUrl: lambda.FunctionUrl;
  /** Only with `-c remediation=true`: the one function whose role can write (constructs/remediation.ts). */
  readonly remediation?: RemediationFunction;
  /** Only with `-c preAlerts=true`: the impact function and its rules (constructs/pre-alert.ts). */
  readonly preAlert?: PreAlert;

  constructor(scope: Construct, id: string, props: EsmDoctorStackProps) {
    super(scope, id, props);
    const s = props.settings;
    const regions = s.regions.length ? s.regions : [this.region];
    const partition = Aws.PARTITION;
    const account = Aws.ACCOUNT_ID;
    // The channel from context, or else a parameter: `cdk synth` needs no settings, `cdk deploy` asks.
    const channel =
      s.channel ??
      new CfnParameter(this, 'AlertChannel', {
        type: 'String',
        allowedPattern: '^[CG][A-Z0-9]{2,}$',
        constraintDescription: 'a Slack channel id (C…), not a channel name',
        description: 'The Slack channel id alerts go to by default (or deploy with -c channel=C…)',
      }).valueAsString;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: 'esm-doctor', description: 'ESM State Change events from the esm-doctor watcher' });

    this.slackSecret = new secretsmanager.Secret(this, 'SlackTokens', {
      description: 'esm-doctor Slack app: bot token, signing secret (replace the placeholders), button key (generated)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify(SLACK_SECRET_TEMPLATE),
        generateStringKey: 'ESM_DOCTOR_BUTTON_KEY',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });

    // Where events go that no target could take (rule targets) and async invokes that kept failing.
    const undelivered = new sqs.Queue(this, 'Undelivered', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const common = {
      ESM_DOCTOR_TABLE: this.table.tableName,
      SLACK_SECRET_ARN: this.slackSecret.secretArn,
      ESM_DOCTOR_DEFAULT_REGION: regions[0]!,
    };
    const watching = {
      ESM_DOCTOR_REGIONS: regions.join(','),
      ESM_DOCTOR_ACCOUNTS: JSON.stringify(s.accounts),
      ESM_DOCTOR_ACCOUNT_ID: account,
    };
    // Where the alert and the pre-alert functions post, and what their diagnoses may read.
    const alerting = {
      ESM_DOCTOR_ALERT_CHANNEL: channel,
      ESM_DOCTOR_CHANNEL_PREFIXES: JSON.stringify(s.channelPrefixes),
      ESM_DOCTOR_INSPECT_SECRETS: String(s.inspectSecrets),
    };

    const worker = new EsmDoctorFunction(this, 'Worker', {
      handler: 'worker',
      description: 'esm-doctor: runs a Slack job (diagnose, re-run) and posts or edits the message',
      memorySize: 1024,
      timeout: Duration.minutes(2),
      environment: {
        ...common,
        ESM_DOCTOR_INSPECT_SECRETS: String(s.inspectSecrets),
        ESM_DOCTOR_CHANGES: s.changes ? 'on' : 'off',
        // /esm diagnose on an ESM of a watched account assumes that account's role, as the alerts do.
        ...(s.accounts.length ? { ESM_DOCTOR_ACCOUNTS: JSON.stringify(s.accounts) } : {}),
      },
      deadLetterQueue: undelivered,
      retryAttempts: 1,
    });

    const slack = new EsmDoctorFunction(this, 'Slack', {
      handler: 'slack',
      description: 'esm-doctor: Slack requests (Function URL): verifies, acks within 3 s, hands jobs to the worker',
      memorySize: 1024,
      timeout: Duration.seconds(10),
      environment: { ...common, ESM_DOCTOR_WORKER_FUNCTION: worker.functionName },
    });

    const watcher = new EsmDoctorFunction(this, 'Watcher', {
      handler: 'watcher',
      description: 'esm-doctor: lists Kafka ESMs every minute, publishes ESM State Change events per transition',
      memorySize: 256,
      // One invocation per account-region scope: a quiet run over 1,000 ESMs takes ~1-2 s; the first
      // run records every ESM (thousands of conditional writes). Overlapping runs are safe
      // (conditional writes), so a long one does no harm.
      timeout: Duration.minutes(3),
      environment: {
        ...watching,
        ESM_DOCTOR_TABLE: this.table.tableName,
        ESM_DOCTOR_EVENT_BUS: this.bus.eventBusName,
        ESM_DOCTOR_RECOVERY_HOLD_MINUTES: String(s.recoveryHoldMinutes),
      },
      // The next minute's run is the retry; a retried run would only overlap it.
      retryAttempts: 0,
    });

    const alert = new EsmDoctorFunction(this, 'Alert', {
      handler: 'alert',
      description: 'esm-doctor: ESM State Change → diagnosis → alert in Slack (edited on recovery)',
      memorySize: 1024,
      // A storm paces its posts at ~1/s per channel: leave room for a long queue.
      timeout: Duration.minutes(5),
      environment: {
        ...common,
        ...watching,
        ...alerting,
        ESM_DOCTOR_CHANGES: s.changes ? 'on' : 'off',
      },
      deadLetterQueue: undelivered,
      retryAttempts: 2,
    });
    this.functions = { slack, worker, watcher, alert };

    // ---- Slack's way in: a Function URL (Bolt verifies every request with the signing secret).
    this.functionUrl = slack.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    // ---- Rules
    const target = (fn: EsmDoctorFunction, retry?: { attempts: number; maxAge: Duration }) =>
      new targets.LambdaFunction(fn, { deadLetterQueue: undelivered, ...(retry ? { retryAttempts: retry.attempts, maxEventAge: retry.maxAge } : {}) });
    // One watcher invocation per account-region, every minute (constructs/watcher-fanout.ts says why Scheduler).
    new WatcherFanout(this, 'WatchEveryScope', { watcher, regions, accounts: s.accounts.map((a) => accountOfRole(a.roleArn)), undelivered });
    new events.Rule(this, 'EsmApiCalls', {
      description: 'esm-doctor watcher: check an ESM at once when it is created, updated or deleted',
      eventPattern: cloudTrailEsmPattern(),
      targets: [target(watcher, { attempts: 2, maxAge: Duration.hours(1) })],
    });
    if (s.eventSourceAccounts.length || s.organizationId) {
      // Other accounts forward their ESM API calls (and may forward ESM State Change events) here.
      new events.Rule(this, 'ForwardedEsmApiCalls', {
        description: 'esm-doctor watcher: ESM API calls forwarded from other accounts',
        eventBus: this.bus,
        eventPattern: cloudTrailEsmPattern(),
        targets: [target(watcher, { attempts: 2, maxAge: Duration.hours(1) })],
      });
      if (s.eventSourceAccounts.length) {
        this.bus.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'AcceptForwardedEvents',
            principals: s.eventSourceAccounts.map((a) => new iam.AccountPrincipal(a)),
            actions: ['events:PutEvents'],
            resources: [this.bus.eventBusArn],
          }),
        );
      }
      if (s.organizationId) {
        // The member StackSet's forwarding rules (infra/member.ts), from any account of the organization.
        this.bus.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'AcceptOrganizationEvents',
            principals: [new iam.AnyPrincipal()],
            actions: ['events:PutEvents'],
            resources: [this.bus.eventBusArn],
            conditions: { StringEquals: { 'aws:PrincipalOrgID': s.organizationId } },
          }),
        );
      }
    }
    new events.Rule(this, 'EsmStateChanges', {
      description: 'esm-doctor alerts: failing, recovered and deleted ESMs',
      eventBus: this.bus,
      eventPattern: alertPattern(),
      // EventBridge's default retry policy (24 h, 185 attempts), then the queue: no alert is dropped.
      targets: [target(alert)],
    });

    // ---- Permissions
    const tableArn = this.table.tableArn;
    const tableActions = (...actions: string[]) => new iam.PolicyStatement({ sid: 'StateTable', actions: actions.map((a) => `dynamodb:${a}`), resources: [tableArn] });
    const readSlackSecret = new iam.PolicyStatement({ sid: 'ReadSlackTokens', actions: ['secretsmanager:GetSecretValue'], resources: [this.slackSecret.secretArn] });
    const roleArns = s.accounts.map((a) => a.roleArn);
    const assumeWatchedRoles = roleArns.length ? [new iam.PolicyStatement({ sid: 'AssumeWatchedAccountRoles', actions: ['sts:AssumeRole'], resources: roleArns })] : [];

    // Slack handler: the store (GetItem/PutItem/DeleteItem), its tokens, and the worker — nothing else.
    grant(slack, tableActions('GetItem', 'PutItem', 'DeleteItem'), readSlackSecret);
    grant(slack, new iam.PolicyStatement({ sid: 'InvokeWorker', actions: ['lambda:InvokeFunction'], resources: [worker.functionArn] }));

    // Worker: diagnoses (read-only) in this account, and the store.
    grant(worker, ...diagnosisStatements(regions, s.inspectSecrets, s.inspectSecretsPrefixes, { changes: s.changes }), tableActions('GetItem', 'PutItem', 'DeleteItem'), readSlackSecret, ...assumeWatchedRoles);

    // Watcher: lists ESMs, reads one on a CloudTrail call, records transitions, publishes them.
    grant(
      watcher,
      new iam.PolicyStatement({ sid: 'ListEsms', actions: ['lambda:ListEventSourceMappings'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'ReadEsm', actions: ['lambda:GetEventSourceMapping'], resources: regions.map((r) => `arn:${partition}:lambda:${r}:${account}:event-source-mapping:*`) }),
      new iam.PolicyStatement({ sid: 'PublishStateChanges', actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
      // Stall detection: the watched mappings' OffsetLag (no resource-level permissions for GetMetricData).
      new iam.PolicyStatement({ sid: 'ReadProgressMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      tableActions('Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'),
      ...assumeWatchedRoles,
      // The dependency index: what a created or re-pointed ESM depends on (bot/impact/index-refresh.ts).
      ...callerStatements('index', regions, grantsFor('watch').map((g) => g.action)),
    );

    // Alert: diagnoses (here, or through the watched accounts' roles), reads routing tags, the store, its tokens.
    grant(
      alert,
      ...diagnosisStatements(regions, s.inspectSecrets, s.inspectSecretsPrefixes, { changes: s.changes }),
      new iam.PolicyStatement({ sid: 'ReadRoutingTags', actions: ['lambda:ListTags'], resources: regions.map((r) => `arn:${partition}:lambda:${r}:${account}:function:*`) }),
      // UpdateItem: the per-channel send lane (alert-store-dynamodb.ts takeTicket / startTurn / finishTurn).
      tableActions('Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'),
      readSlackSecret,
      ...assumeWatchedRoles,
    );

    // ---- Pre-alerts (optional): a CloudTrail call that breaks ESMs is announced before Lambda notices.
    if (s.preAlerts) {
      this.preAlert = new PreAlert(this, 'PreAlert', {
        environment: {
          ...common,
          ...watching,
          ...alerting,
        },
        diagnosis: diagnosisStatements(regions, s.inspectSecrets, s.inspectSecretsPrefixes),
        access: [
          new iam.PolicyStatement({ sid: 'ReadRoutingTags', actions: ['lambda:ListTags'], resources: regions.map((r) => `arn:${partition}:lambda:${r}:${account}:function:*`) }),
          tableActions('Query', 'GetItem', 'PutItem', 'DeleteItem'),
          readSlackSecret,
          ...assumeWatchedRoles,
        ],
        // Forwarded calls arrive on the bus from the listed accounts and from the organization's members (infra/member.ts).
        ...(s.eventSourceAccounts.length || s.organizationId ? { bus: this.bus } : {}),
        deadLetterQueue: undelivered,
      });
    }
    // ---- Guarded remediation (optional): Fix it in Slack, applied by its own function and role.
    if (s.remediation) {
      const remediation = new RemediationFunction(this, 'Remediation', {
        settings: s,
        regions,
        table: this.table,
        slackSecret: this.slackSecret,
        undelivered,
        environment: common,
        diagnosis: diagnosisStatements(regions, false),
      });
      this.remediation = remediation;
      for (const fn of [slack, worker, alert]) for (const [k, v] of Object.entries(remediationEnvironment(s))) fn.addEnvironment(k, v);
      slack.addEnvironment('ESM_DOCTOR_REMEDIATION_FUNCTION', remediation.function.functionName);
      // Fix requests change state with conditional updates; the handler hands approved ones over.
      grant(slack, new iam.PolicyStatement({ sid: 'FixRequests', actions: ['dynamodb:UpdateItem'], resources: [tableArn] }));
      grant(slack, new iam.PolicyStatement({ sid: 'InvokeRemediation', actions: ['lambda:InvokeFunction'], resources: [remediation.function.functionArn] }));
    }

    // ---- The live probe (optional): one function per network position, invoked by the diagnosing functions.
    if (s.probeTargets.length) {
      const probes = new ProbeFunctions(this, 'Probes', { targets: s.probeTargets as ProbeTarget[] });
      const fns = [...probes.byPosition.values()].map((p) => p.function);
      for (const fn of [worker, alert]) {
        grant(fn, new iam.PolicyStatement({ sid: 'InvokeProbe', actions: ['lambda:InvokeFunction'], resources: fns.map((f) => f.functionArn) }));
        if (fns.length === 1) fn.addEnvironment('ESM_DOCTOR_PROBE_FUNCTION', fns[0]!.functionName);
        // Two or more positions: each ESM's position → its function (bot/probe/position.ts).
        else fn.addEnvironment(PROBE_FUNCTIONS_ENV, Stack.of(this).toJsonString(probeFunctionMap(probes)));
      }
      acknowledgeProbe(probes);
    }

    new CfnOutput(this, 'SlackRequestUrl', {
      value: this.functionUrl.url,
      description: 'Paste into the Slack app: Slash Commands → /esm → Request URL, and Interactivity → Request URL',
    });
    new CfnOutput(this, 'SlackSecretArn', { value: this.slackSecret.secretArn, description: 'Store the Slack tokens here (docs/deploy.md)' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'ESM State Change events are published here' });
    new CfnOutput(this, 'HubEventBusArn', { value: this.bus.eventBusArn, description: 'The member StackSet\'s HubEventBusArn parameter (docs/deploy.md)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });

    acknowledgeNagFindings(this, regions, s.inspectSecrets ? s.inspectSecretsPrefixes : []);
  }
}

function grant(fn: EsmDoctorFunction, ...statements: iam.PolicyStatement[]): void {
  for (const st of statements) fn.executionRole.addToPrincipalPolicy(st);
}

/**
 * The collectors' read-only calls, from their one declaration (bot/collect/iam-actions.ts, which also
 * writes the README's "Permissions esm-doctor needs"): one statement per resource kind, scoped to this
 * account and the watched regions where IAM allows. `changes`: the "changed before the failure"
 * lookups too (caller `changes`), for the roles whose diagnoses show that section.
 */
export function diagnosisStatements(regions: string[], inspectSecrets: boolean, secretPrefixes: string[] = ['AmazonMSK_'], options: { changes?: boolean } = {}): iam.PolicyStatement[] {
  const p = Aws.PARTITION;
  const a = Aws.ACCOUNT_ID;
  const resourcesOf = (kind: ResourceKind) => kindResources(kind, regions);
  const statements = callerStatements('diagnose', regions);
  if (options.changes) statements.push(...changesStatements());
  if (inspectSecrets) {
    statements.push(
      // Scoped to the operator's secret name prefixes (inspectSecretsPrefixes), not secret:*: the
      // diagnosing functions can then read only the kind of secret an ESM uses.
      ...grantsFor('inspect').map(({ action }) =>
        new iam.PolicyStatement({ sid: 'InspectEsmSecrets', actions: [action], resources: secretPrefixes.flatMap((prefix) => regions.map((r) => `arn:${p}:secretsmanager:${r}:${a}:secret:${prefix}*`)) }),
      ),
      // GetSecretValue on a secret under a customer managed key needs Decrypt through Secrets Manager.
      new iam.PolicyStatement({
        sid: 'DecryptEsmSecrets',
        actions: ['kms:Decrypt'],
        resources: resourcesOf('key'),
        conditions: { StringLike: { 'kms:ViaService': regions.map((r) => `secretsmanager.${r}.amazonaws.com`) } },
      }),
    );
  }
  return statements;
}

/**
 * The "changed before the failure" lookups (caller `changes` in bot/collect/iam-actions.ts) in a
 * statement of their own, so the grant is visible, and reviewable, as the switch's. LookupEvents has
 * no resource-level permissions.
 */
export function changesStatements(): iam.PolicyStatement[] {
  const lookups = grantsFor('changes');
  if (lookups.some((g) => g.on !== 'any')) throw new Error('a changes action with resource-level permissions: scope it here');
  return [new iam.PolicyStatement({ sid: 'LookUpRecentChanges', actions: [...new Set(lookups.map((g) => g.action))], resources: ['*'] })];
}

/** A resource kind's ARNs in this account and the watched regions (`*` where the action has no resource-level permission). */
function kindResources(kind: ResourceKind, regions: string[]): string[] {
  const { service, resource } = RESOURCE_KINDS[kind];
  if (kind === 'any') return ['*'];
  // IAM is global: its ARNs have no region.
  if (service === 'iam') return [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:${resource}`];
  // S3 bucket ARNs have neither region nor account.
  if (service === 's3') return [`arn:${Aws.PARTITION}:s3:::${resource}`];
  return regions.map((r) => `arn:${Aws.PARTITION}:${service}:${r}:${Aws.ACCOUNT_ID}:${resource}`);
}

/** One read-only statement per resource kind for a caller's actions, less those `except` (granted elsewhere). */
export function callerStatements(caller: Caller, regions: string[], except: readonly string[] = []): iam.PolicyStatement[] {
  const byKind = new Map<ResourceKind, string[]>();
  for (const { action, on } of grantsFor(caller)) {
    if (except.includes(action)) continue;
    const actions = byKind.get(on) ?? [];
    if (!actions.includes(action)) actions.push(action);
    byKind.set(on, actions);
  }
  return [...byKind].map(([kind, actions]) => new iam.PolicyStatement({ sid: RESOURCE_KINDS[kind].sid, actions, resources: kindResources(kind, regions) }));
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** cdk-nag (AwsSolutions) findings that are deliberate, each with its reason, on the narrowest construct. */
function acknowledgeNagFindings(stack: EsmDoctorStack, regions: string[], secretPrefixes: string[] = []): void {
  ack(stack, 'AwsSolutions-L1', 'nodejs22.x is the runtime esm-doctor is built and tested for (the house default); moving to a newer runtime is a deliberate change, not a drift.');
  ack(stack.slackSecret, 'AwsSolutions-SMG4', 'Slack bot tokens and signing secrets cannot be rotated by a Secrets Manager rotation function; they are rotated in the Slack app and stored again (docs/deploy.md).');

  const region = (r: string) => (Token.isUnresolved(r) ? '<AWS::Region>' : r);
  const arn = (service: string, r: string, resource: string) => `arn:<AWS::Partition>:${service}:${region(r)}:<AWS::AccountId>:${resource}`;
  const wildcard = (fn: EsmDoctorFunction, resources: string[], reason: string) => {
    for (const resource of resources) ack(fn.executionRole, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
  };
  const { slack, worker, watcher, alert } = stack.functions;
  // The pre-alert's impact function re-diagnoses the dependents of a change: the diagnosis's reads, as worker and alert.
  const impact = stack.preAlert ? [stack.preAlert.function] : [];
  for (const fn of [slack, worker, watcher, alert, ...impact]) {
    wildcard(fn, ['*'], 'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) and the unscoped reads (lambda:ListEventSourceMappings, ec2:Describe*, sts:GetCallerIdentity, cloudwatch:GetMetricData, and with the changes switch cloudtrail:LookupEvents) support no resource-level permissions.');
  }
  for (const fn of [worker, watcher, alert, ...impact]) {
    wildcard(fn, regions.map((r) => arn('lambda', r, 'event-source-mapping:*')), 'Any ESM of the watched regions may fail and be diagnosed; GetEventSourceMapping is read-only and limited to this account and those regions.');
  }
  const diagnosisReason = (what: string) => `The diagnosis reads ${what} of whichever ESM fails, which cannot be known at deploy time; read-only and limited to this account and the watched regions.`;
  for (const fn of [worker, alert, ...impact]) {
    wildcard(fn, regions.map((r) => arn('lambda', r, 'function:*')), diagnosisReason('the function (GetFunction, GetFunctionConcurrency, ListTags for routing)'));
    wildcard(fn, regions.map((r) => arn('kafka', r, 'cluster/*')), diagnosisReason('the MSK cluster (DescribeClusterV2, GetBootstrapBrokers, ListScramSecrets)'));
    wildcard(fn, regions.map((r) => arn('kafka', r, 'topic/*')), diagnosisReason('the topic (DescribeTopic)'));
    wildcard(fn, regions.map((r) => arn('secretsmanager', r, 'secret:*')), `${diagnosisReason('the metadata of the ESM\'s secrets (DescribeSecret)')} GetSecretValue is granted only with inspectSecrets.`);
    wildcard(fn, regions.map((r) => arn('kms', r, 'key/*')), diagnosisReason('the key of the ESM\'s secret (DescribeKey)'));
    wildcard(fn, regions.map((r) => arn('kafka', r, 'vpc-connection/*')), diagnosisReason('the VPC connection of a cross-account ESM (DescribeVpcConnection)'));
    wildcard(fn, regions.map((r) => arn('glue', r, 'registry/*')), diagnosisReason('the Glue schema registry (GetRegistry)'));
    wildcard(fn, regions.map((r) => arn('sqs', r, '*')), diagnosisReason('the encryption of an SQS on-failure destination (GetQueueUrl, GetQueueAttributes)'));
    wildcard(fn, regions.map((r) => arn('sns', r, '*')), diagnosisReason('the encryption of an SNS on-failure destination (GetTopicAttributes)'));
    wildcard(fn, ['arn:<AWS::Partition>:s3:::*'], 'The diagnosis reads the default encryption of whichever S3 bucket a failing ESM names as its on-failure destination (GetBucketEncryption); read-only, and S3 bucket ARNs carry no account or region to narrow it by.');
    for (const prefix of secretPrefixes) {
      wildcard(fn, regions.map((r) => arn('secretsmanager', r, `secret:${prefix}*`)), 'inspectSecrets: the secret-format check reads the value of whichever ESM secret fails, limited to the name prefixes the operator set (inspectSecretsPrefixes, default AmazonMSK_).');
    }
    wildcard(fn, ['arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*'], diagnosisReason('and simulates the ESM function\'s execution role (GetRole, SimulatePrincipalPolicy)'));
  }
  const indexReason = (what: string) => `The watcher reads ${what} of whichever ESM is created or re-pointed, to keep the dependency index (bot/impact/index-refresh.ts); read-only and limited to this account and the watched regions.`;
  wildcard(watcher, regions.map((r) => arn('lambda', r, 'function:*')), indexReason('the function (GetFunction: its execution role)'));
  wildcard(watcher, regions.map((r) => arn('kafka', r, 'cluster/*')), indexReason('the MSK cluster (DescribeClusterV2: its subnets and security groups)'));
  wildcard(watcher, regions.map((r) => arn('secretsmanager', r, 'secret:*')), indexReason('the metadata of the ESM\'s secrets (DescribeSecret: their KMS key)'));
  wildcard(watcher, regions.map((r) => arn('kms', r, 'key/*')), indexReason('the key of the ESM\'s secret (DescribeKey)'));
}

/** The stack's position keys (vpc|subnets|sgs) as the engine computes them from an ESM (subnets|sgs). */
export function probeFunctionMap(probes: ProbeFunctions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, probe] of probes.byPosition) out[key === 'internet' ? 'internet' : key.split('|').slice(1).join('|')] = probe.function.functionName;
  return out;
}

function acknowledgeProbe(probes: ProbeFunctions): void {
  for (const probe of probes.byPosition.values()) {
    ack(
      probe.function.executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray and the ENI actions a function in a VPC needs (ec2:CreateNetworkInterface and friends) support no resource-level permissions; the probe\'s own grants are scoped to the ESMs\' secrets, keys, topics and groups.',
    );
  }
}
