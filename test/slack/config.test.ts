import { describeConfig, loadSlackConfig, SlackConfigError } from '../../bot/slack/config';
import { fromEngine, type EngineDiagnose } from '../../bot/slack/engine';
import { mskIamHealthy } from '../../scenarios/base';
import { diagnoseSnapshot } from '../../bot/diagnose';
import { fakeBotToken, fakeUserToken } from '../fixtures/slack-tokens';

const BASE = {
  SLACK_BOT_TOKEN: fakeBotToken('abcdefghijkl'),
  SLACK_SIGNING_SECRET: 'e3b0c44298fc1c149afbf4c8996fb924',
  ESM_DOCTOR_TABLE: 'esm-doctor',
  ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
};

function problem(env: Record<string, string | undefined>, mode: Parameters<typeof loadSlackConfig>[1]): string {
  try {
    loadSlackConfig(env, mode);
  } catch (err) {
    expect(err).toBeInstanceOf(SlackConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadSlackConfig', () => {
  it('reads a complete Lambda configuration', () => {
    const config = loadSlackConfig(
      { ...BASE, ESM_DOCTOR_ALLOWED_CHANNELS: 'C0INCIDENT, C0ONCALL', ESM_DOCTOR_ALLOWED_USERGROUPS: 'S0ONCALL', AWS_REGION: 'eu-west-1' },
      'lambda',
    );
    expect(config.allowedChannels).toEqual(['C0INCIDENT', 'C0ONCALL']);
    expect(config.allowedUserGroups).toEqual(['S0ONCALL']);
    expect(config.allowedUsers).toEqual([]);
    expect(config.defaultRegion).toBe('eu-west-1');
    expect(config.buttonKeySource).toBe('derived from the signing secret');
  });

  it('names the missing variable for the mode', () => {
    expect(problem({ SLACK_BOT_TOKEN: BASE.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: BASE.SLACK_SIGNING_SECRET }, 'socket')).toMatch(/SLACK_APP_TOKEN is required/);
    expect(problem({ ...BASE, ESM_DOCTOR_WORKER_FUNCTION: undefined }, 'lambda')).toMatch(/ESM_DOCTOR_WORKER_FUNCTION is required/);
    expect(problem({ ...BASE, SLACK_BOT_TOKEN: undefined }, 'lambda')).toMatch(/SLACK_BOT_TOKEN is required/);
    expect(problem({ SLACK_BOT_TOKEN: BASE.SLACK_BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A0-1-abc' }, 'socket')).toMatch(
      /ESM_DOCTOR_BUTTON_KEY or SLACK_SIGNING_SECRET is required/,
    );
  });

  it('names a malformed variable without echoing its value', () => {
    const message = problem({ ...BASE, SLACK_BOT_TOKEN: fakeUserToken('user-token-secret-value') }, 'lambda');
    expect(message).toMatch(/SLACK_BOT_TOKEN must be a bot token/);
    expect(message).not.toContain('secret-value');
    expect(problem({ ...BASE, ESM_DOCTOR_ALLOWED_CHANNELS: 'incidents' }, 'lambda')).toMatch(/ESM_DOCTOR_ALLOWED_CHANNELS must be a comma-separated list of channel ids/);
    expect(problem({ ...BASE, ESM_DOCTOR_DEFAULT_REGION: 'europe' }, 'lambda')).toMatch(/ESM_DOCTOR_DEFAULT_REGION must be an AWS region name/);
    expect(problem({ ...BASE, ESM_DOCTOR_BUTTON_KEY: 'short' }, 'lambda')).toMatch(/ESM_DOCTOR_BUTTON_KEY must be at least 32 characters/);
  });

  it('describes itself without tokens or keys', () => {
    const config = loadSlackConfig({ ...BASE, ESM_DOCTOR_BUTTON_KEY: 'k'.repeat(40) }, 'lambda');
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain(BASE.SLACK_BOT_TOKEN);
    expect(text).not.toContain(BASE.SLACK_SIGNING_SECRET);
    expect(text).not.toContain('kkkk');
    expect(describeConfig(config).buttonKey).toBe('configured');
  });
});

describe('the live probe setting', () => {
  it('is off by default, remote once a probe function is configured, and can be set explicitly', () => {
    expect(loadSlackConfig(BASE, 'lambda').probe).toBe('off');
    expect(loadSlackConfig({ ...BASE, ESM_DOCTOR_PROBE_FUNCTION: 'esm-doctor-probe-a1b2' }, 'lambda').probe).toBe('remote');
    expect(loadSlackConfig({ ...BASE, ESM_DOCTOR_PROBE: 'local' }, 'lambda').probe).toBe('local');
    expect(problem({ ...BASE, ESM_DOCTOR_PROBE: 'yes' }, 'lambda')).toMatch(/ESM_DOCTOR_PROBE.*must be off, local or remote/);
  });

  it('asks the engine for a probe only when the button asked and probing is on', async () => {
    const engine = jest.fn<ReturnType<EngineDiagnose>, Parameters<EngineDiagnose>>(async () => {
      const snapshot = mskIamHealthy();
      return { report: diagnoseSnapshot(snapshot), snapshot };
    });
    const target = { uuid: '14e0db71-5d35-4eb5-b481-8945cf9d10c2', region: 'eu-west-1' };
    await fromEngine(engine, { probe: 'remote' })(target, { probe: true });
    await fromEngine(engine, { probe: 'remote' })(target);
    await fromEngine(engine, { probe: 'off' })(target, { probe: true });
    expect(engine.mock.calls.map((c) => c[1]?.probe)).toEqual(['remote', undefined, undefined]);
  });
});

describe('redact', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { redact } = require('../../bot/slack/log') as typeof import('../../bot/slack/log');

  it('removes tokens and response URLs, in JSON and in form-encoded bodies', () => {
    const line = redact(
      'xoxb-1-2-abc xapp-1-A0-xyz "token":"verif" https://hooks.slack.com/commands/T0/1/secret body=team_id=T0&token=verif&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0%2F1%2Fsecret&text=hi',
    );
    expect(line).not.toMatch(/abc|xyz|verif|secret/);
    expect(line).toContain('text=hi');
  });
});
