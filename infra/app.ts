/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this with tsx). Settings come from
 * context (infra/context.ts); cdk-nag's AWS Solutions checks run on every synth, so a finding that is
 * neither fixed nor acknowledged (with a reason) stops the deployment.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build';

const app = new App();
buildApp(app);
app.synth();
