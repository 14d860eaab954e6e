/** Builds the app's stack and registers cdk-nag; shared by infra/app.ts and the tests. */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseContext } from './context';
import { EsmDoctorMemberStack } from './member';
import { EsmDoctorStack } from './stack';

export function buildApp(app: App, options: { nag?: boolean } = {}): EsmDoctorStack {
  const settings = parseContext((key) => app.node.tryGetContext(key));
  const stack = new EsmDoctorStack(app, 'EsmDoctor', {
    settings,
    description: 'esm-doctor: Kafka ESM watcher, alerts and Slack app',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // The member accounts' template, for the StackSet (docs/deploy.md); never deployed from here.
  new EsmDoctorMemberStack(app, 'EsmDoctorMember');
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks());
  return stack;
}
