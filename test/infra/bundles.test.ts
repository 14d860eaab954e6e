/**
 * The Lambda bundles as they ship (infra/constructs/bundling.ts: the runtime's SDK for the stable
 * clients, Bolt's server receivers and kafkajs replaced by a stub): each handler is built with the
 * construct's esbuild options and loaded by a fresh Node process, and the Slack handler answers a
 * signed slash command through the built file, invoking the worker over HTTP (AWS_ENDPOINT_URL
 * pointing at a local listener) — so a stub on a path that runs, or a module the runtime lacks,
 * fails here rather than in the first cold start. Sizes and init times: `npm run bench`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { lambdaBuildOptions, PROJECT_ROOT } from '../../infra/constructs/bundling';
import { functionUrlEvent } from '../slack/support/lambda-events';
import { SIGNING_SECRET, slashCommandBody } from '../slack/support/signing';
import { fakeBotToken } from '../fixtures/slack-tokens';

const OUT = path.join(PROJECT_ROOT, 'test', '.tmp', 'bundles');
const HANDLERS = ['slack', 'worker', 'watcher', 'alert', 'probe', 'remediate'];
const MAX_BYTES = 1.5 * 1024 * 1024;
const sizes = new Map<string, number>();

beforeAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  for (const h of HANDLERS) {
    const outfile = path.join(OUT, h, 'index.js');
    await esbuild.build({ ...lambdaBuildOptions(h), outfile, logLevel: 'error' });
    sizes.set(h, fs.statSync(outfile).size);
  }
}, 60_000);

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

/** Runs `script` in a fresh Node process in the bundle's directory (the runtime's SDK resolves from node_modules, as from /var/runtime). */
function node(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: OUT,
      // Lambda runs Node 22; the SDK's Node 20 notice is about this machine, not the bundle.
      env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the Lambda bundles', () => {
  it.each(HANDLERS)('%s is at most 1.5 MB and exports a handler once loaded', async (h) => {
    expect(sizes.get(h)).toBeLessThanOrEqual(MAX_BYTES);
    const env = {
      SLACK_BOT_TOKEN: fakeBotToken('bundletoken'),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      ESM_DOCTOR_TABLE: 'esm-doctor',
      ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
      ESM_DOCTOR_EVENT_BUS: 'esm-doctor',
      ESM_DOCTOR_REGIONS: 'eu-west-1',
      ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
      LOG_LEVEL: 'warn',
    };
    const res = await node(`const m = require('./${h}/index.js'); process.stdout.write(typeof m.handler);`, env);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('function');
  });

  it('the Slack handler acks a signed slash command and invokes the worker, through the built file', async () => {
    const invokes: { url: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        invokes.push({ url: req.url ?? '', body });
        res.writeHead(202, { 'content-type': 'application/json' }).end('');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const event = functionUrlEvent(slashCommandBody({ text: 'diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2', responseUrl: 'https://hooks.slack.com/commands/T0ACME/1/x', triggerId: 'trig-bundle' }), { base64: true });
      const res = await node(
        `require('./slack/index.js').handler(${JSON.stringify(event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`,
        {
          SLACK_BOT_TOKEN: fakeBotToken('bundletoken'),
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          ESM_DOCTOR_TABLE: 'esm-doctor',
          ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
          ESM_DOCTOR_DEFAULT_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'fake-access-key-id',
          AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key-for-the-local-listener',
          LOG_LEVEL: 'warn',
        },
      );
      expect(res.stderr).toBe('');
      const reply = JSON.parse(res.stdout) as { statusCode: number; body: string };
      expect(reply.statusCode).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ text: expect.stringContaining('Diagnosing') });
      expect(invokes.map((i) => i.url)).toEqual(['/2015-03-31/functions/esm-doctor-worker/invocations']);
      expect(JSON.parse(invokes[0]!.body)).toMatchObject({ kind: 'diagnose', target: { uuid: '14e0db71-5d35-4eb5-b481-8945cf9d10c2' }, idempotencyKey: 'cmd#trig-bundle' });
    } finally {
      server.close();
    }
  });
});
