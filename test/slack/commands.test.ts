import { esmCommand, parseEsmCommand } from '../../bot/slack/commands/esm';
import { loadSlackConfig } from '../../bot/slack/config';
import type { ListenerDeps } from '../../bot/slack/deps';
import type { Job } from '../../bot/slack/jobs';
import { createLogger } from '../../bot/slack/log';
import { MemoryStore } from '../../bot/slack/store';
import { AccessControl } from '../../bot/slack/access';
import { ESM_UUID } from './support/reports';

describe('parseEsmCommand', () => {
  it('reads a UUID with a region, a UUID with the default region, and an ARN', () => {
    expect(parseEsmCommand(`diagnose ${ESM_UUID} us-east-1`)).toEqual({ kind: 'diagnose', target: { uuid: ESM_UUID, region: 'us-east-1' } });
    expect(parseEsmCommand(`  Diagnose   ${ESM_UUID.toUpperCase()} `, 'eu-west-1')).toEqual({ kind: 'diagnose', target: { uuid: ESM_UUID, region: 'eu-west-1' } });
    const arn = `arn:aws:lambda:eu-central-1:123456789012:event-source-mapping:${ESM_UUID}`;
    expect(parseEsmCommand(`diagnose ${arn}`)).toEqual({
      kind: 'diagnose',
      target: { uuid: ESM_UUID, region: 'eu-central-1', account: '123456789012', arn },
    });
  });

  it('answers help for help, nothing, and -h', () => {
    for (const text of ['help', '', '  ', '-h']) expect(parseEsmCommand(text)).toEqual({ kind: 'help' });
  });

  it('says what is wrong with malformed input', () => {
    expect(parseEsmCommand('diagnose 14e0db71-nope', 'eu-west-1')).toEqual({
      kind: 'invalid',
      problem: expect.stringMatching(/^"14e0db71-nope" is not an event source mapping UUID/),
    });
    expect(parseEsmCommand(`diagnose ${ESM_UUID}`)).toEqual({ kind: 'invalid', problem: expect.stringMatching(/^Which region\?/) });
    expect(parseEsmCommand(`diagnose ${ESM_UUID} mars-1`)).toEqual({ kind: 'invalid', problem: expect.stringMatching(/"mars-1" is not an AWS region name/) });
    expect(parseEsmCommand('diagnose')).toEqual({ kind: 'invalid', problem: expect.stringMatching(/^Which event source mapping\?/) });
    expect(parseEsmCommand(`diagnose ${ESM_UUID} eu-west-1 please`)).toEqual({ kind: 'invalid', problem: expect.stringMatching(/^Too many words/) });
    expect(parseEsmCommand('fix everything')).toEqual({ kind: 'invalid', problem: '"fix" is not something I know how to do.' });
    expect(parseEsmCommand(ESM_UUID)).toEqual({ kind: 'invalid', problem: expect.stringContaining(`Did you mean \`/esm diagnose ${ESM_UUID}\`?`) });
  });
});

describe('esmCommand listener', () => {
  const config = loadSlackConfig(
    { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924', ESM_DOCTOR_DEFAULT_REGION: 'eu-west-1' },
    'http',
  );
  function deps(dispatch: (job: Job) => Promise<void>): ListenerDeps {
    return {
      config,
      store: new MemoryStore(),
      dispatch,
      slack: {} as never,
      access: new AccessControl(config, {} as never),
      logger: createLogger({ sink: () => undefined }),
      now: () => new Date('2026-11-20T09:14:00Z'),
    };
  }
  const command = (text: string) =>
    ({ text, channel_id: 'C0INCIDENT', user_id: 'U0ALICE', trigger_id: 'trig-1', response_url: 'https://hooks.slack.com/commands/T0/1/x' }) as never;

  it('acks with "Diagnosing…" and dispatches a diagnose job', async () => {
    const jobs: Job[] = [];
    const ack = jest.fn();
    await esmCommand(deps(async (j) => void jobs.push(j)))({ command: command(`diagnose ${ESM_UUID}`), ack, respond: jest.fn() });
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('Diagnosing') }));
    expect(jobs).toEqual([
      {
        kind: 'diagnose',
        target: { uuid: ESM_UUID, region: 'eu-west-1' },
        channel: 'C0INCIDENT',
        responseUrl: 'https://hooks.slack.com/commands/T0/1/x',
        user: 'U0ALICE',
        idempotencyKey: 'cmd#trig-1',
      },
    ]);
  });

  it('answers a typo with the problem and the usage, and dispatches nothing', async () => {
    const dispatch = jest.fn();
    const ack = jest.fn();
    await esmCommand(deps(dispatch))({ command: command('diagnose nope'), ack, respond: jest.fn() });
    expect(dispatch).not.toHaveBeenCalled();
    const reply = ack.mock.calls[0][0];
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/"nope" is not an event source mapping UUID/);
    expect(JSON.stringify(reply.blocks)).toContain('/esm diagnose &lt;uuid|arn&gt; [region]');
  });

  it('apologises with an error id, not a stack trace, when the hand-off fails', async () => {
    const respond = jest.fn();
    const failing = async () => {
      throw new Error('connect ECONNREFUSED lambda.eu-west-1.amazonaws.com');
    };
    await esmCommand(deps(failing))({ command: command(`diagnose ${ESM_UUID}`), ack: jest.fn(), respond });
    const text: string = respond.mock.calls[0][0].text;
    expect(text).toMatch(/Sorry, something went wrong on my side \(error id `[0-9a-f]{8}`\)/);
    expect(text).not.toMatch(/ECONNREFUSED|at .*\.ts/);
  });
});
