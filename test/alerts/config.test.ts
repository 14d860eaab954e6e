/**
 * The pieces around the alert path: configuration from the environment, the Slack tokens from
 * Secrets Manager, credentials for other accounts, and the alert messages within Slack's limits.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { workerHandler } from '../../bot/slack/aws';
import { createLogger } from '../../bot/slack/log';
import { watchedAccounts } from '../../bot/alerts/aws';
import { AlertsConfigError, loadAlertsConfig } from '../../bot/alerts/config';
import { assumeRoleProvider } from '../../bot/alerts/credentials';
import { formatDuration, renderClosed, renderStormParent } from '../../bot/slack/alert-messages';
import { limitViolations } from '../../bot/slack/limits';
import { deferUntilSecrets, loadSlackSecret, SLACK_SECRET_TEMPLATE, slackEnvOnce } from '../../bot/slack/secrets';
import { SlackConfigError } from '../../bot/slack/config';
import { stateChange, uuidOf } from './support/fakes';
import { fakeBotToken } from '../fixtures/slack-tokens';

const ROLE = 'arn:aws:iam::210987654321:role/esm-doctor-read';

describe('alerts configuration', () => {
  const base = { ESM_DOCTOR_TABLE: 'esm-doctor', ESM_DOCTOR_EVENT_BUS: 'esm-doctor', AWS_REGION: 'eu-west-1' };

  it('reads regions, accounts, the hold, routing and storm settings', () => {
    const config = loadAlertsConfig(
      {
        ...base,
        ESM_DOCTOR_REGIONS: 'eu-west-1, eu-central-1',
        ESM_DOCTOR_ACCOUNTS: JSON.stringify([{ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }]),
        ESM_DOCTOR_ACCOUNT_ID: '123456789012',
        ESM_DOCTOR_RECOVERY_HOLD_MINUTES: '10',
        ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
        ESM_DOCTOR_CHANNEL_PREFIXES: '{"orders-":"C0ORDERS"}',
      },
      'alert',
    );
    expect(config).toMatchObject({
      regions: ['eu-west-1', 'eu-central-1'],
      accounts: [{ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }],
      ownAccount: '123456789012',
      recoveryHoldMinutes: 10,
      defaultChannel: 'C0ALERTS',
      channelPrefixes: { 'orders-': 'C0ORDERS' },
      channelTag: 'esm-doctor:channel',
      stormThreshold: 5,
      stormWindowMinutes: 5,
    });
    expect(watchedAccounts(config)).toEqual([
      { key: '123456789012', account: '123456789012' },
      { key: '210987654321', account: '210987654321' },
    ]);
    expect(loadAlertsConfig(base, 'watcher').regions).toEqual(['eu-west-1']);
  });

  it('names every bad or missing variable, never its value', () => {
    const attempt = () =>
      loadAlertsConfig({ ESM_DOCTOR_REGIONS: 'Ireland', ESM_DOCTOR_ACCOUNTS: '[{"roleArn":"s3cr3t-not-an-arn"}]', ESM_DOCTOR_ALERT_CHANNEL: '#alerts' }, 'alert');
    expect(attempt).toThrow(AlertsConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const name of ['ESM_DOCTOR_TABLE', 'ESM_DOCTOR_REGIONS', 'ESM_DOCTOR_ACCOUNTS', 'ESM_DOCTOR_ALERT_CHANNEL']) expect(message).toContain(name);
    expect(message).not.toContain('s3cr3t');
    expect(() => loadAlertsConfig({ ESM_DOCTOR_TABLE: 'esm-doctor' }, 'watcher')).toThrow(/ESM_DOCTOR_EVENT_BUS is required/);
  });
});

describe('Slack tokens from Secrets Manager', () => {
  const secretValue = (value: unknown) => ({ send: jest.fn(async (command: unknown) => {
    expect(command).toBeInstanceOf(GetSecretValueCommand);
    return { SecretString: typeof value === 'string' ? value : JSON.stringify(value) };
  }) });
  const env = { SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:esm-doctor-slack-AbCdEf', ESM_DOCTOR_TABLE: 't' };

  it('fills in the tokens the environment lacks; a variable that is set wins', async () => {
    const sm = secretValue({ SLACK_BOT_TOKEN: fakeBotToken('secret'), SLACK_SIGNING_SECRET: 'abcdef0123456789', ESM_DOCTOR_BUTTON_KEY: 'k'.repeat(48) });
    const resolved = await loadSlackSecret({ ...env, ESM_DOCTOR_BUTTON_KEY: 'from-env'.repeat(5) }, sm);
    expect(resolved).toMatchObject({ SLACK_BOT_TOKEN: fakeBotToken('secret'), SLACK_SIGNING_SECRET: 'abcdef0123456789', ESM_DOCTOR_BUTTON_KEY: 'from-env'.repeat(5) });
    expect(await loadSlackSecret({ ...env, SLACK_BOT_TOKEN: 'xoxb-env' }, sm)).toMatchObject({ SLACK_BOT_TOKEN: 'xoxb-env' });
    expect(sm.send).toHaveBeenCalledTimes(1);
  });

  it('refuses placeholders and malformed secrets with a message that names the keys, never the content', async () => {
    await expect(loadSlackSecret(env, secretValue(SLACK_SECRET_TEMPLATE))).rejects.toThrow(
      /still has placeholders for SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET/,
    );
    const notJson = loadSlackSecret(env, secretValue(fakeBotToken('leaked')));
    await expect(notJson).rejects.toBeInstanceOf(SlackConfigError);
    await expect(loadSlackSecret(env, secretValue(fakeBotToken('leaked')))).rejects.not.toThrow(/leaked/);
  });

  it('reads the secret once per container, and again after a failure', async () => {
    const flaky = { send: jest.fn().mockRejectedValueOnce(Object.assign(new Error('boom'), { name: 'ThrottlingException' })).mockResolvedValue({ SecretString: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-3-3-ok' }) }) };
    const e = { ...env, SLACK_SECRET_ARN: `${env.SLACK_SECRET_ARN}-once` };
    await expect(slackEnvOnce(e, flaky)).rejects.toThrow(/ThrottlingException/);
    expect((await slackEnvOnce(e, flaky)).SLACK_BOT_TOKEN).toBe('xoxb-3-3-ok');
    await slackEnvOnce(e, flaky);
    expect(flaky.send).toHaveBeenCalledTimes(2);
  });

  it('builds a handler on its first invocation, once the secret is read', async () => {
    const build = jest.fn((resolved: Record<string, string | undefined>) => async (event: string) => `${event}:${resolved.SLACK_BOT_TOKEN}`);
    const handler = deferUntilSecrets({ SLACK_BOT_TOKEN: 'xoxb-4-4-env' }, build);
    expect(build).not.toHaveBeenCalled();
    expect(await handler('a')).toBe('a:xoxb-4-4-env');
    expect(await handler('b')).toBe('b:xoxb-4-4-env');
    expect(build).toHaveBeenCalledTimes(1);
  });
});

describe('the Slack entry points with the tokens in Secrets Manager', () => {
  it('builds the worker on its first job, from SLACK_SECRET_ARN, instead of failing at start-up for want of SLACK_BOT_TOKEN', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ SLACK_BOT_TOKEN: fakeBotToken('worker'), SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef' }) });
    try {
      const env = { SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:esm-doctor-worker-test', ESM_DOCTOR_TABLE: 'esm-doctor', AWS_REGION: 'eu-west-1' };
      const handler = workerHandler(env, jest.fn(), { logger: createLogger({ sink: () => undefined }) });
      expect(await handler({ kind: 'nonsense' })).toEqual({ outcome: 'rejected' });
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: env.SLACK_SECRET_ARN });
    } finally {
      sm.restore();
    }
  });
});

describe('credentials for another account', () => {
  it('assumes the role with its ExternalId, and reuses the credentials until five minutes before they expire', async () => {
    let now = Date.parse('2026-11-20T09:00:00Z');
    const sts = {
      send: jest.fn(async (command: AssumeRoleCommand) => ({
        Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'x', SessionToken: 'y', Expiration: new Date(now + 3600_000) },
        input: command.input,
      })),
    };
    const provider = assumeRoleProvider({ roleArn: ROLE, externalId: 'esm-doctor-7f3a' }, { sts, env: {}, now: () => now });
    expect(await provider()).toMatchObject({ accessKeyId: 'ASIA1' });
    await provider();
    expect(sts.send).toHaveBeenCalledTimes(1);
    expect(sts.send.mock.calls[0]![0].input).toMatchObject({ RoleArn: ROLE, ExternalId: 'esm-doctor-7f3a', RoleSessionName: 'esm-doctor' });
    now += 56 * 60_000;
    await provider();
    expect(sts.send).toHaveBeenCalledTimes(2);
  });
});

describe('alert messages', () => {
  it('says how long it failed in minutes, then hours', () => {
    expect([20_000, 12 * 60_000, 125 * 60_000, 180 * 60_000].map(formatDuration)).toEqual(['less than a minute', '12 min', '2 h 5 min', '3 h']);
  });

  it('closes an alert whose report has expired from the store, within Slack\'s limits', () => {
    const message = renderClosed(undefined, {
      kind: 'recovered',
      durationMs: 7 * 60_000,
      history: Array.from({ length: 30 }, (_, i) => ({ at: `2026-11-20T09:${String(i).padStart(2, '0')}:00.000Z`, text: `Still failing; Lambda now says: PROBLEM: ${'x'.repeat(200)}` })),
      change: stateChange(uuidOf(1), 'recovered'),
      buttonValue: '{}',
    });
    expect(limitViolations(message)).toEqual([]);
    expect(message.text).toMatch(/^Recovered after 7 min/);
  });

  it('says "no longer failing" for an ESM a user disabled, rather than "recovered"', () => {
    const change = { ...stateChange(uuidOf(1), 'recovered'), current: { state: 'Disabled', stateTransitionReason: 'USER_INITIATED' } };
    const message = renderClosed(undefined, { kind: 'recovered', durationMs: 3 * 60_000, history: [], change, buttonValue: '{}' });
    expect(message.text).toMatch(/^No longer failing after 3 min \(now Disabled, USER_INITIATED\)/);
  });

  it('keeps a storm parent with 200 members within Slack\'s limits', () => {
    const members = Array.from({ length: 200 }, (_, i) => ({ uuid: uuidOf(i), at: '2026-11-20T09:00:00.000Z', open: i % 3 !== 0, label: `orders-consumer-${i}` }));
    const message = renderStormParent({ cluster: stateChange(uuidOf(1), 'failing').eventSource, members, openedAt: '2026-11-20T09:00:00.000Z', windowMinutes: 5 });
    expect(limitViolations(message)).toEqual([]);
    expect(message.text).toBe('133 of 200 ESMs of orders-prod are failing');
  });
});
