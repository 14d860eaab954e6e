/** Remediation's configuration (off by default; approvers required) and the remediation Lambda's guard on its event. */
import { loadSlackConfig, SlackConfigError } from '../../bot/slack/config';
import { remediationHandler } from '../../bot/slack/aws';
import { createLogger } from '../../bot/slack/log';
import { FAKE_BOT_TOKEN, FAKE_SIGNING_SECRET } from '../fixtures/slack-tokens';

const BASE = { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_SIGNING_SECRET: FAKE_SIGNING_SECRET };

describe('remediation configuration', () => {
  it('is off unless ESM_DOCTOR_REMEDIATION=on', () => {
    expect(loadSlackConfig(BASE, 'http').remediation).toBeUndefined();
    expect(loadSlackConfig({ ...BASE, ESM_DOCTOR_REMEDIATION: 'off', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE' }, 'http').remediation).toBeUndefined();
  });

  it('names its approvers: users and user groups', () => {
    const config = loadSlackConfig({ ...BASE, ESM_DOCTOR_REMEDIATION: 'on', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE, U0BOB', ESM_DOCTOR_FIX_APPROVER_GROUPS: 'S0SRE' }, 'http');
    expect(config.remediation).toEqual({ approvers: ['U0ALICE', 'U0BOB'], approverGroups: ['S0SRE'] });
  });

  it('refuses remediation without approvers, a bad id, and (in the Slack Lambda) without the remediation function', () => {
    expect(() => loadSlackConfig({ ...BASE, ESM_DOCTOR_REMEDIATION: 'on' }, 'http')).toThrow(/needs ESM_DOCTOR_FIX_APPROVERS/);
    expect(() => loadSlackConfig({ ...BASE, ESM_DOCTOR_REMEDIATION: 'yes', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE' }, 'http')).toThrow(SlackConfigError);
    expect(() => loadSlackConfig({ ...BASE, ESM_DOCTOR_REMEDIATION: 'on', ESM_DOCTOR_FIX_APPROVERS: 'alice' }, 'http')).toThrow(/ESM_DOCTOR_FIX_APPROVERS/);
    const lambda = { ...BASE, ESM_DOCTOR_TABLE: 'esm-doctor', ESM_DOCTOR_WORKER_FUNCTION: 'worker', ESM_DOCTOR_REMEDIATION: 'on', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE' };
    expect(() => loadSlackConfig(lambda, 'lambda')).toThrow(/ESM_DOCTOR_REMEDIATION_FUNCTION is required/);
    expect(loadSlackConfig({ ...lambda, ESM_DOCTOR_REMEDIATION_FUNCTION: 'remediate' }, 'lambda').remediation?.function).toBe('remediate');
  });
});

describe('the remediation Lambda', () => {
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const engine = jest.fn();
  const apply = jest.fn();
  const env = { ...BASE, ESM_DOCTOR_TABLE: 'esm-doctor', AWS_REGION: 'eu-west-1' };

  it('rejects an event that is not a fix request id, without retrying or applying anything', async () => {
    const handler = remediationHandler({ ...env, ESM_DOCTOR_REMEDIATION: 'on', ESM_DOCTOR_FIX_APPROVERS: 'U0ALICE' }, engine, apply, { logger });
    for (const event of [{}, { hash: 'x', id: 'y' }, { hash: 'a'.repeat(64), id: '6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f01', plan: {} }]) {
      expect(await handler(event)).toEqual({ outcome: 'rejected' });
    }
    expect(apply).not.toHaveBeenCalled();
    expect(engine).not.toHaveBeenCalled();
  });

  it('applies nothing where remediation is not on', async () => {
    const handler = remediationHandler(env, engine, apply, { logger });
    expect(await handler({ hash: 'a'.repeat(64), id: '6f1c1b1e-0a7e-4c55-9a53-0d8b0c1e2f01' })).toEqual({ outcome: 'rejected' });
    expect(logs.join('\n')).toContain('ESM_DOCTOR_REMEDIATION is not on');
    expect(apply).not.toHaveBeenCalled();
  });
});
