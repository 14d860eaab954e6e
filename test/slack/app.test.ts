/**
 * The real Bolt app behind an HTTPReceiver on a loopback port, receiving requests signed the way
 * Slack signs them; its Web API calls and response_url posts go to a local fake Slack.
 */
import type { Server } from 'node:http';
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { HTTPReceiver } from '@slack/bolt';
import { createApp, slackClient } from '../../bot/slack/app';
import { buttonKey, signButtonValue } from '../../bot/slack/button';
import { loadSlackConfig } from '../../bot/slack/config';
import type { Diagnose } from '../../bot/slack/engine';
import { inProcessRunner } from '../../bot/slack/jobs';
import { createLogger } from '../../bot/slack/log';
import { MemoryStore } from '../../bot/slack/store';
import { TargetNotFound } from '../../bot/model/errors';
import { startFakeSlack, type FakeSlack } from './support/fake-slack';
import { blockActionBody, signedHeaders, SIGNING_SECRET, slashCommandBody } from './support/signing';
import { afterSgFixReport, ESM_UUID, failingReport } from './support/reports';
import { FAKE_BOT_TOKEN } from '../fixtures/slack-tokens';

const BOT_TOKEN = FAKE_BOT_TOKEN;
const FORM = 'application/x-www-form-urlencoded';

let slack: FakeSlack;
let server: Server;
let endpoint: string;
let store: MemoryStore;
let diagnose: jest.MockedFunction<Diagnose>;
let idle: () => Promise<void>;
let logs: string[];
let stopApp: () => Promise<unknown>;
let clock: Date;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.usergroups.S0ONCALL = ['U0ALICE', 'U0BOB'];
  const config = loadSlackConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ESM_DOCTOR_ALLOWED_CHANNELS: 'C0INCIDENT,C0OTHERCHAN',
      ESM_DOCTOR_ALLOWED_USERGROUPS: 'S0ONCALL',
      ESM_DOCTOR_DEFAULT_REGION: 'eu-west-1',
      ESM_DOCTOR_PROBE: 'remote',
    },
    'http',
  );
  logs = [];
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  store = new MemoryStore();
  diagnose = jest.fn();
  const client = slackClient(config, logger);
  const now = () => clock;
  const runner = inProcessRunner({ slack: client, store, diagnose, buttonKey: config.buttonKey, probe: true, logger, now });
  idle = runner.idle;
  // processBeforeResponse: answer when the listener is done, as on Lambda, so tests see its effects.
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', logger, processBeforeResponse: true });
  const app = createApp(config, { receiver, store, dispatch: runner.dispatch, slack: client, logger, now });
  server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
  stopApp = () => app.stop();
});

afterAll(async () => {
  await stopApp();
  await slack.close();
});

beforeEach(async () => {
  await store.clearAcknowledgement(ESM_UUID);
  slack.reset();
  diagnose.mockReset();
  clock = new Date('2026-11-20T09:14:30.000Z');
});

async function post(body: string, options: Parameters<typeof signedHeaders>[2] = {}) {
  const res = await fetch(endpoint, { method: 'POST', headers: signedHeaders(body, FORM, options), body });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, any>) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let trigger = 0;
async function slash(text: string, extra: { user?: string; channel?: string; triggerId?: string; retryNum?: number } = {}) {
  const body = slashCommandBody({ text, responseUrl: slack.responseUrl('cmd'), triggerId: extra.triggerId ?? `trigger-${++trigger}`, ...extra });
  const res = await post(body, extra.retryNum !== undefined ? { retryNum: extra.retryNum } : {});
  await idle();
  return res;
}

function buttons(blocks: KnownBlock[]): Button[] {
  return blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

/** Posts a report for ESM_UUID; returns its ts and the signed button value Slack would send back. */
async function postReport(report = failingReport()) {
  diagnose.mockResolvedValueOnce(report);
  await slash(`diagnose ${ESM_UUID}`);
  const posted = slack.callsOf('chat.postMessage').at(-1)!;
  const value = buttons(posted.args.blocks).find((b) => b.action_id === 'esm_recheck')!.value!;
  const ts = await lastTs();
  slack.reset();
  diagnose.mockClear();
  return { ts, value };
}

async function lastTs(): Promise<string> {
  // The fake answers postMessage with increasing ts; the store has the one it answered.
  for (let seq = 200; seq >= 100; seq--) {
    const ts = `1763630000.${String(seq).padStart(6, '0')}`;
    if (await store.getMessage('C0INCIDENT', ts)) return ts;
  }
  throw new Error('no stored message');
}

let actionTs = 0;
async function click(actionId: string, value: string, ts: string, user = 'U0ALICE', options: Parameters<typeof signedHeaders>[2] = {}, channel?: string) {
  const body = blockActionBody({ actionId, value, messageTs: ts, user, responseUrl: slack.responseUrl(`act-${actionTs}`), actionTs: `1763630100.${++actionTs}`, ...(channel ? { channel } : {}) });
  const res = await post(body, options);
  await idle();
  return res;
}

function allText(blocks: KnownBlock[]): string {
  return JSON.stringify(blocks);
}

describe('/esm diagnose', () => {
  it('acks with "Diagnosing…", then posts the report in the channel', async () => {
    diagnose.mockResolvedValueOnce(failingReport());
    const res = await slash(`diagnose ${ESM_UUID}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(`Diagnosing \`${ESM_UUID}\` in eu-west-1`) });
    expect(diagnose).toHaveBeenCalledWith({ uuid: ESM_UUID, region: 'eu-west-1' });
    const [postCall] = slack.callsOf('chat.postMessage');
    expect(postCall!.token).toBe(BOT_TOKEN);
    expect(postCall!.args.channel).toBe('C0INCIDENT');
    expect(postCall!.args.text).toMatch(/^Failing: orders-consumer ← orders/);
    expect(postCall!.args.blocks[0].text.text).toBe(":red_circle: Failing: No cluster security group admits port 9098 from the ESM's subnets");
    expect(allText(postCall!.args.blocks)).toContain('Most likely cause — step 4 of 9 — Network path to the brokers');
    expect(buttons(postCall!.args.blocks).map((b) => b.action_id)).toEqual(['esm_recheck', 'esm_probe', 'esm_ack', 'esm_open_esm', 'esm_open_function']);
  });

  it('answers help with the usage', async () => {
    const res = await slash('help');
    expect(res.json!.response_type).toBe('ephemeral');
    // Escaped: a raw <uuid|arn> would be read by Slack as a link to "uuid" labelled "arn".
    expect(JSON.stringify(res.json!.blocks)).toContain('/esm diagnose &lt;uuid|arn&gt; [region]');
  });

  it('answers a malformed uuid with what is wrong and the usage, and diagnoses nothing', async () => {
    const res = await slash('diagnose 14e0db71-5d35-zzzz');
    expect(res.status).toBe(200);
    expect(res.json!.response_type).toBe('ephemeral');
    expect(res.json!.text).toBe('"14e0db71-5d35-zzzz" is not an event source mapping UUID (expected 8-4-4-4-12 hex digits, like 14e0db71-5d35-4eb5-b481-8945cf9d10c2).');
    expect(JSON.stringify(res.json!.blocks)).toContain('*Usage*');
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
  });

  it('tells the requester, privately and in one line, when the ESM does not exist', async () => {
    diagnose.mockRejectedValueOnce(new TargetNotFound(ESM_UUID, 'eu-west-1'));
    await slash(`diagnose ${ESM_UUID}`);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
    expect(slack.responses).toEqual([
      {
        path: '/response/cmd',
        body: expect.objectContaining({
          response_type: 'ephemeral',
          text: `:warning: event source mapping ${ESM_UUID} was not found in eu-west-1 (check the region and the account of your credentials)`,
        }),
      },
    ]);
  });

  it('apologises with an error id for an unexpected error; the details go to the log only, without a stack', async () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'Subnets')");
    diagnose.mockRejectedValueOnce(err);
    await slash(`diagnose ${ESM_UUID}`);
    const text: string = slack.responses[0]!.body.text;
    const id = /error id `([0-9a-f]{8})`/.exec(text)![1]!;
    expect(text).not.toContain('Subnets');
    const logged = logs.find((l) => l.includes(id))!;
    expect(JSON.parse(logged)).toMatchObject({ level: 'error', event: 'request.failed', errorId: id, error: 'TypeError' });
    expect(logged).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('asks to be invited when it cannot post in the channel', async () => {
    diagnose.mockResolvedValueOnce(failingReport());
    slack.failNext('chat.postMessage', 'not_in_channel');
    await slash(`diagnose ${ESM_UUID}`);
    expect(slack.responses[0]!.body.text).toMatch(/I can't post in this channel \(`not_in_channel`\)\. Invite me with `\/invite @esm-doctor`/);
  });
});

describe('Slack retries', () => {
  it('a retried command (X-Slack-Retry-Num: 1) is acknowledged without work: one post', async () => {
    diagnose.mockResolvedValue(failingReport());
    await slash(`diagnose ${ESM_UUID}`, { triggerId: 'trigger-retry' });
    const retry = await slash(`diagnose ${ESM_UUID}`, { triggerId: 'trigger-retry', retryNum: 1 });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(diagnose).toHaveBeenCalledTimes(1);
  });

  it('the same request delivered twice without the header still posts once (idempotency key in the store)', async () => {
    diagnose.mockResolvedValue(failingReport());
    await slash(`diagnose ${ESM_UUID}`, { triggerId: 'trigger-twice' });
    await slash(`diagnose ${ESM_UUID}`, { triggerId: 'trigger-twice' });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});

describe('Re-run checks', () => {
  it('edits the same message in place and says what changed, who re-ran it and when', async () => {
    const { ts, value } = await postReport(failingReport());
    diagnose.mockResolvedValueOnce(afterSgFixReport());
    clock = new Date('2026-11-20T09:20:00.000Z');
    const res = await click('esm_recheck', value, ts, 'U0BOB');
    expect(res.status).toBe(200);
    expect(diagnose).toHaveBeenCalledWith({ uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' });
    const updates = slack.callsOf('chat.update');
    expect(updates.map((u) => [u.args.channel, u.args.ts])).toEqual([
      ['C0INCIDENT', ts],
      ['C0INCIDENT', ts],
    ]);
    expect(allText(updates[0]!.args.blocks)).toContain('Re-running the checks for <@U0BOB>');
    const final = allText(updates[1]!.args.blocks);
    expect(final).toContain('Re-run by <@U0BOB> <!date^1795166400^');
    expect(final).toContain('*2 fixed, 1 new, 2 unchanged*');
    expect(final).toContain('Fixed: `esm.last-result`, `network.sg-broker-ingress` · New: `function.concurrency`');
    expect(final).toContain('Most likely cause — step 6 of 9');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
    expect((await store.getMessage('C0INCIDENT', ts))!.report.findings[0]!.check).toBe('iam.execution-role');
  });

  it('refuses a forged button value, privately, and logs it', async () => {
    const { ts, value } = await postReport();
    const forged = JSON.stringify({ ...JSON.parse(value), uuid: ESM_UUID.replace('14e0', '99e0') });
    const res = await click('esm_recheck', forged, ts);
    expect(res.status).toBe(200);
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(slack.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/did not check out/) });
    expect(logs.some((l) => l.includes('"event":"button.refused"') && l.includes('"level":"warn"'))).toBe(true);
  });
});

describe('Run live probe', () => {
  it('offers the button, and edits the message in place with a diagnosis that includes the probe', async () => {
    diagnose.mockResolvedValueOnce(failingReport());
    await slash(`diagnose ${ESM_UUID}`);
    const posted = slack.callsOf('chat.postMessage').at(-1)!;
    const probeButton = buttons(posted.args.blocks).find((b) => b.action_id === 'esm_probe');
    expect(probeButton?.text.text).toBe('Run live probe');
    const ts = await lastTs();
    slack.reset();
    diagnose.mockReset();
    diagnose.mockResolvedValueOnce(afterSgFixReport());
    clock = new Date('2026-11-20T09:21:00.000Z');
    const res = await click('esm_probe', probeButton!.value!, ts, 'U0BOB');
    expect(res.status).toBe(200);
    expect(diagnose).toHaveBeenCalledWith({ uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' }, { probe: true });
    const updates = slack.callsOf('chat.update');
    expect(updates).toHaveLength(2);
    expect(allText(updates[0]!.args.blocks)).toContain('Running the checks and the live probe for <@U0BOB>');
    expect(allText(updates[1]!.args.blocks)).toContain(':satellite_antenna: Live probe by <@U0BOB>');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('refuses a forged probe button like any other', async () => {
    const { ts, value } = await postReport();
    const forged = JSON.stringify({ ...JSON.parse(value), region: 'us-east-1' });
    await click('esm_probe', forged, ts);
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/did not check out/) });
  });
});

describe('Re-run checks with a genuine button from another report', () => {
  it('refuses to overwrite this report with another ESM', async () => {
    const { ts } = await postReport();
    const other = signButtonValue(buttonKey({ signingSecret: SIGNING_SECRET }), { uuid: '0f0e0d0c-5d35-4eb5-b481-8945cf9d10c2', region: 'eu-west-1' });
    await click('esm_recheck', other, ts);
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(slack.responses[0]!.body.text).toMatch(/belongs to another report/);
  });
});

describe('a genuine button value from another channel', () => {
  it.each(['esm_recheck', 'esm_probe', 'esm_ack'])('%s: refused clearly, nothing diagnosed, recorded or edited', async (actionId) => {
    const { ts, value } = await postReport();
    expect(JSON.parse(value).ch).toBe('C0INCIDENT');
    await click(actionId, value, ts, 'U0ALICE', {}, 'C0OTHERCHAN');
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(await store.getAcknowledgement(ESM_UUID)).toBeUndefined();
    expect(slack.responses[0]!.body.text).toMatch(/belongs to a message in another channel/);
  });
});

describe('Acknowledge', () => {
  it('stamps the message with who and when, and records it for the alerting code', async () => {
    const { ts, value } = await postReport();
    clock = new Date('2026-11-20T09:15:00.000Z');
    await click('esm_ack', value, ts, 'U0ALICE');
    const [update] = slack.callsOf('chat.update');
    expect(update!.args.ts).toBe(ts);
    expect(allText(update!.args.blocks)).toContain('Acknowledged by <@U0ALICE> <!date^1795166100^');
    expect(await store.isAcknowledged(ESM_UUID, 'network.sg-broker-ingress')).toBe(true);
    expect(await store.isAcknowledged(ESM_UUID, 'iam.execution-role')).toBe(false);
  });

  it('answers a second click, privately, with who acknowledged it already', async () => {
    const { ts, value } = await postReport();
    await click('esm_ack', value, ts, 'U0ALICE');
    slack.reset();
    await click('esm_ack', value, ts, 'U0BOB');
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(slack.responses[0]!.body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: expect.stringMatching(/^Already acknowledged by <@U0ALICE> <!date\^/),
    });
  });

  it('keeps the stamp when the message is re-run with the same cause', async () => {
    const { ts, value } = await postReport();
    await click('esm_ack', value, ts, 'U0ALICE');
    slack.reset();
    diagnose.mockResolvedValueOnce(failingReport());
    await click('esm_recheck', value, ts, 'U0BOB');
    const final = allText(slack.callsOf('chat.update').at(-1)!.args.blocks);
    expect(final).toContain('Acknowledged by <@U0ALICE>');
    expect(final).toContain('*no change*');
  });
});

describe('trust', () => {
  it('answers 401 to a bad signature and does nothing', async () => {
    const body = slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('cmd') });
    const res = await post(body, { signature: 'v0=' + '0'.repeat(64) });
    expect(res.status).toBe(401);
    const wrongSecret = await post(body, { secret: 'ffffffffffffffffffffffffffffffff' });
    expect(wrongSecret.status).toBe(401);
    expect(diagnose).not.toHaveBeenCalled();
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes old', async () => {
    const body = slashCommandBody({ text: `diagnose ${ESM_UUID}`, responseUrl: slack.responseUrl('cmd') });
    const res = await post(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(diagnose).not.toHaveBeenCalled();
  });

  it('refuses a user outside the allowed user groups, politely and privately', async () => {
    const res = await slash(`diagnose ${ESM_UUID}`, { user: 'U0MALLORY' });
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Sorry, esm-doctor is limited to its on-call users/) });
    expect(diagnose).not.toHaveBeenCalled();
  });

  it('refuses a command from a channel outside the allow-list', async () => {
    const res = await slash(`diagnose ${ESM_UUID}`, { channel: 'C0RANDOM' });
    expect(res.json!.text).toMatch(/^Sorry, esm-doctor does not work in this channel/);
    expect(diagnose).not.toHaveBeenCalled();
  });

  it('refuses a button click from a user outside the allow-list', async () => {
    const { ts, value } = await postReport();
    await click('esm_ack', value, ts, 'U0MALLORY');
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(slack.responses[0]!.body.text).toMatch(/^Sorry, esm-doctor is limited/);
    expect(await store.getAcknowledgement(ESM_UUID)).toBeUndefined();
  });

  it('never logs the bot token, the signing secret or a response_url', () => {
    const all = logs.join('\n');
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain('/response/');
  });
});
