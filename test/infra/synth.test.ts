/**
 * `npx cdk synth` as a person runs it: cdk.json's app command (tsx, from node_modules), the pinned
 * CLI, no network, no AWS credentials. cdk-nag runs inside the synth as a validation plugin, so a
 * finding that is neither fixed nor acknowledged would fail this. Synthesises once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
let out: string;
let result: ReturnType<typeof spawnSync>;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'esm-doctor-synth-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    JSII_DEPRECATED: 'quiet',
  };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION']) delete env[name];
  result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', out, '-c', 'channel=C0ALERTS', '-c', 'regions=eu-west-1'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
}, 260_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

it('synthesises the stack offline, with cdk-nag clean, and the Slack request URL as an output', () => {
  const stderr = String(result.stderr ?? '');
  expect({ status: result.status, error: result.error?.message, nag: stderr.match(/AwsSolutions-\S+/g) ?? [] }).toEqual({ status: 0, error: undefined, nag: [] });
  const templatePath = path.join(out, 'EsmDoctor.template.json');
  expect(existsSync(templatePath)).toBe(true);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Outputs: Record<string, unknown>; Resources: Record<string, { Type: string }> };
  expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['SlackRequestUrl', 'SlackSecretArn', 'EventBusName']));
  expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(4);
});
