/**
 * Every esm-doctor Lambda comes from this one construct (the Powertools example app's habit): a
 * NodejsFunction with the house defaults, so that the handlers differ only in what they do and what
 * they may touch.
 *
 *  - code: bot/handlers/<handler>.ts, bundled by the local esbuild (no Docker), CommonJS for Node 22,
 *    minified with source maps; what is bundled and what is left to the runtime, and why, is in
 *    ./bundling.ts (each handler ≤ 1.5 MB: the runtime's SDK for the stable clients, Bolt's
 *    server receivers and kafkajs stubbed where they never run);
 *  - runtime nodejs22.x on arm64 (Graviton: ~20 % cheaper per GB-s than x86_64);
 *  - its own log group with a retention (one month by default) and its own role whose only
 *    standing grant is writing to that log group — no AWSLambdaBasicExecutionRole managed policy,
 *    which would allow logs:CreateLogGroup and writing to every log group of the account;
 *  - in a VPC (the probe), the ENI permissions Lambda needs, as a statement of that role rather
 *    than the AWSLambdaVPCAccessExecutionRole managed policy;
 *  - X-Ray active tracing;
 *  - environment: source maps on, the log level, plus whatever the stack adds.
 */
import * as path from 'node:path';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { nodejsBundlingArgs, PROJECT_ROOT } from './bundling';

export { PROJECT_ROOT };

export interface EsmDoctorFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'handler' | 'runtime' | 'architecture' | 'bundling' | 'tracing' | 'role' | 'logGroup' | 'logRetention'> {
  /** The entry point's name: bot/handlers/<handler>.ts, exporting `handler`. */
  handler: string;
  /** How long its logs are kept. Default: one month. */
  logRetentionDays?: logs.RetentionDays;
  /** LOG_LEVEL for the handler. Default: info. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export class EsmDoctorFunction extends NodejsFunction {
  /** The function's log group (created here, with its retention). */
  readonly functionLogGroup: logs.LogGroup;
  /** The function's execution role. */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: EsmDoctorFunctionProps) {
    const { handler, logRetentionDays, logLevel, environment, ...rest } = props;
    // Siblings of the function: they must exist before it does, and `this` does not exist yet.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logRetentionDays ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `esm-doctor ${handler} function`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    if (rest.vpc) {
      // What Lambda needs to attach the function to the VPC (the content of the managed
      // AWSLambdaVPCAccessExecutionRole); these EC2 actions take no resource-level scoping.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ManageVpcEnis',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }

    super(scope, id, {
      memorySize: 256,
      timeout: Duration.seconds(30),
      ...rest,
      entry: path.join(PROJECT_ROOT, 'bot', 'handlers', `${handler}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        LOG_LEVEL: logLevel ?? 'info',
        ...environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        bundleAwsSDK: true,
        ...nodejsBundlingArgs(handler),
      },
    });
    this.functionLogGroup = logGroup;
    this.executionRole = role;
    // cfn-lint W3005: Lambda's construct makes the function DependsOn its role although Role's GetAtt
    // already orders them. The duplicate is CDK's own and harmless; acknowledged here, in the template,
    // so cfn-lint over cdk.out stays quiet without a blanket --ignore-checks.
    (this.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  }
}
