/**
 * The AWS path: handlers/slack (AwsLambdaReceiver) acks and invokes the worker asynchronously;
 * handlers/worker validates the job, diagnoses, and posts. AWS clients are mocked with
 * aws-sdk-client-mock; Slack is the local fake.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Job } from '../../bot/slack/jobs';
import { signButtonValue, buttonKey } from '../../bot/slack/button';
import { startFakeSlack, type FakeSlack } from './support/fake-slack';
import { functionUrlEvent } from './support/lambda-events';
import { blockActionBody, SIGNING_SECRET, slashCommandBody } from './support/signing';
import { ESM_UUID, failingReport } from './support/reports';
import { fakeBotToken } from '../fixtures/slack-tokens';

jest.mock('../../bot/diagnose', () => ({ diagnose: jest.fn() }));

const lambda = mockClient(LambdaClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let slack: FakeSlack;
const savedEnv = process.env;
const silence = jest.spyOn(console, 'log').mockImplementation(() => undefined);
const silenceErr = jest.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  slack = await startFakeSlack();
  process.env = {
    ...savedEnv,
    SLACK_BOT_TOKEN: fakeBotToken('lambdatoken'),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ESM_DOCTOR_TABLE: 'esm-doctor',
    ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
    ESM_DOCTOR_DEFAULT_REGION: 'eu-west-1',
    AWS_REGION: 'eu-west-1',
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  process.env = savedEnv;
  silence.mockRestore();
  silenceErr.mockRestore();
  await slack.close();
});

beforeEach(() => {
  lambda.reset();
  dynamo.reset();
  slack.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

/** Handlers build their app at import (once per container), so they are loaded after the environment is set. */
function load<T>(path: string): T {
  return require(path); // eslint-disable-line @typescript-eslint/no-require-imports
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

describe('handlers/slack', () => {
  let handler: Handler;
  beforeAll(() => {
    handler = load<{ handler: Handler }>('../../bot/handlers/slack').handler;
  });

  const command = (options: { retryNum?: number; base64?: boolean; signature?: string } = {}) =>
    functionUrlEvent(slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('cmd'), triggerId: 'trig-lambda' }), options);

  it('acks a slash command with "Diagnosing…" and invokes the worker asynchronously with the job', async () => {
    const res = await handler(command({ base64: true }), {});
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Diagnosing') });
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.FunctionName).toBe('esm-doctor-worker');
    expect(input.InvocationType).toBe('Event');
    const job = Job.parse(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')));
    expect(job).toEqual({
      kind: 'diagnose',
      target: { uuid: ESM_UUID, region: 'eu-west-1' },
      channel: 'C0INCIDENT',
      responseUrl: slack.responseUrl('cmd'),
      user: 'U0ALICE',
      idempotencyKey: 'cmd#trig-lambda',
    });
    expect(slack.calls).toHaveLength(0);
  });

  it('hands a Re-run click to the worker with the message to edit', async () => {
    const value = signButtonValue(buttonKey({ signingSecret: SIGNING_SECRET }), { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' });
    const body = blockActionBody({ actionId: 'esm_recheck', value, messageTs: '1763630000.000101', responseUrl: slack.responseUrl('act'), actionTs: '1763630100.5' });
    const res = await handler(functionUrlEvent(body), {});
    expect(res.statusCode).toBe(200);
    const payload = JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString('utf8'));
    expect(payload).toMatchObject({
      kind: 'recheck',
      target: { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' },
      channel: 'C0INCIDENT',
      messageTs: '1763630000.000101',
      user: 'U0ALICE',
      idempotencyKey: 'act#C0INCIDENT#1763630000.000101#1763630100.5',
    });
    expect(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.InvocationType).toBe('Event');
  });

  it('acknowledges a Slack retry without invoking the worker', async () => {
    const res = await handler(command({ retryNum: 1 }), {});
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('answers 401 to a bad signature', async () => {
    const res = await handler(command({ signature: `v0=${'a'.repeat(64)}` }), {});
    expect(res.statusCode).toBe(401);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('apologises (not a stack trace) when the worker cannot be invoked', async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));
    const res = await handler(command(), {});
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).text).toContain('Diagnosing');
    const apology: string = slack.responses[0]!.body.text;
    expect(apology).toMatch(/^:confused: Sorry, something went wrong on my side \(error id `[0-9a-f]{8}`\)/);
    expect(apology).not.toMatch(/InvokeFunction|AccessDenied/);
  });
});

describe('handlers/slack: replay and logs', () => {
  let handler: Handler;
  beforeAll(() => {
    handler = load<{ handler: Handler }>('../../bot/handlers/slack').handler;
  });
  const now = () => Math.floor(Date.now() / 1000);
  const signedAt = (timestamp: number, triggerId = 'trig-skew') =>
    functionUrlEvent(slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('skew'), triggerId }), { timestamp, base64: true });

  it.each([
    ['6 minutes in the future', 6 * 60],
    ['a day in the future', 24 * 3600],
    ['6 minutes in the past', -6 * 60],
  ])('refuses a correctly signed request dated %s, without a job', async (_what, offset) => {
    const res = await handler(signedAt(now() + offset), {});
    expect(res.statusCode).toBe(401);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });

  it('accepts one 4 minutes ahead (clock skew), keyed by its trigger_id so that the worker runs a replay once', async () => {
    const event = signedAt(now() + 4 * 60, 'trig-replay');
    expect((await handler(event, {})).statusCode).toBe(200);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    const job = JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString('utf8'));
    expect(job.idempotencyKey).toBe('cmd#trig-replay');
  });

  it('logs no request body, token or response URL at LOG_LEVEL=debug (Function URL bodies are base64)', async () => {
    const lines: string[] = [];
    const { slackLambdaHandler } = load<typeof import('../../bot/slack/aws')>('../../bot/slack/aws');
    const { createLogger } = load<typeof import('../../bot/slack/log')>('../../bot/slack/log');
    const debug = slackLambdaHandler({ ...process.env, LOG_LEVEL: 'debug' }, { logger: createLogger({ level: 'debug', sink: (l) => lines.push(l) }) }) as unknown as Handler;
    const body = slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: 'https://hooks.slack.com/commands/T0ACME/123/secretpath', triggerId: 'trig-debug' });
    const res = await debug(functionUrlEvent(body, { base64: true }), {});
    expect(res.statusCode).toBe(200);
    const all = lines.join('\n');
    expect(lines.some((l) => l.includes('redacted request body'))).toBe(true);
    expect(all).not.toContain(Buffer.from(body).toString('base64').slice(0, 40));
    expect(all).not.toContain('secretpath');
    expect(all).not.toContain('hooks.slack.com%2Fcommands');
    expect(all).not.toContain(fakeBotToken('lambdatoken'));
  });
});

describe('handlers/worker', () => {
  let handler: (event: unknown) => Promise<{ outcome: string }>;
  let diagnose: jest.Mock;
  beforeAll(() => {
    handler = load<{ handler: typeof handler }>('../../bot/handlers/worker').handler;
    diagnose = (jest.requireMock('../../bot/diagnose') as { diagnose: jest.Mock }).diagnose;
    job.responseUrl = slack.responseUrl('worker');
  });

  const job = {
    kind: 'diagnose',
    target: { uuid: ESM_UUID, region: 'eu-west-1' },
    channel: 'C0INCIDENT',
    responseUrl: 'http://127.0.0.1:1/replaced-in-beforeAll',
    user: 'U0ALICE',
    idempotencyKey: 'cmd#trig-worker',
  };

  it('diagnoses with the engine and posts the report to the channel', async () => {
    diagnose.mockResolvedValueOnce({ report: failingReport(), snapshot: { esm: { UUID: ESM_UUID, ProvisionedPollerConfig: { MinimumPollers: 1 } } } });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(GetCommand).resolves({});
    const res = await handler(job);
    expect(res).toEqual({ outcome: 'posted' });
    expect(diagnose).toHaveBeenCalledWith({ uuid: ESM_UUID, region: 'eu-west-1' }, { inspectSecrets: false });
    const [post] = slack.callsOf('chat.postMessage');
    expect(post!.token).toBe(fakeBotToken('lambdatoken'));
    expect(post!.args.channel).toBe('C0INCIDENT');
    expect(JSON.stringify(post!.args.blocks)).toContain('Provisioned mode');
    const puts = dynamo.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ TableName: 'esm-doctor', Item: { pk: 'claim#job#cmd#trig-worker', sk: 'claim' } });
    expect(puts[1]!.Item!.pk).toMatch(/^msg#C0INCIDENT#\d+\.\d+$/);
    expect(puts[1]!.Item!.expiresAt).toEqual(expect.any(Number));
  });

  it('does nothing for a job it has already run (a re-delivered async invoke)', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const res = await handler(job);
    expect(res).toEqual({ outcome: 'duplicate' });
    expect(slack.calls).toHaveLength(0);
  });

  it('rejects a malformed job without retrying or posting', async () => {
    const res = await handler({ ...job, channel: 'not a channel', target: { uuid: 'x', region: 'eu-west-1' } });
    expect(res).toEqual({ outcome: 'rejected' });
    expect(dynamo.calls()).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });
});

describe('Acknowledge while Slack answers 429', () => {
  it('answers the click within 3 s (ack, record, hand the stamp to the worker); the worker stamps the message once Retry-After has passed', async () => {
    const slackHandler = load<{ handler: Handler }>('../../bot/handlers/slack').handler;
    const worker = load<{ handler: (e: unknown) => Promise<unknown> }>('../../bot/handlers/worker').handler;
    const ts = '1763630000.000222';
    const stored = { pk: `msg#C0INCIDENT#${ts}`, sk: 'report', channel: 'C0INCIDENT', ts, target: { uuid: ESM_UUID, region: 'eu-west-1' }, report: JSON.stringify(failingReport()) };
    const acks: Record<string, unknown>[] = [];
    dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
      if (input.Key.pk === stored.pk) return { Item: stored };
      if (input.Key.pk === `ack#${ESM_UUID}`) return acks.length ? { Item: acks[0] } : {};
      return {};
    });
    dynamo.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
      if (String(input.Item.pk).startsWith('ack#')) acks.push(input.Item);
      return {};
    });
    slack.rateLimit('chat.update', { forMs: 2000, retryAfterSeconds: 1 });
    const value = signButtonValue(buttonKey({ signingSecret: SIGNING_SECRET }), { uuid: ESM_UUID, region: 'eu-west-1' });
    const started = Date.now();
    const res = await slackHandler(functionUrlEvent(blockActionBody({ actionId: 'esm_ack', value, messageTs: ts, responseUrl: slack.responseUrl('ack') })), {});
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(acks).toHaveLength(1);
    const job = JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString('utf8'));
    expect(job).toMatchObject({ kind: 'stamp', channel: 'C0INCIDENT', messageTs: ts, user: 'U0ALICE' });
    expect(await worker(job)).toEqual({ outcome: 'updated' });
    const updates = slack.callsOf('chat.update');
    expect(updates.filter((u) => u.status === 429).length).toBeGreaterThan(0);
    const stamped = updates.filter((u) => u.status === 200);
    expect(stamped).toHaveLength(1);
    expect(JSON.stringify(stamped[0]!.args.blocks)).toContain('Acknowledged by <@U0ALICE>');
  }, 20_000);
});
