/**
 * How fast handlers/slack acks a slash command, warm: the part of Slack's 3-second budget we spend.
 * Median of 20 invocations of the real handler (AwsLambdaReceiver, signature check, allow-list,
 * zod, the async invoke of the worker — mocked, so the figure excludes the Lambda API round-trip,
 * typically 20–60 ms in-region).
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';

const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';
const RUNS = 20;

function signedEvent(i: number) {
  const body = new URLSearchParams({
    team_id: 'T0ACME',
    channel_id: 'C0INCIDENT',
    user_id: 'U0ALICE',
    command: '/esm',
    text: 'diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2 eu-west-1',
    api_app_id: 'A0ESMDOC',
    response_url: 'http://127.0.0.1:9/response',
    trigger_id: `bench-${i}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    version: '2.0',
    rawPath: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    requestContext: { http: { method: 'POST', path: '/' } },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function run(): Promise<string[]> {
  const saved = process.env;
  const lambda = mockClient(LambdaClient);
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  const log = console.log;
  process.env = {
    ...saved,
    SLACK_BOT_TOKEN: 'xoxb-0-0-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ESM_DOCTOR_TABLE: 'esm-doctor-bench',
    ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
    ESM_DOCTOR_ALLOWED_CHANNELS: 'C0INCIDENT',
    ESM_DOCTOR_ALLOWED_USERS: 'U0ALICE',
    AWS_REGION: 'eu-west-1',
    LOG_LEVEL: 'error',
  };
  try {
    console.log = () => undefined;
    const { handler } = (await import('../bot/handlers/slack')) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
    };
    const first = await handler(signedEvent(-1), {}); // warm-up: first request initialises Bolt's listeners
    if (first.statusCode !== 200) throw new Error(`the handler answered ${first.statusCode}`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const event = signedEvent(i);
      const start = performance.now();
      const res = await handler(event, {});
      times.push(performance.now() - start);
      if (res.statusCode !== 200) throw new Error(`the handler answered ${res.statusCode}`);
    }
    const invokes = lambda.commandCalls(InvokeCommand).length;
    times.sort((a, b) => a - b);
    return [
      `slack ack (handlers/slack, warm, worker invoke mocked): median ${percentile(times, 50).toFixed(2)} ms, p90 ${percentile(times, 90).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms over ${RUNS} signed /esm commands (${invokes} worker invokes; Slack allows 3000 ms)`,
    ];
  } finally {
    console.log = log;
    process.env = saved;
    lambda.restore();
  }
}

if (require.main === module) {
  run().then((lines) => lines.forEach((l) => console.log(l)));
}
